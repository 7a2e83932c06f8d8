"""What the attack on the order lifecycle found, each a test written before its fix."""

import io
import uuid

import pytest
from django.urls import reverse

from orders.csv_codes import CodeFileRefused, code_file_read
from orders.models import Order
from orders.services import OrderDetails, order_cancel, order_code_attach, order_redeem, order_status_change
from shop.exceptions import InvalidOption
from shop.services import product_option_create
from tests.factories import ProductFactory
from tests.ledger import assert_ledger_consistent
from tests.orders.fulfilment import ADDRESS, DESK, hoodie_with_sizes

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(employee, give_points):
    give_points(employee, 1000)
    product = ProductFactory(points_cost=100, stock_quantity=5, delivery_method="pickup")
    return order_redeem(user_id=employee.pk, product_id=product.pk, details=OrderDetails(pickup_location=DESK))


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("wrong\tsize", "The reason contains characters that cannot be printed."),
        ("y" * 501, "Ensure this value has at most 500 characters (it has 501)."),
    ],
)
def test_a_portal_cancel_with_a_bad_reason_says_why_and_cancels_nothing(client, employee, placed, reason, message):
    client.force_login(employee)

    response = client.post(
        reverse("orders:order_cancel", kwargs={"order_id": placed.pk}), {"reason": reason}, follow=True
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Order.objects.get(pk=placed.pk).status == "Placed"


def test_cancelling_an_order_from_before_the_product_had_options_keeps_stock_the_options_sum(employee, give_points):
    give_points(employee, 1000)
    product = ProductFactory(points_cost=100, stock_quantity=10, delivery_method="shipped")
    order = order_redeem(user_id=employee.pk, product_id=product.pk, details=OrderDetails(delivery_address=ADDRESS))
    product_option_create(product_id=product.pk, name="M", stock_quantity=3)

    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    assert_ledger_consistent()


def test_options_cannot_hold_more_than_a_product_may(db):
    hoodie, sizes = hoodie_with_sizes(S=1_000_000)

    with pytest.raises(InvalidOption, match="at most 1,000,000 units in all"):
        product_option_create(product_id=hoodie.pk, name="M", stock_quantity=1)
    assert_ledger_consistent()


@pytest.mark.parametrize("name", ["a\x07", "\u200b", "M\u202e"])
def test_option_names_refuse_invisible_and_control_characters(name):
    hoodie, _sizes = hoodie_with_sizes(S=1)

    with pytest.raises(InvalidOption):
        product_option_create(product_id=hoodie.pk, name=name, stock_quantity=1)


@pytest.mark.parametrize("address", ["12 Road\u202e", "\u200b", "1 Road\u2028Bristol"])
def test_order_texts_refuse_invisible_and_direction_characters(employee, give_points, address):
    from orders.exceptions import InvalidOrderDetails

    give_points(employee, 1000)
    product = ProductFactory(delivery_method="shipped")

    with pytest.raises(InvalidOrderDetails):
        order_redeem(user_id=employee.pk, product_id=product.pk, details=OrderDetails(delivery_address=address))


def codes_of(text: str) -> list[str]:
    upload = io.BytesIO(text.encode())
    return code_file_read(upload)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Voucher code,Expires\nVC-1,2027\nVC-2,2027\n", ["VC-1", "VC-2"]),
        ("code;expires\nSEMI-A;2027-01-01\nSEMI-B;2027-01-01\n", ["SEMI-A", "SEMI-B"]),
        ("product,code\nSpa,SPA-1\nSpa,SPA-2\n", ["SPA-1", "SPA-2"]),
        ("GIFT-1\nGIFT-2\n", ["GIFT-1", "GIFT-2"]),
        ("Codes\thint\nTAB-1\tx\n", ["TAB-1"]),
    ],
)
def test_a_code_file_takes_the_code_column_under_its_header_whatever_the_separator(text, codes):
    assert codes_of(text) == codes


@pytest.mark.parametrize("code", ["=cmd|' /C calc'!A0", "+1", "@SUM(1)"])
def test_a_code_file_refuses_cells_a_spreadsheet_would_run(code):
    with pytest.raises(CodeFileRefused, match="The code on line 2 starts with"):
        codes_of(f"code\n{code}\n")


def test_a_replayed_redemption_answers_its_own_balance_even_after_a_cancel(employee_api, employee, give_points):
    give_points(employee, 1000)
    product = ProductFactory(points_cost=300)
    key = str(uuid.uuid4())
    first = employee_api.post("/api/v1/orders", {"product_id": product.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    order_cancel(order_id=first.json()["order"]["id"], cancelled_by_id=employee.pk)

    replay = employee_api.post("/api/v1/orders", {"product_id": product.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert replay.json()["balance_after"] == first.json()["balance_after"] == 700


@pytest.mark.parametrize(
    "change",
    [{"option": "M"}, {"delivery_address": "Somewhere else 1"}],
)
def test_the_same_key_with_another_option_or_address_is_refused_not_answered_with_the_old_order(
    employee_api, employee, give_points, change
):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(S=2, M=2)
    key = str(uuid.uuid4())
    body = {"product_id": hoodie.pk, "option_id": sizes["S"], "delivery_address": ADDRESS}
    employee_api.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    body = {**body, "option_id": sizes[change["option"]]} if "option" in change else {**body, **change}

    response = employee_api.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_the_same_key_and_the_same_details_in_another_case_of_option_id_replays(employee_api, employee, give_points):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(S=2)
    key = str(uuid.uuid4())
    body = {"product_id": hoodie.pk, "option_id": sizes["S"], "delivery_address": ADDRESS}
    first = employee_api.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    replay = employee_api.post(
        "/api/v1/orders", {**body, "option_id": sizes["S"].upper()}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert replay.status_code == 201 and replay.json() == first.json()


@pytest.mark.parametrize("body", ["[]", "false", "0", '""'])
def test_a_cancel_body_that_is_not_an_object_is_a_400(employee_api, placed, body):
    response = employee_api.post(f"/api/v1/orders/{placed.pk}/cancel", body, content_type="application/json")

    assert response.status_code == 400
    assert Order.objects.get(pk=placed.pk).status == "Placed"


def test_attaching_the_same_code_again_says_so(client, fulfilment_staff, employee, give_points):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(delivery_method="digital").pk)
    order_code_attach(order_id=order.pk, code="GIFT-1", attached_by_id=fulfilment_staff.pk)
    client.force_login(fulfilment_staff)

    response = client.post(
        reverse("admin:orders_fulfilmentorder_changelist"),
        {
            "action": "attach_codes",
            "_selected_action": [order.pk],
            "apply": "1",
            f"code-{order.pk}": "GIFT-1",
            "queue": "all",
        },
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        f"Order {order.short_number} has this code already; nothing changed."
    ]


def test_a_cancelled_digital_order_is_refused_delivery_as_cancelled(employee, give_points, fulfilment_staff):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(delivery_method="digital").pk)
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    outcome = order_status_change(order_ids=[order.pk], to_status="Delivered", changed_by_id=fulfilment_staff.pk)

    assert outcome.refused[0][1] == "it is cancelled"


def test_a_step_over_a_selection_that_matches_nothing_says_so(client, fulfilment_staff):
    client.force_login(fulfilment_staff)

    response = client.post(
        reverse("admin:orders_fulfilmentorder_changelist") + "?queue=Cancelled",
        {"action": "mark_processing", "_selected_action": ["x"], "select_across": "1"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["No order matched the selection; nothing changed."]
