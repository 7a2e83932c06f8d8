"""The fulfilment queue in the admin: only the Fulfilment role works it, every step through the
services, and repeated submissions change nothing twice."""

import csv
import io
import re

import pytest
from django.urls import reverse

from orders.models import Order, VoucherCode
from orders.services import order_redeem, order_status_change
from points.models import PointsTransaction, UserPoints
from shop.models import Product
from tests.factories import ProductFactory
from tests.ledger import assert_ledger_consistent
from tests.orders.fulfilment import hoodie_with_sizes, pickup_order, shipped_order

pytestmark = pytest.mark.django_db
QUEUE = reverse("admin:orders_fulfilmentorder_changelist")


@pytest.fixture
def fulfilment(client, fulfilment_staff):
    client.force_login(fulfilment_staff)
    return client


@pytest.fixture
def placed(employee, give_points):
    give_points(employee, 10_000)
    hoodie, sizes = hoodie_with_sizes(M=5)
    return {
        "shipped": shipped_order(employee, hoodie, option_id=sizes["M"]),
        "pickup": pickup_order(employee, ProductFactory(name="Bottle", delivery_method="pickup")),
        "digital": order_redeem(user_id=employee.pk, product_id=ProductFactory(name="Card", points_cost=50).pk),
    }


def action(client, name: str, orders, **fields):
    data = {"action": name, "_selected_action": [o.pk for o in orders], **fields}
    return client.post(QUEUE, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def status_of(order) -> str:
    return Order.objects.get(pk=order.pk).status


def test_the_queue_shows_open_orders_oldest_first_with_where_they_go(fulfilment, placed, fulfilment_staff):
    order_status_change(order_ids=[placed["pickup"].pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)
    from orders.services import order_cancel

    order_cancel(order_id=placed["digital"].pk, cancelled_by_id=placed["digital"].user_id)

    html = fulfilment.get(QUEUE).content.decode()

    assert html.index(placed["shipped"].short_number) < html.index(placed["pickup"].short_number)
    assert placed["digital"].short_number not in html  # cancelled: off the to-do list
    assert "Emma Foster, 12 Harbour Street, Bristol BS1 4RN" in html
    assert "Bristol office, 3rd floor, desk 3.14" in html
    cancelled = fulfilment.get(QUEUE, {"queue": "Cancelled"}).content.decode()
    assert placed["digital"].short_number in cancelled
    # Issue 30: the footer counts orders, not "2 fulfilment queue".
    assert "2 orders" in html and "fulfilment queue\n" not in html.split('class="paginator"', 1)[1]


def test_mark_processing_then_shipped_with_tracking_numbers(fulfilment, placed):
    shipped = placed["shipped"]
    done = action(fulfilment, "mark_processing", [shipped])
    page = action(fulfilment, "mark_shipped", [shipped])
    assert "Tracking number of order" in page.content.decode()

    result = action(
        fulfilment, "mark_shipped", [shipped], apply="1", carrier="DHL", **{f"tracking-{shipped.pk}": "JD1"}
    )

    assert messages_of(done) == [f"1 marked processing: {shipped.short_number}."]
    assert messages_of(result) == [f"1 marked shipped: {shipped.short_number}."]
    stored = Order.objects.get(pk=shipped.pk)
    assert (stored.status, stored.carrier, stored.tracking_number) == ("Shipped", "DHL", "JD1")


def test_shipping_without_a_tracking_number_stays_on_the_page_and_ships_nothing(fulfilment, placed):
    shipped = placed["shipped"]
    action(fulfilment, "mark_processing", [shipped])

    response = action(fulfilment, "mark_shipped", [shipped], apply="1", carrier="DHL")

    assert f"Give the tracking number of order {shipped.short_number}." in response.content.decode()
    assert status_of(shipped) == "Processing"


def test_a_step_that_does_not_fit_says_why_and_a_repeat_changes_nothing(fulfilment, placed):
    action(fulfilment, "mark_processing", [placed["shipped"], placed["pickup"]])

    ready = action(fulfilment, "mark_ready_for_pickup", [placed["shipped"], placed["pickup"]])
    again = action(fulfilment, "mark_ready_for_pickup", [placed["pickup"]])

    assert messages_of(ready) == [
        f"1 marked ready for pickup: {placed['pickup'].short_number}.",
        f"Order {placed['shipped'].short_number} not marked ready for pickup: it is shipped to an address.",
    ]
    assert messages_of(again) == [f"Already ready for pickup, left as they were: {placed['pickup'].short_number}."]
    assert Order.objects.get(pk=placed["pickup"].pk).status_changes.count() == 2


def test_cancel_with_a_reason_refunds_once_however_often_it_is_submitted(fulfilment, placed, employee):
    order = placed["shipped"]
    form = action(fulfilment, "cancel_orders", [order])
    assert "Cancel and refund" in form.content.decode()

    first = action(fulfilment, "cancel_orders", [order], apply="1", reason="Discontinued")
    second = action(fulfilment, "cancel_orders", [order], apply="1", reason="Discontinued")

    assert messages_of(first) == [f"Order {order.short_number} cancelled: 300 points refunded to {employee.email}."]
    assert messages_of(second) == [f"Order {order.short_number} was already cancelled."]
    assert PointsTransaction.objects.filter(transaction_type="refunded").count() == 1
    assert UserPoints.objects.get(pk=employee.pk).current_points == 10_000 - 50 - 100
    assert_ledger_consistent()


def test_cancel_needs_a_reason(fulfilment, placed):
    response = action(fulfilment, "cancel_orders", [placed["shipped"]], apply="1", reason="")

    assert "This field is required." in response.content.decode()
    assert status_of(placed["shipped"]) == "Placed"


def test_attach_a_code_delivers_the_digital_order_and_skips_the_rest(fulfilment, placed):
    digital, shipped = placed["digital"], placed["shipped"]

    response = action(
        fulfilment,
        "attach_codes",
        [digital, shipped],
        apply="1",
        **{f"code-{digital.pk}": "GIFT-1", f"code-{shipped.pk}": "NOPE"},
    )

    assert messages_of(response) == [
        f"Order {shipped.short_number}: Order {shipped.short_number} is not a digital reward.",
        f"Codes attached, orders delivered: {digital.short_number}.",
    ]
    assert status_of(digital) == "Delivered"
    assert VoucherCode.objects.get().code == "GIFT-1"


def test_the_pick_list_lists_each_order_with_option_and_destination(fulfilment, placed):
    response = action(fulfilment, "pick_list", [placed["shipped"], placed["pickup"]])

    text = b"".join(response.streaming_content).decode()
    assert response["Content-Disposition"] == 'attachment; filename="pick-list.csv"'
    lines = text.splitlines()
    assert lines[0].lstrip("\ufeff").startswith("order,placed,employee,email,product,option,quantity,delivery,address")
    assert any(',"Hoodie","M",1,"shipped",' in line for line in lines)
    assert any("Bristol office, 3rd floor, desk 3.14" in line for line in lines)


def test_loading_a_file_of_codes_hands_them_to_waiting_orders(fulfilment, placed):
    card = Product.objects.get(name="Card")
    upload = io.BytesIO("\ufeffcode\nGIFT-1\nGIFT-2\nGIFT-2\n".encode())
    upload.name = "codes.csv"

    response = fulfilment.post(
        reverse("admin:orders_vouchercode_add"), {"product": card.pk, "file": upload}, follow=True
    )

    assert messages_of(response) == ["2 new codes loaded for “Card”; 1 handed out to orders that were waiting."]
    assert status_of(placed["digital"]) == "Delivered"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"code\n", "The file has no codes"),
        (b"\x00\x01PK", "This is not a CSV file"),
        ("code\nGIFT-é\n".encode("latin-1"), "The file is not UTF-8 text."),
    ],
)
def test_a_file_of_codes_that_cannot_be_read_says_why_and_loads_nothing(fulfilment, placed, content, message):
    upload = io.BytesIO(content)
    upload.name = "codes.csv"

    response = fulfilment.post(
        reverse("admin:orders_vouchercode_add"), {"product": Product.objects.get(name="Card").pk, "file": upload}
    )

    assert message in response.content.decode()
    assert not VoucherCode.objects.exists()


