"""Hostile input at every form and endpoint: each value gets a clear refusal (a message, or a 4xx
with a JSON error) and changes nothing, or is accepted as the harmless text it is and shown escaped.
Never a 500."""

import json
from urllib.parse import quote

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from orders.models import Order
from points.models import PointsTransaction
from shop.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
STRINGS = [
    "",
    "   ",
    "x" * 10_000,
    "\x00",
    "nul\x00byte",
    "😀" * 300,
    "\u202etxt.exe\u200b",
    "Ω≈ç√∫˜µ≤≥÷",
    SCRIPT,
    "' OR '1'='1' --",
    "Robert'); DROP TABLE products;--",
    "../../etc/passwd",
    "%00%27",
    "{{ 7*7 }}",
]
NUMBERS = [-1, 0, -(2**31), 2**31, 10**30, 1.5, "1.5", "abc", "1e9", "NaN", "", None, True, [], {}]


def no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])


def json_error(response) -> None:
    no_server_error(response)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert body["error"]["code"] and body["error"]["message"]


def escaped(response) -> None:
    no_server_error(response)
    assert SCRIPT.encode() not in response.content


@pytest.mark.parametrize("value", STRINGS)
def test_catalog_filters_in_the_api_and_the_portal(employee_api, client, employee, value):
    ProductFactory()
    client.force_login(employee)
    for name in ("q", "category", "min_points", "max_points", "sort", "page", "page_size", "in_stock", "affordable"):
        no_server_error(employee_api.get("/api/v1/products", {name: value}))
        escaped(client.get("/", {name: value}))


@pytest.mark.parametrize("value", STRINGS)
def test_unknown_and_malformed_ids(employee_api, client, employee, value):
    client.force_login(employee)
    ident = quote(value, safe="") or "%20"
    for path in (f"/api/v1/products/{ident}", f"/api/v1/orders/{ident}"):
        response = employee_api.get(path)
        assert response.status_code in (404, 400)
        json_error(response)
    for path in (f"/products/{ident}/", f"/orders/{ident}/", f"/products/{ident}/redeem/"):
        response = client.get(path)
        no_server_error(response)
        assert response.status_code in (404, 301, 302)


@pytest.mark.parametrize("value", STRINGS + NUMBERS)
def test_redemption_bodies_and_keys_change_nothing(employee_api, employee, value):
    product = ProductFactory(points_cost=100)  # the employee has no points: nothing can be bought
    for body in ({"product_id": value}, {"product_id": product.pk, "extra": value}, value):
        json_error(employee_api.post("/api/v1/orders", body, format="json"))
    key = value if isinstance(value, str) and value.isascii() and "\x00" not in value else "k"
    json_error(employee_api.post("/api/v1/orders", {"product_id": product.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key))
    json_error(employee_api.post("/api/v1/orders", data=str(value)[:200] + "{", content_type="application/json"))
    assert not Order.objects.exists()


@pytest.mark.parametrize("amount", NUMBERS)
@pytest.mark.parametrize("reason", ["", "   ", "x" * 10_000, "nul\x00byte"])
def test_award_bodies_change_nothing(api_as, hr_staff, employee, amount, reason):
    hr = api_as(hr_staff)
    json_error(hr.post("/api/v1/awards", {"user_id": employee.pk, "amount": amount, "reason": "Fine"}, format="json"))
    json_error(hr.post("/api/v1/awards", {"user_id": employee.pk, "amount": 10, "reason": reason}, format="json"))
    assert not PointsTransaction.objects.exists()


@pytest.mark.parametrize("value", STRINGS)
def test_sign_in_forms_refuse_with_a_message(client, value):
    for path in (reverse("login"), reverse("admin:login")):
        response = client.post(path, {"username": value, "password": value})
        escaped(response)
        assert response.status_code in (200, 429)
    json_error(APIClient().post("/api/v1/auth/token", {"email": value, "password": value}, format="json"))


@pytest.mark.parametrize("value", STRINGS + [str(n) for n in NUMBERS])
def test_portal_redeem_form_changes_nothing(client, employee, value):
    product = ProductFactory(points_cost=100)
    client.force_login(employee)

    response = client.post(reverse("orders:redeem", args=[product.pk]), {"idempotency_key": value}, follow=True)

    escaped(response)
    assert response.context["messages"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("amount", [str(n) for n in NUMBERS])
def test_admin_award_form_refuses_bad_amounts(client, hr_staff, employee, amount):
    client.force_login(hr_staff)

    response = client.post(
        reverse("admin:points_employee_award", args=[employee.pk]), {"amount": amount, "reason": SCRIPT}
    )

    escaped(response)
    assert response.status_code == 200 and b"errorlist" in response.content
    assert not PointsTransaction.objects.exists()


@pytest.mark.parametrize("value", STRINGS)
def test_admin_employee_and_product_forms_refuse_or_escape(client, hr_staff, catalog_manager, value):
    client.force_login(hr_staff)
    before = Product.objects.count()
    escaped(client.post(reverse("admin:points_employee_add"), {"email": value, "first_name": value}))
    client.force_login(catalog_manager)
    response = client.post(
        reverse("admin:shop_product_add"), {"name": value, "points_cost": value, "stock_quantity": value}
    )
    escaped(response)
    assert Product.objects.count() == before


def test_accepted_text_is_shown_escaped_everywhere(client, employee, hr_staff, give_points):
    product = ProductFactory(name=SCRIPT, description=SCRIPT, category=SCRIPT, points_cost=10)
    give_points(employee, 100, reason=SCRIPT)
    client.force_login(employee)
    pages = ["/", product.get_absolute_url(), reverse("orders:redeem", args=[product.pk]), "/points/"]
    for page in pages:
        escaped(client.get(page))
    api_body = APIClient()
    api_body.force_authenticate(employee)
    assert json.loads(api_body.get(f"/api/v1/products/{product.pk}").content)["name"] == SCRIPT  # JSON, not HTML
    client.force_login(hr_staff)
    escaped(client.get(reverse("admin:points_pointstransaction_changelist")))


@pytest.mark.django_db
def test_a_csv_cell_with_a_semicolon_is_quoted_so_a_spreadsheet_splitting_on_it_runs_no_formula():
    """German Excel splits a CSV on ";": an unquoted "Desk 3;=cmd|..." became a cell "=cmd|..."."""
    from awsomeshop.csv_export import csv_response

    response = csv_response(filename="x.csv", header=["where", "points"], rows=[["Desk 3;=cmd|' /C calc'!A0", 5]])

    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[1] == "\"Desk 3;=cmd|' /C calc'!A0\",5"
