"""Placed → Processing → Shipped (or Ready for pickup) → Delivered, each step recorded once."""

import pytest

from orders.exceptions import InvalidStatusChange
from orders.models import Order, OrderStatusChange
from orders.selectors import order_timeline
from orders.services import order_cancel, order_redeem, order_status_change
from tests.factories import ProductFactory
from tests.orders.fulfilment import pickup_order, shipped_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(employee, give_points):
    give_points(employee, 5000)
    shipped = shipped_order(employee, ProductFactory(delivery_method="shipped"))
    pickup = pickup_order(employee, ProductFactory(delivery_method="pickup"))
    digital = order_redeem(user_id=employee.pk, product_id=ProductFactory(delivery_method="digital").pk)
    return shipped, pickup, digital


def statuses(*orders) -> list[str]:
    return [Order.objects.get(pk=order.pk).status for order in orders]


def test_a_shipped_order_goes_from_placed_to_delivered_with_each_step_in_its_history(orders, fulfilment_staff):
    shipped = orders[0]
    by = fulfilment_staff.pk

    order_status_change(order_ids=[shipped.pk], to_status="Processing", changed_by_id=by)
    order_status_change(
        order_ids=[shipped.pk],
        to_status="Shipped",
        changed_by_id=by,
        carrier="DHL",
        tracking_numbers={shipped.pk: "JD1"},
    )
    order_status_change(order_ids=[shipped.pk], to_status="Delivered", changed_by_id=by)

    stored = Order.objects.get(pk=shipped.pk)
    assert (stored.status, stored.carrier, stored.tracking_number) == ("Delivered", "DHL", "JD1")
    steps = [(s.from_status, s.to_status, s.changed_by_id) for s in OrderStatusChange.objects.filter(order=shipped)]
    assert steps == [("Placed", "Processing", by), ("Processing", "Shipped", by), ("Shipped", "Delivered", by)]
    assert [step.label for step in order_timeline(order=stored)] == ["Placed", "Processing", "Shipped", "Delivered"]


def test_a_bulk_step_moves_the_orders_it_fits_and_says_why_not_for_the_others(orders, fulfilment_staff):
    shipped, pickup, digital = orders
    order_status_change(order_ids=[shipped.pk, pickup.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)

    outcome = order_status_change(
        order_ids=[shipped.pk, pickup.pk, digital.pk], to_status="Ready for pickup", changed_by_id=fulfilment_staff.pk
    )

    assert [o.pk for o in outcome.changed] == [pickup.pk]
    refused = {order.pk: reason for order, reason in outcome.refused}
    assert refused == {shipped.pk: "it is shipped to an address", digital.pk: "it is digital: a code or link"}
    assert statuses(*orders) == ["Processing", "Ready for pickup", "Placed"]


def test_a_repeated_step_changes_nothing_and_records_nothing(orders, fulfilment_staff):
    shipped = orders[0]
    order_status_change(order_ids=[shipped.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)

    again = order_status_change(order_ids=[shipped.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)

    assert (again.changed, [o.pk for o in again.already]) == ([], [shipped.pk])
    assert OrderStatusChange.objects.filter(order=shipped).count() == 1


def test_shipping_needs_the_carrier_and_every_orders_tracking_number(orders, fulfilment_staff):
    shipped = orders[0]
    order_status_change(order_ids=[shipped.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)

    with pytest.raises(InvalidStatusChange, match="Say which carrier ships the orders."):
        order_status_change(
            order_ids=[shipped.pk],
            to_status="Shipped",
            changed_by_id=fulfilment_staff.pk,
            tracking_numbers={shipped.pk: "1"},
        )
    with pytest.raises(InvalidStatusChange, match=f"Give the tracking number of order {shipped.short_number}."):
        order_status_change(
            order_ids=[shipped.pk], to_status="Shipped", changed_by_id=fulfilment_staff.pk, carrier="DHL"
        )

    assert statuses(shipped) == ["Processing"]


def test_steps_cannot_skip_ahead_go_back_or_cancel(orders, fulfilment_staff, employee):
    shipped, _pickup, digital = orders
    by = fulfilment_staff.pk

    skip = order_status_change(order_ids=[shipped.pk], to_status="Delivered", changed_by_id=by)
    cancel = order_status_change(order_ids=[shipped.pk], to_status="Cancelled", changed_by_id=by)
    code_less = order_status_change(order_ids=[digital.pk], to_status="Delivered", changed_by_id=by)
    order_cancel(order_id=shipped.pk, cancelled_by_id=employee.pk)
    after_cancel = order_status_change(order_ids=[shipped.pk], to_status="Processing", changed_by_id=by)

    assert skip.refused[0][1] == "it is placed"
    assert cancel.refused[0][1] == "cancelling refunds the points: use Cancel"
    assert code_less.refused[0][1] == "a digital order is delivered by attaching its code"
    assert after_cancel.refused[0][1] == "it is cancelled"
    assert statuses(shipped, digital) == ["Cancelled", "Placed"]
