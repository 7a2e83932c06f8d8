"""Issue 30: a missing reason is asked for in the words of what is being done: an award, a
correction, a rejection (whose reason the requester sees, not the employee)."""

import pytest

from points.exceptions import InvalidReason
from points.forms import RejectionForm, ReversalForm
from points.services import points_reason_clean


@pytest.mark.parametrize(
    ("what", "words"),
    [
        ("award", "Give a reason for the award; the employee sees it in their history."),
        ("correction", "Give a reason for the correction; the employee sees it in their history."),
        ("rejection", "Give a reason for turning it down; the HR user who asked sees it."),
    ],
)
def test_the_missing_reason_is_asked_for_in_the_words_of_what_is_done(what, words):
    with pytest.raises(InvalidReason) as refused:
        points_reason_clean("  ", what=what)
    assert refused.value.message == words


def test_the_reversal_and_rejection_forms_say_what_the_reason_is_for():
    reversal = ReversalForm({"amount": "5", "reason": "", "key": "8c8e7ad4-9d3f-4a40-9c2b-7c1f9f2d2c11"})
    rejection = RejectionForm({"note": ""})

    assert not reversal.is_valid() and reversal.errors["reason"] == [
        "Give a reason for the correction; the employee sees it in their history."
    ]
    assert not rejection.is_valid() and rejection.errors["note"] == [
        "Give a reason for turning it down; the HR user who asked sees it."
    ]


def test_over_budget_says_nothing_was_awarded_once(client, hr_staff, employee):
    import datetime
    import re

    from django.urls import reverse
    from django.utils import timezone

    from points.models import PointsBudget

    today = timezone.localdate()
    PointsBudget.objects.create(starts_on=today, ends_on=today + datetime.timedelta(days=1), points=10)
    client.force_login(hr_staff)
    url = reverse("admin:points_employee_award", args=[employee.pk])
    key = re.search(r'name="key" value="([^"]+)"', client.get(url).text).group(1)

    page = client.post(url, {"amount": "50", "reason": "Launch", "key": key}, follow=True)

    assert page.text.count("Nothing was awarded") == 1, page.text
