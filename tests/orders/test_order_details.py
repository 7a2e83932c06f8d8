"""What an order needs, by product: an option with its own stock, an address or a desk, a note."""

import pytest
from django.urls import reverse

from orders.exceptions import InvalidOrderDetails
from orders.models import Order
from orders.services import OrderDetails, order_redeem
from points.models import UserPoints
from shop.exceptions import InvalidOption, OutOfStock, StockFromOptions
from shop.models import Product, ProductOption
from shop.services import product_option_create, product_option_update, product_stock_set, product_update
from tests.factories import ProductFactory
from tests.ledger import assert_ledger_consistent
from tests.orders.fulfilment import ADDRESS, DESK, hoodie_with_sizes, shipped_order

pytestmark = pytest.mark.django_db


def nothing_charged(user, balance: int) -> None:
    assert UserPoints.objects.get(pk=user.pk).current_points == balance
    assert not Order.objects.exists()


def test_a_shipped_product_takes_the_address_and_the_order_keeps_it(employee, give_points):
    give_points(employee, 1000)
    product = ProductFactory(delivery_method="shipped")

    order = shipped_order(employee, product, address="  Emma Foster\r\n12 Harbour Street  ")

    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.delivery_method) == ("Placed", "shipped")
    assert stored.delivery_address == "Emma Foster\n12 Harbour Street"
    assert stored.pickup_location is None


@pytest.mark.parametrize(
    ("method", "details", "message"),
    [
        ("shipped", OrderDetails(), "Say where “Lamp” should be shipped: give your address."),
        ("shipped", OrderDetails(delivery_address="   "), "Say where “Lamp” should be shipped: give your address."),
        ("shipped", OrderDetails(delivery_address=ADDRESS, pickup_location=DESK), "“Lamp” is not picked up"),
        ("pickup", OrderDetails(), "Say where you will pick up “Lamp”: your office and desk."),
        ("pickup", OrderDetails(pickup_location=DESK, delivery_address=ADDRESS), "“Lamp” is not shipped"),
        ("digital", OrderDetails(delivery_address=ADDRESS), "“Lamp” is not shipped, so it takes no address."),
        ("digital", OrderDetails(note="For Oxfam"), "“Lamp” asks no question, so it takes no note."),
        ("shipped", OrderDetails(delivery_address="x" * 501), "The address can be at most 500 characters."),
        ("pickup", OrderDetails(pickup_location="desk\n4"), "The pickup location contains characters"),
        ("shipped", OrderDetails(delivery_address="12 Road\x00"), "The address contains characters"),
    ],
)
def test_an_order_without_what_its_product_needs_is_refused_and_charges_nothing(
    employee, give_points, method, details, message
):
    give_points(employee, 1000)
    product = ProductFactory(name="Lamp", delivery_method=method, stock_quantity=4)

    with pytest.raises(InvalidOrderDetails) as refusal:
        order_redeem(user_id=employee.pk, product_id=product.pk, details=details)

    assert refusal.value.message.startswith(message)
    nothing_charged(employee, 1000)
    assert Product.objects.get(pk=product.pk).stock_quantity == 4


def test_a_product_that_asks_a_question_needs_the_answer(employee, give_points):
    give_points(employee, 1000)
    product = ProductFactory(name="Donation", note_prompt="Which charity should receive it?")

    with pytest.raises(InvalidOrderDetails, match="Answer the question for “Donation”: Which charity"):
        order_redeem(user_id=employee.pk, product_id=product.pk)
    order = order_redeem(
        user_id=employee.pk, product_id=product.pk, details=OrderDetails(note="Médecins Sans Frontières")
    )

    assert Order.objects.get(pk=order.pk).note == "Médecins Sans Frontières"


def test_the_option_picked_loses_a_unit_and_the_product_keeps_the_sum(employee, give_points):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(S=2, M=3)
    assert hoodie.stock_quantity == 5

    order = shipped_order(employee, hoodie, option_id=sizes["M"])

    assert Order.objects.get(pk=order.pk).option_id == sizes["M"]
    assert ProductOption.objects.get(pk=sizes["M"]).stock_quantity == 2
    assert ProductOption.objects.get(pk=sizes["S"]).stock_quantity == 2
    assert Product.objects.get(pk=hoodie.pk).stock_quantity == 4
    assert_ledger_consistent()


def test_a_sold_out_option_is_refused_while_other_options_are_left(employee, give_points):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(S=0, M=3)

    with pytest.raises(OutOfStock, match="“Hoodie” in S is out of stock; choose another option."):
        shipped_order(employee, hoodie, option_id=sizes["S"])

    nothing_charged(employee, 1000)
    assert Product.objects.get(pk=hoodie.pk).stock_quantity == 3


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (None, "Choose an option of “Hoodie”."),
        ("", "Choose an option of “Hoodie”."),
        ("no-such-option", "That option is not one of “Hoodie”'s."),
        ("other", "That option is not one of “Hoodie”'s."),
    ],
)
def test_a_product_with_options_needs_one_of_its_own(employee, give_points, option, message):
    give_points(employee, 1000)
    hoodie, _sizes = hoodie_with_sizes()
    _cap, cap_sizes = hoodie_with_sizes(L=5)
    option_id = cap_sizes["L"] if option == "other" else option

    with pytest.raises(InvalidOption, match=message):
        shipped_order(employee, hoodie, option_id=option_id)

    nothing_charged(employee, 1000)


