"""An award that repeats one the same HR user made to the same employee, with the same amount,
in the last 24 hours (the Back button restores the form; a new page has a new one-time key) is not
refused, since repeating is sometimes meant: the page says what was done and when, and awards
only when asked once more."""

import re
import uuid

import pytest
from django.urls import reverse

from points.models import PointsTransaction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EMPLOYEES = reverse("admin:points_employee_changelist")


def _award(hr, employee, amount=300, **extra):
    form = {"amount": amount, "reason": "Launch", "key": uuid.uuid4(), **extra}
    return hr.post(reverse("admin:points_employee_award", args=[employee.pk]), form)


def test_the_same_award_again_asks_first_and_says_what_was_done_and_when(hr, employee):
    assert _award(hr, employee).status_code == 302

    again = _award(hr, employee)

    html = again.content.decode()
    assert again.status_code == 200
    assert "You awarded 300 points to" in html and employee.email in html and "“Launch”" in html
    assert re.search(r"Award again", html)
    assert PointsTransaction.objects.count() == 1


def test_confirming_the_repeat_awards_it_once(hr, employee):
    _award(hr, employee)
    asked = _award(hr, employee)
    form = asked.context["form"]

    confirmed = hr.post(
        reverse("admin:points_employee_award", args=[employee.pk]),
        {**{name: form[name].value() for name in ("amount", "reason", "key")}, "repeat": "True"},
    )
    replayed = hr.post(
        reverse("admin:points_employee_award", args=[employee.pk]),
        {**{name: form[name].value() for name in ("amount", "reason", "key")}, "repeat": "True"},
    )

    assert (confirmed.status_code, replayed.status_code) == (302, 302)
    assert PointsTransaction.objects.count() == 2


def test_another_amount_or_another_employee_is_awarded_without_a_question(hr, employee):
    _award(hr, employee)

    assert _award(hr, employee, amount=250).status_code == 302
    assert _award(hr, UserFactory()).status_code == 302
    assert PointsTransaction.objects.count() == 3


def test_the_many_employee_form_asks_when_any_of_them_got_the_same_award_lately(hr, employee):
    others = UserFactory.create_batch(2)
    _award(hr, employee, amount=50)
    form = {
        "action": "award_selected",
        "_selected_action": [employee.pk, *(u.pk for u in others)],
        "amount": 50,
        "reason": "Team win",
        "apply": "1",
        "key": uuid.uuid4(),
    }

    asked = hr.post(EMPLOYEES, form)
    confirmed = hr.post(EMPLOYEES, {**form, "repeat": "True"})

    assert asked.status_code == 200
    assert "You awarded 50 points to" in asked.content.decode()
    assert confirmed.status_code == 302
    assert PointsTransaction.objects.count() == 4


def test_an_award_waiting_for_approval_counts_as_given_lately(hr, employee, settings):
    settings.POINTS_APPROVAL_ABOVE = 100
    assert _award(hr, employee, amount=500).status_code == 302  # waits for a second HR user

    again = _award(hr, employee, amount=500)

    assert again.status_code == 200
    assert "You asked for an award of 500 points to" in again.content.decode()
    assert "waiting for approval" in again.content.decode()
    from points.models import AwardBatch

    assert AwardBatch.objects.filter(status="pending").count() == 1
