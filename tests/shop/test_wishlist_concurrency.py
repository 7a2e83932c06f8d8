"""The wishlist's messages under load on a real MySQL-compatible server: restocks of several
products racing awards to the people who wish for them tell each person at most once per product
and kind, and no transaction waits on another's wishes in a circle (zero deadlock retries)."""

import random

import pytest

from notifications.models import Notification
from shop.services import product_stock_set
from shop.wishlist import wishlist_add
from tests.awards import points_award
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def test_restocks_racing_awards_tell_each_wisher_once_without_deadlocks(deadlock_retries):
    products = [ProductFactory(points_cost=100 + 10 * i, stock_quantity=0) for i in range(6)]
    people = [UserFactory().pk for _ in range(8)]
    wishes = [(user_id, product.pk) for user_id in people for product in products]
    random.Random(29).shuffle(wishes)  # noqa: S311 - wish ids in no order of product or person
    for user_id, product_id in wishes:
        wishlist_add(user_id=user_id, product_id=product_id)
    product_ids = [product.pk for product in products]

    def race(*, kind: str, user_id: str | None, order: int):
        if kind == "restock":
            ids = product_ids if order % 2 else list(reversed(product_ids))
            return product_stock_set(product_ids=ids, quantity=5)
        return points_award(user_id=user_id, amount=1000, reason="Launch")

    calls = [{"kind": "award", "user_id": user_id, "order": 0} for user_id in people]
    calls += [{"kind": "restock", "user_id": None, "order": i} for i in range(4)]
    outcomes = run_concurrently(race, calls)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    for user_id in people:
        in_stock = Notification.objects.filter(recipient_id=user_id, kind="wish_in_stock").count()
        affordable = Notification.objects.filter(recipient_id=user_id, kind="wish_affordable").count()
        assert (in_stock, affordable) == (len(products), 1)
    assert deadlock_retries.count == 0
