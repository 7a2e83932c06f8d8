"""Races of the fulfilment steps on a real MySQL-compatible server: cancels, steps, options and
codes, each exactly once, with the ledger clean and no deadlock retried.

These run in `make test` when MariaDB answers and in `make test-mysql`; on SQLite they skip.
"""

import pytest

from orders.exceptions import OrderNotCancellable
from orders.models import Order, VoucherCode
from orders.services import CancelOutcome, order_cancel, order_redeem, order_status_change, voucher_codes_import
from points.models import PointsTransaction, UserPoints
from shop.exceptions import OutOfStock
from shop.models import Product, ProductOption
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent
from tests.orders.fulfilment import ADDRESS, hoodie_with_sizes

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def cancel_or_refusal(**kwargs):
    return order_cancel(**kwargs)


def test_twelve_cancels_of_one_order_refund_it_once(employee, give_points, fulfilment_staff, deadlock_retries):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=300, stock_quantity=1).pk)
    by_employee = {"order_id": order.pk, "cancelled_by_id": employee.pk}
    by_staff = {"order_id": order.pk, "cancelled_by_id": fulfilment_staff.pk, "reason": "Duplicate", "by_staff": True}

    outcomes = run_concurrently(order_cancel, [by_employee, by_staff] * 6)

    assert all(isinstance(o, CancelOutcome) for o in outcomes), outcomes
    assert sum(o.cancelled_now for o in outcomes) == 1
    assert PointsTransaction.objects.filter(transaction_type="refunded", order_id=order.pk).count() == 1
    balance = UserPoints.objects.get(pk=employee.pk)
    assert (balance.current_points, balance.total_redeemed) == (1000, 0)
    assert Product.objects.get(pk=order.product_id).stock_quantity == 1
    assert Order.objects.get(pk=order.pk).status_changes.count() == 1
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


def test_a_cancel_racing_the_shipping_step_either_refunds_or_ships_never_both(
    employee, give_points, fulfilment_staff, deadlock_retries
):
    give_points(employee, 10_000)
    product = ProductFactory(points_cost=100, stock_quantity=20, delivery_method="shipped")
    from orders.services import OrderDetails

    orders = [
        order_redeem(user_id=employee.pk, product_id=product.pk, details=OrderDetails(delivery_address=ADDRESS))
        for _ in range(8)
    ]
    order_status_change(order_ids=[o.pk for o in orders], to_status="Processing", changed_by_id=fulfilment_staff.pk)

    def race(*, order_id: str, step: str):
        if step == "cancel":
            return order_cancel(
                order_id=order_id, cancelled_by_id=fulfilment_staff.pk, reason="Out of print", by_staff=True
            )
        return order_status_change(
            order_ids=[order_id],
            to_status="Shipped",
            changed_by_id=fulfilment_staff.pk,
            carrier="DHL",
            tracking_numbers={order_id: "JD" + order_id[:6]},
        )

    calls = [{"order_id": o.pk, "step": step} for o in orders for step in ("cancel", "ship")]
    outcomes = run_concurrently(race, calls)

    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, OrderNotCancellable)]
    assert unexpected == []
    for order in orders:
        stored = Order.objects.get(pk=order.pk)
        refunds = PointsTransaction.objects.filter(transaction_type="refunded", order_id=order.pk).count()
        assert (stored.status, refunds) in {("Cancelled", 1), ("Shipped", 0)}, (stored.status, refunds)
        assert stored.status_changes.count() == 2  # Processing, then exactly one of the two
    cancelled = Order.objects.filter(status="Cancelled").count()
    assert Product.objects.get(pk=product.pk).stock_quantity == 12 + cancelled
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


def test_twenty_employees_racing_for_the_last_unit_of_one_size_get_one(give_points, deadlock_retries):
    hoodie, sizes = hoodie_with_sizes(S=1, M=50)
    users = UserFactory.create_batch(20)
    for user in users:
        give_points(user, 300)
    from orders.services import OrderDetails

    details = OrderDetails(option_id=sizes["S"], delivery_address=ADDRESS)
    outcomes = run_concurrently(
        order_redeem, [{"user_id": u.pk, "product_id": hoodie.pk, "details": details} for u in users]
    )

    orders = [o for o in outcomes if isinstance(o, Order)]
    refusals = [o for o in outcomes if isinstance(o, OutOfStock)]
    assert (len(orders), len(refusals)) == (1, 19), outcomes
    assert {r.message for r in refusals} == {"“Hoodie” in S is out of stock; choose another option."}
    assert ProductOption.objects.get(pk=sizes["S"]).stock_quantity == 0
    assert ProductOption.objects.get(pk=sizes["M"]).stock_quantity == 50
    assert Product.objects.get(pk=hoodie.pk).stock_quantity == 50
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


def test_cancels_racing_redemptions_of_the_same_employee_keep_the_ledger_clean(employee, give_points, deadlock_retries):
    give_points(employee, 600)
    product = ProductFactory(points_cost=100, stock_quantity=3)
    placed = [order_redeem(user_id=employee.pk, product_id=product.pk) for _ in range(3)]  # 300 left, 0 in stock

    calls = [{"step": "cancel", "order_id": o.pk} for o in placed] + [{"step": "redeem", "order_id": None}] * 6

    def race(*, step: str, order_id: str | None):
        if step == "cancel":
            return order_cancel(order_id=order_id, cancelled_by_id=employee.pk)
        return order_redeem(user_id=employee.pk, product_id=product.pk)

    outcomes = run_concurrently(race, calls)

    assert sum(isinstance(o, CancelOutcome) and o.cancelled_now for o in outcomes) == 3
    new_orders = sum(isinstance(o, Order) for o in outcomes)
    assert 0 <= new_orders <= 3  # only units a cancel had put back could be sold again
    assert Product.objects.get(pk=product.pk).stock_quantity == 3 - new_orders
    assert UserPoints.objects.get(pk=employee.pk).current_points == 600 - 100 * new_orders
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


def test_codes_are_never_handed_out_twice_while_redemptions_and_a_file_load_race(
    give_points, fulfilment_staff, deadlock_retries
):
    card = ProductFactory(points_cost=10, stock_quantity=100, delivery_method="digital")
    voucher_codes_import(product_id=card.pk, codes=[f"OLD-{n}" for n in range(4)], added_by_id=fulfilment_staff.pk)
    users = UserFactory.create_batch(12)
    for user in users:
        give_points(user, 10)

    def race(*, user_id: str | None):
        if user_id is None:
            return voucher_codes_import(
                product_id=card.pk, codes=[f"NEW-{n}" for n in range(4)], added_by_id=fulfilment_staff.pk
            )
        return order_redeem(user_id=user_id, product_id=card.pk)

    outcomes = run_concurrently(race, [{"user_id": u.pk} for u in users] + [{"user_id": None}])

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assigned = list(VoucherCode.objects.filter(order__isnull=False).values_list("order_id", flat=True))
    assert len(assigned) == len(set(assigned)) == 8
    assert Order.objects.filter(status="Delivered").count() == 8
    assert Order.objects.filter(status="Placed").count() == 4
    assert_ledger_consistent()
    assert deadlock_retries.count == 0
