"""Issue 30's API findings: order statuses as codes beside their labels (v1 keeps `status` as it
was), an unread count that reading does not change, the `unread` filter, and schema names a
mobile developer would choose."""

import pytest

from notifications.models import Notification
from notifications.services import notify
from notifications.words import words
from orders.services import order_redeem
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_an_order_s_status_comes_as_a_code_beside_its_v1_label(employee_api, employee, give_points):
    give_points(employee, 100)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=10).pk)

    listed = employee_api.get("/api/v1/orders").json()["results"][0]
    detail = employee_api.get(f"/api/v1/orders/{order.pk}").json()

    assert (listed["status_code"], listed["status"]) == ("placed", "Placed")
    assert (detail["status_code"], detail["history"][0]["status_code"]) == ("placed", "placed")


def test_the_unread_count_is_read_without_marking_anything(employee_api, employee):
    from django.db import transaction

    with transaction.atomic():
        for i in range(3):
            notify(recipient_id=employee.pk, kind="points_awarded", title=words(f"N{i}"), body=words(""), link="/")

    first = employee_api.get("/api/v1/me/notifications/unread-count")
    again = employee_api.get("/api/v1/me/notifications/unread-count")

    assert first.json() == again.json() == {"unread": 3}
    assert Notification.objects.filter(recipient=employee, read_at__isnull=True).count() == 3


def test_the_unread_filter_works_and_a_bad_value_is_a_400(employee_api, employee):
    from django.db import transaction

    with transaction.atomic():
        for i in range(3):
            notify(recipient_id=employee.pk, kind="points_awarded", title=words(f"N{i}"), body=words(""), link="/")
    first = Notification.objects.filter(recipient=employee).order_by("id").first()
    employee_api.post(f"/api/v1/me/notifications/{first.pk}/read")

    unread = employee_api.get("/api/v1/me/notifications", {"unread": "true"}).json()
    read = employee_api.get("/api/v1/me/notifications", {"unread": "false"}).json()

    assert unread["count"] == 2 and all(not n["read"] for n in unread["results"])
    assert read["count"] == 1 and read["results"][0]["read"]
    assert employee_api.get("/api/v1/me/notifications", {"unread": "maybe"}).status_code == 400
    # An empty value is no filter, as a form or a client's query builder sends it.
    assert employee_api.get("/api/v1/me/notifications", {"unread": ""}).json()["count"] == 3


def test_the_schema_names_the_order_detail_as_a_mobile_developer_would():
    from drf_spectacular.generators import SchemaGenerator

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    assert "OrderDetail" in schemas and "OrderDetailFlat" not in schemas
    assert schemas["Order"]["properties"]["status"].get("deprecated") is True
    assert "status_code" in schemas["Order"]["properties"]
