"""The API of an order's life: options and delivery on the way in, history, code and cancel."""

import uuid

import pytest

from orders.models import Order
from orders.services import order_redeem, order_status_change, voucher_codes_import
from points.models import UserPoints
from shop.models import ProductOption
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent
from tests.orders.fulfilment import ADDRESS, hoodie_with_sizes

pytestmark = pytest.mark.django_db


def redeem(client, product_id, **body):
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    return client.post("/api/v1/orders", {"product_id": product_id, **body}, format="json", **headers)


def error_of(response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def test_a_product_lists_its_options_with_their_stock_and_what_its_order_needs(employee_api):
    hoodie, sizes = hoodie_with_sizes(S=0, M=3)

    body = employee_api.get(f"/api/v1/products/{hoodie.pk}").json()

    assert body["options"] == [
        {"id": sizes["S"], "name": "S", "stock_quantity": 0, "in_stock": False},
        {"id": sizes["M"], "name": "M", "stock_quantity": 3, "in_stock": True},
    ]
    assert (body["delivery_method"], body["option_label"], body["note_prompt"]) == ("shipped", "Size", None)
    assert body["stock_quantity"] == 3


def test_redeeming_an_option_with_an_address_answers_the_order_with_both(employee_api, employee, give_points):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(M=3)

    response = redeem(employee_api, hoodie.pk, option_id=sizes["M"], delivery_address=ADDRESS)

    assert response.status_code == 201, response.json()
    order = response.json()["order"]
    assert (order["status"], order["option"], order["delivery_method"]) == (
        "Placed",
        {"id": sizes["M"], "name": "M"},
        "shipped",
    )
    assert ProductOption.objects.get(pk=sizes["M"]).stock_quantity == 2


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, (400, "invalid_option", "Choose an option of “Hoodie”.")),
        ({"option_id": "nope"}, (400, "invalid_option", "That option is not one of “Hoodie”'s.")),
        (
            {"option_id": "M"},
            (400, "invalid_order_details", "Say where “Hoodie” should be shipped: give your address."),
        ),
        (
            {"option_id": "M", "delivery_address": ADDRESS, "pickup_location": "Desk 4"},
            (400, "invalid_order_details", "“Hoodie” is not picked up, so it takes no pickup location."),
        ),
        (
            {"option_id": "S", "delivery_address": ADDRESS},
            (409, "out_of_stock", "“Hoodie” in S is out of stock; choose another option."),
        ),
    ],
)
def test_an_order_missing_what_it_needs_is_a_clear_4xx_that_charges_nothing(
    employee_api, employee, give_points, body, expected
):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(S=0, M=3)
    if body.get("option_id") in sizes:
        body = {**body, "option_id": sizes[body["option_id"]]}

    response = redeem(employee_api, hoodie.pk, **body)

    assert error_of(response) == expected
    assert UserPoints.objects.get(pk=employee.pk).current_points == 1000
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"delivery_address": 12},
        {"delivery_address": ["1 Road"]},
        {"note": {"nested": {"deeper": 1}}},
        {"option_id": 7},
        {"delivery_address": "x" * 501},
        {"status": "Delivered"},
    ],
)
def test_malformed_details_are_a_400_with_the_field_named(employee_api, employee, give_points, body):
    give_points(employee, 1000)
    product = ProductFactory(delivery_method="shipped")

    response = redeem(employee_api, product.pk, **body)

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == set(body)
    assert not Order.objects.exists()


def test_my_order_shows_its_history_delivery_details_and_tracking(
    employee_api, employee, give_points, fulfilment_staff
):
    give_points(employee, 1000)
    hoodie, sizes = hoodie_with_sizes(M=3)
    order_id = redeem(employee_api, hoodie.pk, option_id=sizes["M"], delivery_address=ADDRESS).json()["order"]["id"]
    order_status_change(order_ids=[order_id], to_status="Processing", changed_by_id=fulfilment_staff.pk)
    order_status_change(
        order_ids=[order_id],
        to_status="Shipped",
        changed_by_id=fulfilment_staff.pk,
        carrier="DHL",
        tracking_numbers={order_id: "JD014600006281"},
    )

    body = employee_api.get(f"/api/v1/orders/{order_id}").json()

    assert [step["status"] for step in body["history"]] == ["Placed", "Processing", "Shipped"]
    assert (body["status"], body["delivery_address"], body["carrier"], body["tracking_number"]) == (
        "Shipped",
        ADDRESS,
        "DHL",
        "JD014600006281",
    )
    assert (body["code"], body["cancellable"], body["option"]["name"]) == (None, False, "M")


