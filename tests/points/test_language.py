"""Points' words follow the reader's language (numbers, days), except what the ledger keeps: that
is written once, in the company's language (LANGUAGE_CODE), whoever's request or job writes it."""

import datetime

import pytest
from django.utils import timezone, translation

from notifications.models import Notification
from notifications.words import words
from points.budgets import _over_budget
from points.events import notify_award_decided
from points.exceptions import InvalidAmount
from points.expiry import expiry_rule, points_expire
from points.models import AwardBatch, PointsBudget, PointsExpiryRuleSeen, PointsTransaction
from points.selectors import ReversalState
from points.services import points_amount_clean
from tests.awards import points_award

D = datetime.date


def test_a_refusal_writes_its_numbers_as_the_readers_language_does(settings):
    settings.POINTS_MAX_AWARD = 100_000
    state = ReversalState(award_points=1500, reversed=0, balance=1200)

    with translation.override("de"):
        german = state.refusal(1500)
        with pytest.raises(InvalidAmount) as refusal:
            points_amount_clean(100_001)

    assert german == (
        "Die Person hat bereits einen Teil dieser Punkte eingelöst (Punktestand 1.200): "
        "Derzeit können höchstens 1.200 zurückgenommen werden."
    )
    assert "100.000 Punkte" in refusal.value.message
    assert "(balance 1,200): at most 1,200" in state.refusal(1500)


def test_an_award_requests_summary_counts_in_the_readers_language():
    batch = AwardBatch(kind=AwardBatch.Kind.AWARD, award_count=2, points_total=3000, status="pending")

    assert batch.summary == "2 awards of 3,000 points"
    assert str(batch) == "2 awards of 3,000 points (waiting for approval)"
    with translation.override("de"):
        assert "3.000" in batch.summary


@pytest.mark.django_db
def test_the_expiry_jobs_ledger_text_is_in_the_companys_language_whatever_is_active(settings, employee):
    settings.POINTS_EXPIRY_MONTHS = 12
    settings.POINTS_EXPIRY_STARTS = D(2000, 1, 1)
    PointsExpiryRuleSeen.objects.create(months=12, starts=D(2000, 1, 1), seen_on=D(2000, 1, 1))
    points_award(user_id=employee.pk, amount=300, reason="Launch")
    last_day = expiry_rule().expires_on(timezone.now())

    with translation.override("de"):
        points_expire(today=last_day + datetime.timedelta(days=1))

    expired = PointsTransaction.objects.get(transaction_type="expired")
    assert expired.description.startswith(f"Expired on {last_day.day} {last_day:%b %Y}: points earned on ")


def test_an_award_requests_status_in_its_name_is_written_as_the_language_writes_it_mid_sentence():
    batch = AwardBatch(kind=AwardBatch.Kind.AWARD, award_count=1, points_total=2500, status="pending")

    with translation.override("de"):
        german = str(batch)

    # German capitalises its nouns: lower-casing the label made "(wartet auf genehmigung)".
    assert german == "1 Punktevergabe von 2.500 Punkten (wartet auf Genehmigung)"


def test_a_budget_names_its_days_as_every_other_page_does():
    budget = PointsBudget(points=50_000, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 31))

    assert str(budget) == "50,000 points, 1 Dec 2026 to 31 Dec 2026"
    with translation.override("de"):
        assert str(budget) == "50.000 Punkte, 1. Dezember 2026 bis 31. Dezember 2026"


@pytest.mark.django_db
def test_an_over_budget_refusal_names_both_days_in_full(hr_staff):
    budget = PointsBudget(points=100, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 31))

    with translation.override("de"):
        message = _over_budget(budget, points=500, limit=100, used=0, programme=True).message

    assert "1. Dezember 2026 bis 31. Dezember 2026" in message, message


@pytest.mark.django_db
def test_a_decided_award_request_tells_its_requester_in_a_sentence_that_reads(hr_staff):
    summary = words("%(count)s award of %(points)s points", count=1, points=1500)
    notify_award_decided(requester_id=hr_staff.pk, decided_by_name="Ada Admin", summary=summary, approved=True, note="")
    notify_award_decided(
        requester_id=hr_staff.pk, decided_by_name="Ada Admin", summary=summary, approved=False, note="No"
    )

    approved, rejected = Notification.objects.filter(recipient=hr_staff).order_by("id")
    assert approved.title_shown == "Ada Admin approved your request for 1 award of 1,500 points"
    assert rejected.title_shown == "Ada Admin rejected your request for 1 award of 1,500 points"
    assert approved.title_shown not in approved.body_shown and "Reason: No" in rejected.body_shown
