"""Digital rewards: codes handed out one per order, seen only by their employee and fulfilment."""

import pytest

from orders.exceptions import InvalidVoucherCode
from orders.models import Order, VoucherCode
from orders.services import order_code_attach, order_redeem, voucher_codes_import
from tests.factories import ProductFactory
from tests.ledger import assert_ledger_consistent

pytestmark = pytest.mark.django_db


@pytest.fixture
def gift_card(db):
    return ProductFactory(name="Gift card", points_cost=100, stock_quantity=10, delivery_method="digital")


def code_of(order) -> str | None:
    return VoucherCode.objects.filter(order_id=order.pk).values_list("code", flat=True).first()


def test_an_order_takes_the_oldest_free_code_and_is_delivered_at_once(employee, give_points, gift_card, hr_user):
    give_points(employee, 1000)
    voucher_codes_import(product_id=gift_card.pk, codes=["CARD-1", "CARD-2"], added_by_id=hr_user.pk)

    first = order_redeem(user_id=employee.pk, product_id=gift_card.pk)
    second = order_redeem(user_id=employee.pk, product_id=gift_card.pk)
    third = order_redeem(user_id=employee.pk, product_id=gift_card.pk)

    assert (code_of(first), code_of(second), code_of(third)) == ("CARD-1", "CARD-2", None)
    assert [Order.objects.get(pk=o.pk).status for o in (first, second, third)] == ["Delivered", "Delivered", "Placed"]
    assert first.status_changes.get().note == "Code handed out"
    assert_ledger_consistent()


def test_loading_codes_hands_them_to_waiting_orders_and_the_same_file_twice_adds_nothing(
    employee, give_points, gift_card, fulfilment_staff
):
    give_points(employee, 1000)
    waiting = [order_redeem(user_id=employee.pk, product_id=gift_card.pk) for _ in range(2)]

    loaded = voucher_codes_import(product_id=gift_card.pk, codes=["A", "B", "C", "A"], added_by_id=fulfilment_staff.pk)
    again = voucher_codes_import(product_id=gift_card.pk, codes=["A", "B", "C"], added_by_id=fulfilment_staff.pk)

    assert (loaded.added, loaded.already_loaded, loaded.handed_out) == (3, 0, 2)
    assert (again.added, again.already_loaded, again.handed_out) == (0, 3, 0)
    assert [code_of(order) for order in waiting] == ["A", "B"]
    assert VoucherCode.objects.filter(order__isnull=True).values_list("code", flat=True).get() == "C"


def test_codes_are_compared_exactly(employee, gift_card, fulfilment_staff):
    outcome = voucher_codes_import(product_id=gift_card.pk, codes=["abc", "ABC"], added_by_id=fulfilment_staff.pk)

    assert outcome.added == 2


def test_fulfilment_attaches_a_code_to_a_waiting_order_once(employee, give_points, gift_card, fulfilment_staff):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=gift_card.pk)

    order_code_attach(order_id=order.pk, code="https://gift.example/r/Q7", attached_by_id=fulfilment_staff.pk)
    order_code_attach(order_id=order.pk, code="https://gift.example/r/Q7", attached_by_id=fulfilment_staff.pk)

    assert code_of(order) == "https://gift.example/r/Q7"
    assert Order.objects.get(pk=order.pk).status == "Delivered"
    assert order.status_changes.count() == 1
    with pytest.raises(InvalidVoucherCode, match="has a code already"):
        order_code_attach(order_id=order.pk, code="OTHER", attached_by_id=fulfilment_staff.pk)


@pytest.mark.parametrize(
    ("product_fields", "code", "message"),
    [
        ({"delivery_method": "shipped"}, "X", "is not a digital reward"),
        ({}, "  ", "Give the code or link."),
        ({}, "x" * 301, "The code can be at most 300 characters."),
    ],
)
def test_codes_are_refused_for_what_cannot_take_them(
    employee, give_points, fulfilment_staff, product_fields, code, message
):
    from orders.services import OrderDetails

    give_points(employee, 1000)
    product = ProductFactory(**product_fields)
    details = OrderDetails(delivery_address="1 Road") if product.delivery == "shipped" else None
    order = order_redeem(user_id=employee.pk, product_id=product.pk, details=details)

    with pytest.raises(InvalidVoucherCode, match=message):
        order_code_attach(order_id=order.pk, code=code, attached_by_id=fulfilment_staff.pk)
    assert not VoucherCode.objects.exists()


def test_a_code_already_handed_out_is_not_attached_again(employee, give_points, gift_card, fulfilment_staff):
    give_points(employee, 1000)
    voucher_codes_import(product_id=gift_card.pk, codes=["ONLY"], added_by_id=fulfilment_staff.pk)
    order_redeem(user_id=employee.pk, product_id=gift_card.pk)
    waiting = order_redeem(user_id=employee.pk, product_id=gift_card.pk)

    with pytest.raises(InvalidVoucherCode, match="already used for this product"):
        order_code_attach(order_id=waiting.pk, code="ONLY", attached_by_id=fulfilment_staff.pk)


def test_codes_are_only_for_digital_products(fulfilment_staff):
    shipped = ProductFactory(name="Mug", delivery_method="shipped")

    with pytest.raises(InvalidVoucherCode, match="“Mug” is not a digital reward, so it takes no codes."):
        voucher_codes_import(product_id=shipped.pk, codes=["X"], added_by_id=fulfilment_staff.pk)
