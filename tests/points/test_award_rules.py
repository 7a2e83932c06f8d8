"""One set of award rules (issue 14): the API, the admin's award form and the CSV preview refuse
the same awards in the same words, the service's."""

import pytest
from django.urls import reverse

from points.models import PointsTransaction
from tests.points.test_admin import csv_upload

pytestmark = pytest.mark.django_db

CASES = [
    ("0", "", "The amount must be at least 1 point."),
    ("100001", "", "One award can give at most 100,000 points."),
    ("5", "   ", "Give a reason for the award; the employee sees it in their history."),
    ("5", "x" * 256, "The reason can be at most 255 characters."),
]


@pytest.mark.parametrize(("amount", "reason", "message"), CASES)
def test_the_api_form_and_file_refuse_alike(hr, hr_api, employee, amount, reason, message):
    api = hr_api.post(
        "/api/v1/awards", {"user_id": employee.pk, "amount": int(amount), "reason": reason or "x"}, format="json"
    )
    url = reverse("admin:points_employee_award", args=[employee.pk])
    key = hr.get(url).context["form"]["key"].value()
    form = hr.post(url, {"amount": amount, "reason": reason or "x", "key": key})
    csv = f"employee,amount,reason\n{employee.email},{amount},{reason or 'x'}\n"
    preview = hr.post(reverse("admin:points_employee_award_file"), {"file": csv_upload(csv)}).context["preview"]

    api_errors = [m for messages in api.json()["error"]["details"].values() for m in messages]
    form_errors = [m for messages in form.context["form"].errors.values() for m in messages]
    assert api_errors == form_errors == [preview.lines[0].error] == [message]
    assert not PointsTransaction.objects.exists()