def test_hr_sees_orders_but_neither_the_queue_nor_any_code(client, hr_staff, placed, fulfilment_staff):
    from orders.services import order_code_attach

    order_code_attach(order_id=placed["digital"].pk, code="SECRET-CODE", attached_by_id=fulfilment_staff.pk)
    client.force_login(hr_staff)

    order_page = client.get(reverse("admin:orders_order_change", args=[placed["digital"].pk])).content.decode()
    export = b"".join(client.get(reverse("admin:orders_order_export")).streaming_content).decode()

    assert "SECRET-CODE" not in order_page and "SECRET-CODE" not in export
    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("admin:orders_vouchercode_changelist")).status_code == 403
    assert action(client, "cancel_orders", [placed["shipped"]], apply="1", reason="HR").status_code == 403
    assert status_of(placed["shipped"]) == "Placed"


def test_the_fulfilment_role_moves_no_points_products_or_employees(fulfilment, employee):
    assert fulfilment.get(reverse("admin:points_employee_changelist")).status_code == 403
    assert fulfilment.get(reverse("admin:points_employee_award", args=[employee.pk])).status_code == 403
    assert fulfilment.get(reverse("admin:shop_product_changelist")).status_code == 403
    assert fulfilment.get(reverse("admin:orders_order_changelist")).status_code == 403


