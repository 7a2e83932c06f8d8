"""One identity per person, one spelling per key (issue 13, finding 5): a user id sent in another
letter case (what iOS's `UUID().uuidString` sends) reaches the ledger as the stored id, and
idempotency keys are compared exactly."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.models import Order
from points.models import PointsTransaction, UserPoints
from programme.selectors import ledger_problem_list
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_an_award_to_the_upper_case_id_is_written_under_the_stored_id(hr_api, employee):
    response = hr_api.post(
        "/api/v1/awards", {"user_id": employee.pk.upper(), "amount": 80, "reason": "Case"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["transaction"]["id"]
    assert list(UserPoints.objects.values_list("user_id", flat=True)) == [employee.pk]
    assert list(PointsTransaction.objects.values_list("user_id", flat=True)) == [employee.pk]
    assert ledger_problem_list() == []


def test_a_file_line_with_the_upper_case_id_is_the_same_employee(client, hr_staff, employee):
    client.force_login(hr_staff)
    text = f"employee,amount,reason\n{employee.pk.upper()},5,x\n"
    upload = SimpleUploadedFile("a.csv", text.encode(), content_type="text/csv")

    preview = client.post(reverse("admin:points_employee_award_file"), {"file": upload}).context["preview"]

    assert [(line.user_id, line.error) for line in preview.lines] == [(employee.pk, None)]


def test_idempotency_keys_that_differ_only_in_case_are_different_redemptions(employee_api, employee, give_points):
    give_points(employee, 1000)
    product = ProductFactory(points_cost=10, stock_quantity=10)

    first = employee_api.post("/api/v1/orders", {"product_id": product.pk}, format="json", HTTP_IDEMPOTENCY_KEY="key-a")
    second = employee_api.post(
        "/api/v1/orders", {"product_id": product.pk}, format="json", HTTP_IDEMPOTENCY_KEY="Key-A"
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["order"]["id"] != second.json()["order"]["id"]
    assert Order.objects.count() == 2


@pytest.mark.mysql_only  # only MySQL's collation finds the product under another letter case
def test_a_replay_with_the_product_id_in_another_case_is_the_same_request(employee_api, employee, give_points):
    give_points(employee, 1000)
    product = ProductFactory(points_cost=10, stock_quantity=10)

    first = employee_api.post("/api/v1/orders", {"product_id": product.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    replay = employee_api.post(
        "/api/v1/orders", {"product_id": product.pk.upper()}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert Order.objects.count() == 1


@pytest.mark.mysql_only  # MySQL's collation folds case; the check must match ids as it does
def test_the_ledger_check_matches_ids_as_the_database_does(employee, give_points):
    row = give_points(employee, 80)
    PointsTransaction.objects.filter(pk=row.pk).update(user_id=employee.pk.upper())

    assert ledger_problem_list() == []