def test_a_digital_orders_code_is_seen_by_its_employee_only(employee_api, api_as, employee, give_points, hr_user):
    give_points(employee, 1000)
    card = ProductFactory(delivery_method="digital")
    voucher_codes_import(product_id=card.pk, codes=["GIFT-7Q2X"], added_by_id=hr_user.pk)

    created = redeem(employee_api, card.pk).json()["order"]
    mine = employee_api.get(f"/api/v1/orders/{created['id']}").json()
    others = api_as(UserFactory()).get(f"/api/v1/orders/{created['id']}")
    listed = employee_api.get("/api/v1/orders").json()

    assert (created["status"], mine["code"]) == ("Delivered", "GIFT-7Q2X")
    assert others.status_code == 404
    assert "GIFT-7Q2X" not in str(listed) and "GIFT-7Q2X" not in others.content.decode()


def test_cancel_refunds_once_and_a_second_call_says_it_already_was(employee_api, employee, give_points):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=300).pk)

    first = employee_api.post(f"/api/v1/orders/{order.pk}/cancel", {"reason": "Changed my mind"}, format="json")
    second = employee_api.post(f"/api/v1/orders/{order.pk}/cancel")

    assert first.status_code == second.status_code == 200
    assert (first.json()["cancelled_now"], first.json()["refunded_points"], first.json()["status"]) == (
        True,
        300,
        "Cancelled",
    )
    assert (second.json()["cancelled_now"], second.json()["refunded_points"]) == (False, 0)
    assert [step["note"] for step in second.json()["history"]] == ["", "Changed my mind"]
    assert UserPoints.objects.get(pk=employee.pk).current_points == 1000
    assert_ledger_consistent()


def test_cancelling_too_late_is_a_409_and_someone_elses_order_a_404(
    employee_api, api_as, employee, give_points, fulfilment_staff
):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=300).pk)
    order_status_change(order_ids=[order.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)

    late = employee_api.post(f"/api/v1/orders/{order.pk}/cancel")
    stranger = api_as(UserFactory()).post(f"/api/v1/orders/{order.pk}/cancel")
    nonsense = employee_api.post("/api/v1/orders/%2e%2e/cancel")

    assert error_of(late)[:2] == (409, "order_not_cancellable")
    assert "is processing, so it can no longer be cancelled" in error_of(late)[2]
    assert stranger.status_code == nonsense.status_code == 404
    assert UserPoints.objects.get(pk=employee.pk).current_points == 700


@pytest.mark.parametrize("body", [{"reason": "x" * 501}, {"reason": 5}, {"refund": 1000}, ["reason"]])
def test_a_malformed_cancel_is_a_400_and_cancels_nothing(employee_api, employee, give_points, body):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=300).pk)

    response = employee_api.post(f"/api/v1/orders/{order.pk}/cancel", body, format="json")

    assert response.status_code == 400, response.json()
    assert Order.objects.get(pk=order.pk).status == "Placed"


def test_the_schema_documents_the_new_order_fields_and_cancel(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "/api/v1/orders/{order_id}/cancel" in schema["paths"]
    redeem_fields = schema["components"]["schemas"]["RedeemInput"]["properties"]
    assert {"option_id", "delivery_address", "pickup_location", "note"} <= set(redeem_fields)
    assert {"history", "code", "cancellable"} <= set(schema["components"]["schemas"]["OrderDetail"]["properties"])
    assert "options" in schema["components"]["schemas"]["ProductDetail"]["properties"]
