"""A number where the API wants text is a client bug to report (400), never text to store: the
award's reason, a reversal's reason, a rejection's note, ids, the sign-in's password."""

import importlib
import inspect

import pytest
from django.apps import apps
from rest_framework import serializers

from awsomeshop.api import StrictInputSerializer, StrictStringMixin
from points.models import AwardBatch, PointsTransaction
from points.services import Award, points_award_batch
from tests.awards import points_award

pytestmark = pytest.mark.django_db


def _refused_as_not_a_string(response, field):
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"][field] == ["A JSON string is required."]


def test_an_award_with_a_number_for_its_reason_or_user_is_refused_and_nothing_is_stored(hr_api, employee):
    _refused_as_not_a_string(
        hr_api.post("/api/v1/awards", {"user_id": employee.pk, "amount": 5, "reason": 12345}, format="json"), "reason"
    )
    _refused_as_not_a_string(
        hr_api.post("/api/v1/awards", {"user_id": 7, "amount": 5, "reason": "x"}, format="json"), "user_id"
    )

    assert not PointsTransaction.objects.exists()


def test_a_reversal_with_a_number_for_its_reason_is_refused(api_as, hr_staff, second_hr, employee):
    award = points_award(user_id=employee.pk, amount=500, reason="Launch", awarded_by_id=hr_staff.pk)

    response = api_as(second_hr).post(
        f"/api/v1/awards/{award.pk}/reversals", {"amount": 100, "reason": 6.5}, format="json"
    )

    _refused_as_not_a_string(response, "reason")
    assert not PointsTransaction.objects.filter(transaction_type="reversed").exists()


def test_a_rejection_with_a_number_for_its_note_is_refused(api_as, settings, hr_staff, second_hr, employee):
    settings.POINTS_APPROVAL_ABOVE = 1000
    batch = points_award_batch(
        awards=[Award(employee.pk, 5000, "Big")], awarded_by_id=hr_staff.pk, source="form", batch_id="b1"
    ).batch

    response = api_as(second_hr).post(f"/api/v1/award-requests/{batch.pk}/reject", {"note": 404}, format="json")

    _refused_as_not_a_string(response, "note")
    assert AwardBatch.objects.get(pk=batch.pk).status == "pending"


def test_an_order_for_a_product_id_that_is_a_number_is_refused(employee_api):
    _refused_as_not_a_string(employee_api.post("/api/v1/orders", {"product_id": 42}, format="json"), "product_id")


def test_a_token_asked_with_a_number_for_a_password_is_refused(api):
    response = api.post("/api/v1/auth/token", {"email": "a@example.com", "password": 12345678}, format="json")

    _refused_as_not_a_string(response, "password")


def _input_serializers():
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.apis")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, serializers.Serializer) and cls.__module__ == module.__name__:
                yield cls


def test_every_text_field_a_client_writes_is_strict():
    inputs = [cls for cls in _input_serializers() if issubclass(cls, StrictInputSerializer)]
    assert {cls.__name__ for cls in _input_serializers() if "Input" in cls.__name__} == {c.__name__ for c in inputs}
    assert len(inputs) >= 5
    loose = [
        f"{cls.__name__}.{name}"
        for cls in inputs
        for name, field in cls().fields.items()
        if isinstance(field, serializers.CharField) and not field.read_only and not isinstance(field, StrictStringMixin)
    ]

    assert loose == []