def test_a_catalog_manager_keeps_options_and_the_products_stock_follows(client, catalog_manager):
    hoodie, sizes = hoodie_with_sizes(S=2, M=3)
    client.force_login(catalog_manager)

    added = client.post(
        reverse("admin:shop_productoption_add"),
        {"product": hoodie.pk, "name": "XL", "stock_quantity": 4, "position": 0},
    )
    change = reverse("admin:shop_productoption_change", args=[sizes["S"]])
    edited = client.post(change, {"name": "S", "stock_quantity": 6, "initial-stock_quantity": 2, "position": 0})
    product_page = client.get(reverse("admin:shop_product_change", args=[hoodie.pk])).content.decode()

    assert added.status_code == edited.status_code == 302
    assert Product.objects.get(pk=hoodie.pk).stock_quantity == 6 + 3 + 4
    assert hoodie.options.order_by("position").last().name == "XL"  # untouched position: last
    assert "S: 6, M: 3, XL: 4" in product_page
    assert 'name="stock_quantity"' not in product_page  # the sum is read-only on the product
    assert_ledger_consistent()


def test_shipping_a_placed_order_says_to_mark_it_processing_first_before_asking_for_anything(fulfilment, placed):
    # Issue 30: the form asked for carrier and tracking, then refused "it is placed" and lost them.
    shipped = placed["shipped"]

    response = action(fulfilment, "mark_shipped", [shipped])

    text = response.content.decode()
    assert f"Order {shipped.short_number} cannot be shipped: it is placed: mark it processing first." in text
    assert 'name="carrier"' not in text
    assert status_of(shipped) == "Placed"


def test_cancel_is_not_offered_for_an_order_that_shipped(fulfilment, placed):
    # Issue 30: the form was offered for shipped orders and refused only after submitting.
    shipped = placed["shipped"]
    action(fulfilment, "mark_processing", [shipped])
    action(fulfilment, "mark_shipped", [shipped], apply="1", carrier="DHL", **{f"tracking-{shipped.pk}": "JD1"})

    response = action(fulfilment, "cancel_orders", [shipped, placed["pickup"]])

    text = response.content.decode()
    assert f"Order {shipped.short_number} cannot be cancelled: it is shipped." in text
    assert "Cancel and refund" not in text
    assert status_of(shipped) == "Shipped" and status_of(placed["pickup"]) == "Placed"


# --- The order's own page (usability review) --------------------------------------------------
def order_page(client, order) -> str:
    return client.get(reverse("admin:orders_fulfilmentorder_change", args=[order.pk])).content.decode()


def steps_offered(html: str) -> list[str]:
    return re.findall(r'<button[^>]*name="action" value="(\w+)"', html)


def test_the_order_page_shows_the_short_number_and_one_mark_for_what_is_empty(fulfilment, placed):
    html = order_page(fulfilment, placed["pickup"])

    assert placed["pickup"].short_number in html
    assert "field-id" not in html  # the raw id is the database's, not what staff read out
    assert '<div class="readonly">-</div>' not in html
    assert '<div class="readonly">—</div>' in html  # no address, carrier or tracking number yet
    assert 'name="_save"' not in html and 'name="status"' not in html  # still read-only


@pytest.mark.parametrize(
    ("kind", "steps_before", "offered"),
    [
        ("shipped", [], ["mark_processing", "cancel_orders"]),
        ("shipped", ["Processing"], ["mark_shipped", "cancel_orders"]),
        ("pickup", ["Processing"], ["mark_ready_for_pickup", "cancel_orders"]),
        ("pickup", ["Processing", "Ready for pickup"], ["mark_delivered"]),
        ("digital", [], ["mark_processing", "attach_codes", "cancel_orders"]),
    ],
)
def test_the_order_page_offers_the_steps_that_fit_its_status(
    fulfilment, placed, fulfilment_staff, kind, steps_before, offered
):
    order = placed[kind]
    for status in steps_before:
        order_status_change(order_ids=[order.pk], to_status=status, changed_by_id=fulfilment_staff.pk)

    assert steps_offered(order_page(fulfilment, order)) == offered


def test_a_cancelled_order_page_offers_no_step(fulfilment, placed):
    order = placed["shipped"]
    action(fulfilment, "cancel_orders", [order], apply="1", reason="Discontinued")

    assert steps_offered(order_page(fulfilment, order)) == []


