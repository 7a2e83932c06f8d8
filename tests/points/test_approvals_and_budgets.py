"""Four eyes for large awards, and budgets per period and per HR user."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from notifications.models import Notification
from points.budgets import budget_periods_check
from points.exceptions import AwardRequestDecided, InvalidBudget, OverBudget, SelfApproval, SelfAward
from points.models import AwardBatch, PointsBudget, PointsBudgetLimit, PointsTransaction, UserPoints
from points.selectors import budget_used
from points.services import (
    Award,
    award_request_approve,
    award_request_reject,
    points_award_batch,
    points_reverse,
)
from tests.factories import UserFactory
from tests.ledger import assert_ledger_consistent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _approval_above_1000(settings):
    settings.POINTS_APPROVAL_ABOVE = 1000


def _request(by, *awards, key="b1"):
    return points_award_batch(awards=[Award(*a) for a in awards], awarded_by_id=by.pk, source="form", batch_id=key)


def _balance(user):
    return UserPoints.objects.filter(pk=user.pk).values_list("current_points", flat=True).first() or 0


def test_an_award_above_the_threshold_waits_and_credits_nothing(employee, hr_staff, second_hr):
    outcome = _request(hr_staff, (employee.pk, 1500, "Launch"))

    assert outcome.batch.status == AwardBatch.Status.PENDING and outcome.transactions == []
    assert _balance(employee) == 0 and not PointsTransaction.objects.exists()
    # The other HR user is asked; the employee hears nothing yet.
    assert Notification.objects.filter(recipient=second_hr, kind="award_approval").count() == 1
    assert not Notification.objects.filter(recipient=employee).exists()
    assert not Notification.objects.filter(recipient=hr_staff, kind="award_approval").exists()


def test_an_award_at_the_threshold_needs_no_approval(employee, hr_staff):
    outcome = _request(hr_staff, (employee.pk, 1000, "Launch"))
    assert outcome.batch.status == AwardBatch.Status.APPLIED and _balance(employee) == 1000


def test_a_second_hr_user_approves_once_and_the_award_credits_as_the_requesters(employee, hr_staff, second_hr):
    batch = _request(hr_staff, (employee.pk, 1500, "Launch")).batch

    first = award_request_approve(batch_id=batch.pk, approved_by_id=second_hr.pk)
    again = award_request_approve(batch_id=batch.pk, approved_by_id=second_hr.pk)

    assert not first.replayed and again.replayed
    assert [row.pk for row in again.transactions] == [row.pk for row in first.transactions]
    assert _balance(employee) == 1500
    (row,) = first.transactions
    assert (row.awarded_by_id, row.batch_id) == (hr_staff.pk, batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.decided_by_id) == ("applied", second_hr.pk)
    assert Notification.objects.filter(recipient=hr_staff, kind="award_decided").count() == 1
    assert AuditEntry.objects.filter(action="points.award_approve", actor=second_hr).count() == 1
    assert_ledger_consistent()


def test_the_requester_cannot_approve_their_own_award(employee, hr_staff):
    batch = _request(hr_staff, (employee.pk, 1500, "Launch")).batch
    with pytest.raises(SelfApproval):
        award_request_approve(batch_id=batch.pk, approved_by_id=hr_staff.pk)
    batch.refresh_from_db()
    assert batch.status == "pending" and _balance(employee) == 0


def test_the_employee_cannot_approve_an_award_to_themselves(hr_staff, second_hr):
    batch = _request(hr_staff, (second_hr.pk, 1500, "Launch")).batch
    with pytest.raises(SelfAward):
        award_request_approve(batch_id=batch.pk, approved_by_id=second_hr.pk)
    assert _balance(second_hr) == 0


def test_a_decided_request_cannot_be_decided_again_by_anyone_else(employee, hr_staff, second_hr):
    third = UserFactory(email="third.hr@example.com", is_superuser=True, is_staff=True)
    approved = _request(hr_staff, (employee.pk, 1500, "Launch"), key="a").batch
    award_request_approve(batch_id=approved.pk, approved_by_id=second_hr.pk)
    with pytest.raises(AwardRequestDecided, match="already approved by omar.hr@example.com"):
        award_request_approve(batch_id=approved.pk, approved_by_id=third.pk)
    with pytest.raises(AwardRequestDecided):
        award_request_reject(batch_id=approved.pk, rejected_by_id=third.pk, note="No")

    rejected = _request(hr_staff, (employee.pk, 2000, "Other"), key="b").batch
    award_request_reject(batch_id=rejected.pk, rejected_by_id=second_hr.pk, note="Too much")
    award_request_reject(batch_id=rejected.pk, rejected_by_id=second_hr.pk, note="Too much")  # a double click
    with pytest.raises(AwardRequestDecided, match="already rejected"):
        award_request_approve(batch_id=rejected.pk, approved_by_id=third.pk)
    assert _balance(employee) == 1500
    told = Notification.objects.get(recipient=hr_staff, kind="award_decided", title__contains="rejected")
    assert "Too much" in told.body
    assert_ledger_consistent()


def test_replaying_a_waiting_request_asks_nothing_more(employee, hr_staff, second_hr):
    _request(hr_staff, (employee.pk, 1500, "Launch"))
    again = _request(hr_staff, (employee.pk, 1500, "Launch"))
    assert again.replayed and AwardBatch.objects.count() == 1
    assert Notification.objects.filter(kind="award_approval").count() == 1


def test_no_threshold_means_no_approval(settings, employee, hr_staff):
    settings.POINTS_APPROVAL_ABOVE = 0
    assert _request(hr_staff, (employee.pk, 50_000, "Launch")).batch.status == "applied"


def _budget(points, **kwargs):
    today = timezone.localdate()
    return PointsBudget.objects.create(
        starts_on=today.replace(day=1), ends_on=today + datetime.timedelta(days=1), points=points, **kwargs
    )


def test_an_award_over_what_the_budget_has_left_is_refused_with_the_numbers(employee, hr_staff, second_hr):
    budget = _budget(1000)
    _request(hr_staff, (employee.pk, 700, "One"), key="a")

    with pytest.raises(OverBudget) as refusal:
        _request(second_hr, (employee.pk, 200, "Two"), (hr_staff.pk, 200, "Two"), key="b")

    assert refusal.value.details == {"budget_points": 1000, "used": 700, "left": 300, "requested": 400}
    assert "1,000 points; 700 are awarded, so 300 are left and 400 cannot be awarded" in refusal.value.message
    assert not AwardBatch.objects.filter(pk="b").exists() and _balance(hr_staff) == 0
    assert budget_used(budget=budget) == 700
    _request(second_hr, (employee.pk, 300, "Three"), key="c")
    assert budget_used(budget=budget) == 1000


def test_a_reversal_gives_its_points_back_to_the_budget(employee, hr_staff, second_hr):
    budget = _budget(1000)
    award = _request(hr_staff, (employee.pk, 1000, "Launch")).transactions[0]
    points_reverse(
        award_id=award.pk, amount=600, reason="Typo", reversed_by_id=second_hr.pk, source="form", batch_id="r"
    )
    assert budget_used(budget=budget) == 400
    assert budget_used(budget=budget, giver_id=hr_staff.pk) == 400
    _request(second_hr, (employee.pk, 600, "Fixed"), key="c")


def test_a_limit_per_hr_user_is_their_share_of_the_budget(employee, hr_staff, second_hr):
    budget = _budget(10_000)
    PointsBudgetLimit.objects.create(budget=budget, giver=hr_staff, points=500)
    _request(hr_staff, (employee.pk, 400, "One"), key="a")
    with pytest.raises(OverBudget, match="Your limit .* is 500 points; 400 are awarded, so 100 are left"):
        _request(hr_staff, (employee.pk, 101, "Two"), key="b")
    _request(second_hr, (employee.pk, 900, "Other giver"), key="c")  # no limit of their own
    assert _balance(employee) == 1300


def test_an_approval_draws_on_the_budget_when_it_credits(employee, hr_staff, second_hr):
    _budget(2000)
    waiting = _request(hr_staff, (employee.pk, 1500, "Launch"), key="a").batch
    _request(second_hr, (employee.pk, 1000, "Meanwhile"), key="b")
    with pytest.raises(OverBudget):
        award_request_approve(batch_id=waiting.pk, approved_by_id=second_hr.pk)
    waiting.refresh_from_db()
    assert waiting.status == "pending" and _balance(employee) == 1000


def test_budget_periods_cannot_overlap():
    budget = PointsBudget.objects.create(
        starts_on=datetime.date(2026, 12, 1), ends_on=datetime.date(2026, 12, 31), points=5000
    )
    with pytest.raises(InvalidBudget, match="overlaps"):
        budget_periods_check(starts_on=datetime.date(2026, 12, 31), ends_on=datetime.date(2027, 1, 31))
    with pytest.raises(InvalidBudget, match="end on or after"):
        budget_periods_check(starts_on=datetime.date(2027, 2, 2), ends_on=datetime.date(2027, 2, 1))
    budget_periods_check(starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 1, 31))
    budget_periods_check(starts_on=budget.starts_on, ends_on=datetime.date(2026, 12, 20), budget_id=budget.pk)
