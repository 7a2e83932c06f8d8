"""Races on a real MySQL-compatible server: row locks, conditional updates and deadlock retries.

These run in `make test-mysql` (and so in CI); on SQLite they skip, see tests/conftest.py.
"""

import random

import pytest

from orders.models import Order
from orders.services import order_redeem
from points.exceptions import InsufficientPoints
from points.models import PointsTransaction, UserPoints
from shop.exceptions import OutOfStock
from shop.models import Product
from tests.awards import points_award
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def test_fifty_users_racing_for_the_last_ten_units_get_exactly_ten_orders(give_points, deadlock_retries):
    product = ProductFactory(points_cost=100, stock_quantity=10)
    users = UserFactory.create_batch(50)
    for user in users:
        give_points(user, 100)

    outcomes = run_concurrently(order_redeem, [{"user_id": u.pk, "product_id": product.pk} for u in users])

    orders = [o for o in outcomes if isinstance(o, Order)]
    refusals = [o for o in outcomes if isinstance(o, OutOfStock)]
    assert len(orders) == 10, outcomes
    assert len(refusals) == 40, outcomes
    assert {str(r) for r in refusals} == {f"“{product.name}” is out of stock."}
    assert Product.objects.get(pk=product.pk).stock_quantity == 0
    assert Order.objects.count() == 10
    assert UserPoints.objects.filter(current_points=0).count() == 10
    assert UserPoints.objects.filter(current_points=100).count() == 40
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


def test_one_user_firing_thirty_redemptions_with_points_for_three_gets_three(employee, give_points, deadlock_retries):
    product = ProductFactory(points_cost=100, stock_quantity=100)
    give_points(employee, 300)

    outcomes = run_concurrently(order_redeem, [{"user_id": employee.pk, "product_id": product.pk}] * 30)

    assert sum(isinstance(o, Order) for o in outcomes) == 3, outcomes
    refusals = [o for o in outcomes if isinstance(o, InsufficientPoints)]
    assert len(refusals) == 27, outcomes
    assert {str(r) for r in refusals} == {"You need 100 points but have 0: 100 more to go."}
    balance = UserPoints.objects.get(pk=employee.pk)
    assert (balance.current_points, balance.total_redeemed) == (0, 300)
    assert Product.objects.get(pk=product.pk).stock_quantity == 97
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


def test_interleaved_awards_and_redemptions_from_sixteen_threads_keep_the_ledger_clean(
    hr_user, give_points, deadlock_retries
):
    users = UserFactory.create_batch(4)
    products = [ProductFactory(points_cost=cost, stock_quantity=15) for cost in (30, 50, 70)]
    for user in users:
        give_points(user, 200)
    chooser = random.Random(1213)  # noqa: S311 - a reproducible mix, not security

    def work(*, seed: int) -> list[object]:
        mine = random.Random(seed)  # noqa: S311
        outcomes = []
        for _ in range(12):
            user = mine.choice(users)
            try:
                if mine.random() < 0.35:
                    outcomes.append(points_award(user_id=user.pk, amount=40, reason="Race", awarded_by_id=hr_user.pk))
                else:
                    outcomes.append(order_redeem(user_id=user.pk, product_id=mine.choice(products).pk))
            except (InsufficientPoints, OutOfStock) as refusal:
                outcomes.append(refusal)
        return outcomes

    results = run_concurrently(work, [{"seed": chooser.randrange(10**6)} for _ in range(16)])

    unexpected = [r for r in results if isinstance(r, Exception)]
    assert unexpected == [], unexpected
    outcomes = [o for batch in results for o in batch]
    assert len(outcomes) == 16 * 12
    orders = sum(isinstance(o, Order) for o in outcomes)
    awards = sum(isinstance(o, PointsTransaction) for o in outcomes)
    assert Order.objects.count() == orders
    assert PointsTransaction.objects.filter(transaction_type="earned").count() == awards + 4
    assert sum(p.stock_quantity for p in Product.objects.all()) == 45 - orders
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


def test_concurrent_first_awards_create_one_balance_row(hr_user, deadlock_retries):
    newcomer = UserFactory()

    outcomes = run_concurrently(
        points_award, [{"user_id": newcomer.pk, "amount": 10, "reason": "Welcome"} for _ in range(20)]
    )

    assert all(isinstance(o, PointsTransaction) for o in outcomes), outcomes
    assert UserPoints.objects.get(pk=newcomer.pk).current_points == 200
    assert_ledger_consistent()
    assert deadlock_retries.count == 0