def test_an_option_for_a_product_without_options_is_refused(employee, give_points):
    give_points(employee, 1000)
    product = ProductFactory(name="Mug")

    with pytest.raises(InvalidOption, match="“Mug” has no options to choose from."):
        order_redeem(user_id=employee.pk, product_id=product.pk, details=OrderDetails(option_id="x"))


def test_the_stock_of_a_product_with_options_is_set_on_the_options():
    hoodie, sizes = hoodie_with_sizes(S=2, M=3)

    with pytest.raises(StockFromOptions, match="“Hoodie” is the sum of its options' stock"):
        product_update(product_id=hoodie.pk, changes={"stock_quantity": 50}, stock_seen=5)
    with pytest.raises(StockFromOptions):
        product_stock_set(product_ids=[hoodie.pk], quantity=50)
    product_option_update(option_id=sizes["S"], changes={"stock_quantity": 10}, stock_seen=2)

    assert Product.objects.get(pk=hoodie.pk).stock_quantity == 13
    assert_ledger_consistent()


def test_an_option_restock_needs_the_level_the_editor_saw(employee, give_points):
    from shop.exceptions import StockChanged

    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(S=2, M=3)
    shipped_order(employee, hoodie, option_id=sizes["M"])  # 3 → 2 while the editor looked at 3

    with pytest.raises(StockChanged, match="changed to 2 while you were editing"):
        product_option_update(option_id=sizes["M"], changes={"stock_quantity": 10}, stock_seen=3)

    assert ProductOption.objects.get(pk=sizes["M"]).stock_quantity == 2


def test_option_names_are_unique_per_product_ignoring_case():
    hoodie, _sizes = hoodie_with_sizes(M=1)

    with pytest.raises(InvalidOption, match="already has an option called “m”"):
        product_option_create(product_id=hoodie.pk, name="m", stock_quantity=1)
    with pytest.raises(InvalidOption, match="Give the option a name"):
        product_option_create(product_id=hoodie.pk, name="  ", stock_quantity=1)


def test_options_change_only_through_the_services():
    hoodie, sizes = hoodie_with_sizes(M=1)

    with pytest.raises(RuntimeError, match="Products change only through shop.services"):
        ProductOption.objects.filter(pk=sizes["M"]).update(stock_quantity=99)
    option = ProductOption.objects.get(pk=sizes["M"])
    option.stock_quantity = 99
    with pytest.raises(RuntimeError, match="Products change only through shop.services"):
        option.save()


@pytest.mark.mysql_only  # SQLite matches ids byte for byte: there another spelling is no option at all
def test_an_option_id_in_another_letter_case_is_stored_as_the_option_s_own_id(employee, give_points, employee_api):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(S=2, M=3)

    order = shipped_order(employee, hoodie, option_id=sizes["M"].upper())
    answer = employee_api.post(
        "/api/v1/orders",
        {"product_id": hoodie.pk, "option_id": sizes["S"].upper(), "delivery_address": ADDRESS},
        format="json",
    )

    assert Order.objects.get(pk=order.pk).option_id == sizes["M"]
    assert order.option_id == sizes["M"]
    assert answer.status_code == 201
    assert answer.json()["order"]["option"]["id"] == sizes["S"]
    assert Order.objects.get(pk=answer.json()["order"]["id"]).option_id == sizes["S"]
    assert_ledger_consistent()


@pytest.mark.parametrize(
    ("carrier", "link"),
    [
        ("DHL", "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?submit=1&amp;tracking-id=JD%2F0145"),
        ("royal mail", "https://www.royalmail.com/track-your-item#/tracking-results/JD%2F0145"),
        ("Pigeon Post", None),
    ],
)
def test_the_employee_follows_the_parcel_on_the_carrier_s_site(
    client, employee, give_points, fulfilment_staff, carrier, link
):
    # Issue 30: the tracking number was plain text.
    from orders.services import order_status_change

    give_points(employee, 1000)
    order = shipped_order(employee, ProductFactory(delivery_method="shipped"))
    order_status_change(order_ids=[order.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)
    order_status_change(
        order_ids=[order.pk],
        to_status="Shipped",
        changed_by_id=fulfilment_staff.pk,
        carrier=carrier,
        tracking_numbers={order.pk: "JD/0145"},
    )
    client.force_login(employee)

    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()

    if link:
        assert f'<a href="{link}" rel="noopener noreferrer" target="_blank">JD/0145' in page
    else:
        assert "JD/0145" in page and "tracking-results" not in page and "tracking-id" not in page
