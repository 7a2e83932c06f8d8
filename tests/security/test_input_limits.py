"""No 500 from input, and amounts are whole numbers written plainly (issue 13, finding 7)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from points.models import PointsTransaction

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token"


def json_error(response) -> dict:
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response.json()["error"]


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_a_400_in_the_error_shape(depth, caplog):
    response = APIClient().post(TOKEN, "[" * depth, content_type="application/json")

    assert response.status_code == 400
    assert json_error(response)["code"] == "parse_error"
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_moderately_nested_json_is_refused_before_it_reaches_a_serializer(hr_api, employee):
    nested = {"user_id": employee.pk, "amount": 5, "reason": "x", "extra": json.loads("[" * 40 + "1" + "]" * 40)}

    response = hr_api.post("/api/v1/awards", nested, format="json")

    assert response.status_code == 400
    assert json_error(response)["code"] == "parse_error"


@pytest.mark.parametrize("url", [TOKEN, "/api/v1/orders", "/api/v1/awards"])
def test_an_oversized_body_is_a_413_in_the_error_shape(hr_api, url):
    body = '{"email": "' + "a" * (3 * 1024 * 1024) + '"}'

    response = hr_api.post(url, body, content_type="application/json")

    assert response.status_code == 413
    assert json_error(response)["code"] == "request_too_large"


def test_a_body_that_is_not_utf8_is_a_400_in_the_error_shape():
    response = APIClient().post(TOKEN, b'{"email": "\xff\xfe"}', content_type="application/json")

    assert response.status_code == 400
    assert json_error(response)["code"] == "parse_error"


@pytest.mark.parametrize("amount", ["10", 10.0, 1.5, "١٠", True, "1_000", None, [10], {"n": 10}])
def test_the_api_takes_amounts_as_json_integers_only(hr_api, employee, amount):
    response = hr_api.post("/api/v1/awards", {"user_id": employee.pk, "amount": amount, "reason": "x"}, format="json")

    assert response.status_code == 400
    assert "amount" in json_error(response)["details"]
    assert not PointsTransaction.objects.exists()


@pytest.mark.parametrize("amount", ["1_000", "+7", "5.0", "١٠", " 7 x", "7e2", "-5"])
def test_the_admin_award_form_takes_ascii_digits_only(client, hr_staff, employee, amount):
    client.force_login(hr_staff)
    url = reverse("admin:points_employee_award", args=[employee.pk])
    key = client.get(url).context["form"]["key"].value()

    response = client.post(url, {"amount": amount, "reason": "x", "key": key})

    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert not PointsTransaction.objects.exists()


@pytest.mark.parametrize("amount", ["1_000", "+7", "5.0", "١٠", "7e2"])
def test_an_award_file_takes_ascii_digits_only(client, hr_staff, employee, amount):
    client.force_login(hr_staff)
    text = f"employee,amount,reason\n{employee.email},{amount},x\n"
    upload = SimpleUploadedFile("a.csv", text.encode(), content_type="text/csv")

    preview = client.post(reverse("admin:points_employee_award_file"), {"file": upload}).context["preview"]

    assert preview.lines[0].error == f"“{amount}” is not a whole number of points."