def test_a_step_from_the_order_page_asks_as_the_list_does_and_comes_back_to_the_order(fulfilment, placed, employee):
    order = placed["shipped"]
    html = order_page(fulfilment, order)
    assert f'name="_selected_action" value="{order.pk}"' in html
    from_page = {"from_order": order.pk}

    form = action(fulfilment, "cancel_orders", [order], **from_page)
    done = action(fulfilment, "cancel_orders", [order], apply="1", reason="Discontinued", **from_page)

    text = form.content.decode()
    assert "Cancel and refund" in text and "Cancel this order?" in text
    assert f'name="from_order" value="{order.pk}"' in text and "Back to the order" in text
    assert done.redirect_chain[-1][0] == reverse("admin:orders_fulfilmentorder_change", args=[order.pk])
    assert messages_of(done) == [f"Order {order.short_number} cancelled: 300 points refunded to {employee.email}."]


def test_a_step_without_a_form_comes_back_to_the_order_with_its_message(fulfilment, placed):
    order = placed["pickup"]

    done = action(fulfilment, "mark_processing", [order], from_order=order.pk)

    assert done.redirect_chain[-1][0] == reverse("admin:orders_fulfilmentorder_change", args=[order.pk])
    assert messages_of(done) == [f"1 marked processing: {order.short_number}."]
    assert status_of(order) == "Processing"


# --- The ship form: each error once, beside its box -----------------------------------------------
def test_a_missing_tracking_number_shows_once_beside_its_box_and_keeps_what_was_typed(
    fulfilment, employee, give_points
):
    give_points(employee, 1_000)
    hoodie, sizes = hoodie_with_sizes(M=2)
    typed, missing = (shipped_order(employee, hoodie, option_id=sizes["M"]) for _ in range(2))
    action(fulfilment, "mark_processing", [typed, missing])

    response = action(
        fulfilment, "mark_shipped", [typed, missing], apply="1", carrier="DHL", **{f"tracking-{typed.pk}": "JD1"}
    )

    html = response.content.decode()
    message = f"Give the tracking number of order {missing.short_number}."
    assert html.count(message) == 1
    box = html.index(f'name="tracking-{missing.pk}"')
    row = html[html.rindex("<tr>", 0, box) : html.index("</tr>", box)]
    assert message in row  # in the empty box's own row, nowhere else
    assert 'value="DHL"' in html and f'name="tracking-{typed.pk}" value="JD1"' in html
    assert status_of(typed) == status_of(missing) == "Processing"


def test_an_unreadable_tracking_number_is_refused_beside_its_own_box(fulfilment, placed):
    shipped = placed["shipped"]
    action(fulfilment, "mark_processing", [shipped])

    response = action(
        fulfilment, "mark_shipped", [shipped], apply="1", carrier="DHL", **{f"tracking-{shipped.pk}": "JD\x071"}
    )

    html = response.content.decode()
    message = f"The tracking number of order {shipped.short_number} contains characters that cannot be printed."
    assert html.count(message) == 1
    box = html.index(f'name="tracking-{shipped.pk}"')
    assert message in html[html.rindex("<tr>", 0, box) : html.index("</tr>", box)]
    assert status_of(shipped) == "Processing"


def test_a_missing_carrier_shows_once_beside_the_carrier_box(fulfilment, placed):
    shipped = placed["shipped"]
    action(fulfilment, "mark_processing", [shipped])

    response = action(fulfilment, "mark_shipped", [shipped], apply="1", carrier="", **{f"tracking-{shipped.pk}": "JD1"})

    html = response.content.decode()
    assert html.count("This field is required.") == 1
    assert 'value="JD1"' in html


# --- The pick list: how many of each to fetch ---------------------------------------------------
def test_the_pick_list_totals_each_product_and_option_after_the_orders(fulfilment, employee, give_points):
    give_points(employee, 10_000)
    hoodie, sizes = hoodie_with_sizes(S=2, M=3)
    bottle = ProductFactory(name="Bottle", delivery_method="pickup")
    orders = [
        *(shipped_order(employee, hoodie, option_id=sizes["M"]) for _ in range(3)),
        shipped_order(employee, hoodie, option_id=sizes["S"]),
        pickup_order(employee, bottle),
    ]

    response = action(fulfilment, "pick_list", orders)

    rows = list(csv.reader(b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()))
    header, body = rows[0], rows[1:]
    assert len([row for row in body if row and row[0] in {o.short_number for o in orders}]) == 5
    totals = [dict(zip(header, row, strict=False)) for row in body[body.index([]) + 1 :]]
    assert [(t["order"], t["product"], t["option"], t["quantity"]) for t in totals] == [
        ("Total to pick", "Bottle", "", "1"),
        ("Total to pick", "Hoodie", "S", "1"),
        ("Total to pick", "Hoodie", "M", "3"),
    ]
