"""The wishlist under load on a real MySQL-compatible server: restocks of several products racing
awards to the people who wish for them tell each person once per kind and no transaction waits on
another's wishes in a circle (zero deadlock retries); a product deleted while it is saved is a
404; saves racing each other never pass the limit."""

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
        assert (in_stock, affordable) == (1, 1)  # the first restock names all six at once
    assert deadlock_retries.count == 0


def test_a_product_deleted_while_it_is_being_saved_is_unavailable_not_an_error(api_as, monkeypatch):
    import threading

    from django.db import connection

    from shop import wishlist
    from shop.services import product_delete

    product, user = ProductFactory(), UserFactory()
    client = api_as(user)
    client.raise_request_exception = False
    share_lock = wishlist.product_share_lock

    def deleted_first(**kwargs):
        def delete():  # another transaction, between the product's lookup and its lock
            product_delete(product_ids=[product.pk])
            connection.close()

        thread = threading.Thread(target=delete)
        thread.start()
        thread.join()
        return share_lock(**kwargs)

    monkeypatch.setattr(wishlist, "product_share_lock", deleted_first)
    response = client.put(f"/api/v1/me/wishlist/{product.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "product_unavailable"


def test_saves_racing_each_other_never_pass_the_limit():
    from shop.models import WishlistItem
    from shop.wishlist import WISHLIST_MAX

    user = UserFactory()
    for _ in range(WISHLIST_MAX - 1):
        wishlist_add(user_id=user.pk, product_id=ProductFactory().pk)
    fresh = [ProductFactory().pk for _ in range(10)]

    outcomes = run_concurrently(wishlist_add, [{"user_id": user.pk, "product_id": pk} for pk in fresh])

    assert sorted(type(o).__name__ for o in outcomes) == ["WishlistFull"] * 9 + ["tuple"]
    assert WishlistItem.objects.filter(user=user).count() == WISHLIST_MAX


@pytest.mark.parametrize("restock_at", [0, 6, 12])
def test_saves_racing_a_restock_of_several_products_never_deadlock(deadlock_retries, restock_at):
    """The restock locks its products, then its messages' foreign keys read the wishers' rows;
    each wisher's save locks the product (shared) before their own row: one order, no circle."""
    products = [ProductFactory(stock_quantity=0) for _ in range(6)]
    people = [UserFactory().pk for _ in range(8)]
    for user_id in people:
        wishlist_add(user_id=user_id, product_id=products[0].pk)
    ids = [product.pk for product in products]

    def act(*, kind: str, user_id: str | None, i: int):
        if kind == "restock":
            return product_stock_set(product_ids=ids, quantity=5)
        return wishlist_add(user_id=user_id, product_id=ids[1 + i % 5])

    calls = [{"kind": "save", "user_id": u, "i": i} for i, u in enumerate(people)]
    calls += [{"kind": "save", "user_id": u, "i": i + 2} for i, u in enumerate(people)]
    calls.insert(restock_at, {"kind": "restock", "user_id": None, "i": 0})
    outcomes = run_concurrently(act, calls)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert deadlock_retries.count == 0
