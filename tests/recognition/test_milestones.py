"""Milestones that award themselves, once per person and milestone however often or late the daily
job runs; and the reminder before a giving allowance lapses."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from notifications.models import Notification
from points.models import PointsTransaction, UserPoints
from recognition.milestones import LATE_DAYS, allowance_lapse_remind, milestones_award
from recognition.models import Allowance, AllowanceOverride, MilestoneAward, MilestoneDates, MilestoneRule, Recognition
from tests.factories import UserFactory
from tests.ledger import assert_ledger_consistent

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 15)


@pytest.fixture(autouse=True)
def rules(db):
    MilestoneRule.objects.all().delete()
    MilestoneRule.objects.bulk_create(
        [
            MilestoneRule(kind="service", years=1, points=100),
            MilestoneRule(kind="service", years=5, points=500),
            MilestoneRule(kind="birthday", years=None, points=50),
        ]
    )


def _person(*, hired_on=None, birthday=None, shared=False, **user):
    person = UserFactory(**user)
    MilestoneDates.objects.create(user=person, hired_on=hired_on, birthday=birthday, birthday_shared=shared)
    return person


def _balance(user) -> int:
    row = UserPoints.objects.filter(pk=user.pk).first()
    return row.current_points if row else 0


def test_an_anniversary_awards_its_points_once_however_often_the_job_runs():
    ann = _person(hired_on=datetime.date(2022, 3, 15), first_name="Ann")

    first = milestones_award(today=TODAY)
    second = milestones_award(today=TODAY)
    later = milestones_award(today=TODAY + datetime.timedelta(days=3))

    assert (first.awarded, second.awarded, second.already, later.awarded) == (1, 0, 1, 0)
    assert _balance(ann) == 500
    recognition = Recognition.objects.get(milestone="service-5")
    assert (
        recognition.giver is None
        and recognition.message == "Happy work anniversary, Ann! Thank you for 5 years with us."
    )
    assert Notification.objects.filter(recipient=ann, kind="milestone").count() == 1
    assert_ledger_consistent()


def test_a_late_job_catches_up_within_a_month_and_not_further_back():
    caught = _person(hired_on=datetime.date(2026, 3, 1))  # 1 year on 1 Mar: 14 days late
    missed = _person(hired_on=TODAY.replace(year=2022) - datetime.timedelta(days=LATE_DAYS))  # 5 years, too long ago

    report = milestones_award(today=TODAY)

    assert report.awarded == 1
    assert _balance(caught) == 100 and _balance(missed) == 0


def test_birthdays_only_for_those_who_shared_theirs_and_29_february_on_the_28th():
    shared = _person(birthday=datetime.date(1990, 3, 15), shared=True)
    private = _person(birthday=datetime.date(1990, 3, 15), shared=False)
    leap = _person(birthday=datetime.date(1992, 2, 29), shared=True)

    milestones_award(today=TODAY)
    milestones_award(today=datetime.date(2027, 2, 28))

    assert _balance(shared) == 50 and _balance(private) == 0
    assert MilestoneAward.objects.filter(user=leap, key="birthday-2027").exists()
    milestones_award(today=datetime.date(2028, 3, 15))
    assert _balance(shared) == 100  # next year's birthday is another milestone


def test_inactive_people_and_inactive_rules_award_nothing():
    gone = _person(hired_on=datetime.date(2022, 3, 15), is_active=False)
    MilestoneRule.objects.filter(years=1).update(is_active=False)
    year_one = _person(hired_on=datetime.date(2026, 3, 15))

    assert milestones_award(today=TODAY).awarded == 0
    assert _balance(gone) == _balance(year_one) == 0


def test_one_failing_award_is_reported_and_the_others_are_made(monkeypatch):
    ok = _person(hired_on=datetime.date(2026, 3, 15))
    broken = _person(hired_on=datetime.date(2022, 3, 15))
    from recognition import milestones

    real = milestones.notify_milestone

    def fail_for_broken(**kwargs):
        if kwargs["user_id"] == broken.pk:
            raise RuntimeError("mail down")
        return real(**kwargs)

    monkeypatch.setattr(milestones, "notify_milestone", fail_for_broken)
    monkeypatch.setattr(milestones, "company_today", lambda: TODAY)

    with pytest.raises(CommandError, match="1 milestone"):
        call_command("recognition_daily")
    report = milestones_award(today=TODAY)

    assert (report.awarded, report.already, len(report.failed)) == (0, 1, 1)
    assert _balance(ok) == 100 and _balance(broken) == 0
    assert not PointsTransaction.objects.filter(user=broken).exists()  # its transaction rolled back whole


def test_the_allowance_reminder_goes_once_to_those_with_points_left_in_the_last_days():
    UserFactory.reset_sequence()
    spent = UserFactory()
    partly = UserFactory()
    none_to_give = UserFactory()
    AllowanceOverride.objects.create(user=none_to_give, monthly_points=0)
    start = datetime.date(2027, 3, 1)
    Allowance.objects.create(user=spent, period_start=start, points=100, given=100)
    Allowance.objects.create(user=partly, period_start=start, points=100, given=52)

    assert allowance_lapse_remind(today=datetime.date(2027, 3, 20)) == 0
    told = allowance_lapse_remind(today=datetime.date(2027, 3, 29))
    again = allowance_lapse_remind(today=datetime.date(2027, 3, 31))

    recipients = set(Notification.objects.filter(kind="allowance_lapsing").values_list("recipient_id", flat=True))
    assert partly.pk in recipients and spent.pk not in recipients and none_to_give.pk not in recipients
    assert told == len(recipients) and again == 0
    assert (
        Notification.objects.get(recipient=partly, kind="allowance_lapsing").title
        == "48 points to give lapse on 31 Mar 2027"
    )
