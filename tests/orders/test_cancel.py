"""Cancellation: the points come back through the ledger, the unit back in stock, once."""

import pytest

from orders.exceptions import InvalidOrderDetails, OrderNotCancellable, OrderNotFound
from orders.models import Order, OrderStatusChange
from orders.services import order_cancel, order_redeem, order_status_change
from points.models import PointsTransaction, UserPoints
from shop.models import Product, ProductOption
from shop.selectors import catalog_version_get
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent
from tests.orders.fulfilment import hoodie_with_sizes, shipped_order

pytestmark = pytest.mark.django_db


def balance_of(user) -> tuple[int, int, int]:
    row = UserPoints.objects.get(pk=user.pk)
    return row.current_points, row.total_earned, row.total_redeemed


def test_the_employee_cancels_a_placed_order_and_gets_points_and_stock_back(employee, give_points):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(M=3)
    order = shipped_order(employee, hoodie, option_id=sizes["M"])
    assert balance_of(employee) == (700, 1000, 300)

    outcome = order_cancel(order_id=order.pk, cancelled_by_id=employee.pk, reason="Wrong size")

    assert outcome.cancelled_now
    assert Order.objects.get(pk=order.pk).status == "Cancelled"
    # total_redeemed counts what the orders that stand cost: the refund takes it back down.
    assert balance_of(employee) == (1000, 1000, 0)
    refund = PointsTransaction.objects.get(transaction_type="refunded")
    assert (refund.user_id, refund.points_amount, refund.order_id, refund.balance_after) == (
        employee.pk,
        300,
        order.pk,
        1000,
    )
    assert refund.description == f"Refund: order {order.short_number} (Hoodie) cancelled"
    assert ProductOption.objects.get(pk=sizes["M"]).stock_quantity == 3
    assert Product.objects.get(pk=hoodie.pk).stock_quantity == 3
    change = OrderStatusChange.objects.get(order=order)
    assert (change.from_status, change.to_status, change.changed_by_id, change.note) == (
        "Placed",
        "Cancelled",
        employee.pk,
        "Wrong size",
    )
    assert_ledger_consistent()


def test_cancelling_twice_refunds_once(employee, give_points):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=300).pk)

    first = order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)
    second = order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    assert (first.cancelled_now, second.cancelled_now, second.refund) == (True, False, None)
    assert PointsTransaction.objects.filter(transaction_type="refunded").count() == 1
    assert balance_of(employee) == (1000, 1000, 0)
    assert_ledger_consistent()


def test_the_employee_cannot_cancel_once_fulfilment_started(employee, give_points, fulfilment_staff):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=300).pk)
    order_status_change(order_ids=[order.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)

    with pytest.raises(OrderNotCancellable) as refusal:
        order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    assert refusal.value.message == (
        f"Order {order.short_number} is processing, so it can no longer be cancelled. "
        "Ask the fulfilment team if something is wrong with it."
    )
    # The status as a code, as every enum of the API is; the label stays beside it for v1.
    assert (refusal.value.details["status_code"], refusal.value.details["status"]) == ("processing", "Processing")
    assert balance_of(employee) == (700, 1000, 300)
    assert not PointsTransaction.objects.filter(transaction_type="refunded").exists()


def test_fulfilment_staff_cancel_a_processing_order_with_a_reason(employee, give_points, fulfilment_staff):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=300).pk)
    order_status_change(order_ids=[order.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)

    with pytest.raises(InvalidOrderDetails, match="Give a reason for the cancellation"):
        order_cancel(order_id=order.pk, cancelled_by_id=fulfilment_staff.pk, by_staff=True)
    outcome = order_cancel(
        order_id=order.pk, cancelled_by_id=fulfilment_staff.pk, reason="Supplier discontinued it", by_staff=True
    )

    assert outcome.cancelled_now
    assert balance_of(employee) == (1000, 1000, 0)
    assert OrderStatusChange.objects.filter(order=order).last().note == "Supplier discontinued it"
    assert_ledger_consistent()


def test_nobody_cancels_a_shipped_order(employee, give_points, fulfilment_staff):
    give_points(employee, 1000)
    order = shipped_order(employee, ProductFactory(points_cost=300, delivery_method="shipped"))
    order_status_change(order_ids=[order.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)
    order_status_change(
        order_ids=[order.pk],
        to_status="Shipped",
        changed_by_id=fulfilment_staff.pk,
        carrier="DHL",
        tracking_numbers={order.pk: "JD0001"},
    )

    with pytest.raises(OrderNotCancellable, match="is shipped, so it can no longer be cancelled"):
        order_cancel(order_id=order.pk, cancelled_by_id=fulfilment_staff.pk, reason="Too late", by_staff=True)

    assert Order.objects.get(pk=order.pk).status == "Shipped"
    assert balance_of(employee) == (700, 1000, 300)


def test_an_employee_cannot_cancel_someone_elses_order(employee, give_points):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory().pk)
    other = UserFactory()

    with pytest.raises(OrderNotFound):
        order_cancel(order_id=order.pk, cancelled_by_id=other.pk)
    with pytest.raises(OrderNotFound):
        order_cancel(order_id="no-such-order", cancelled_by_id=employee.pk)

    assert Order.objects.get(pk=order.pk).status == "Placed"


def test_cancelling_the_order_that_sold_a_product_out_puts_it_back_in_the_catalog(employee, give_points):
    give_points(employee, 1000)
    product = ProductFactory(points_cost=100, stock_quantity=1)
    order = order_redeem(user_id=employee.pk, product_id=product.pk)
    sold_out_version = catalog_version_get()

    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    assert Product.objects.get(pk=product.pk).stock_quantity == 1
    assert catalog_version_get() > sold_out_version  # cached lists offer it again at once


def test_a_cancelled_order_of_a_product_no_longer_offered_still_refunds(employee, give_points):
    from shop.services import product_active_set

    give_points(employee, 1000)
    product = ProductFactory(points_cost=100, stock_quantity=5)
    order = order_redeem(user_id=employee.pk, product_id=product.pk)
    product_active_set(product_ids=[product.pk], is_active=False)

    assert order_cancel(order_id=order.pk, cancelled_by_id=employee.pk).cancelled_now
    assert balance_of(employee) == (1000, 1000, 0)
    assert_ledger_consistent()
