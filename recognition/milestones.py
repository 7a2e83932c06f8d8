"""Milestones that award themselves (years of service, birthdays shared by their owner) and the
reminder before a giving allowance lapses: the daily job's work (`manage.py recognition_daily`).

Each milestone is awarded at most once per person: its `MilestoneAward` row is inserted first, and
its unique key (person, milestone) refuses a second however often, late or concurrently the job
runs. A job that missed days catches up on milestones up to `LATE_DAYS` old."""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from audit.services import audit_record
from awsomeshop.db import atomic_with_retry
from awsomeshop.text import number
from awsomeshop.timezones import company_today
from notifications.services import notify_many
from notifications.words import words
from points import ledger
from points.expiry import month_end
from points.models import PointsTransaction

from .events import ALLOWANCE_LAPSING, notify_milestone
from .models import (
    Allowance,
    AllowanceOverride,
    Credit,
    Give,
    MilestoneAward,
    MilestoneDates,
    MilestoneRule,
    Recognition,
    RecognitionReceiver,
)
from .selectors import allowance_period_start, allowance_policy
from .services import recognitions_hidden_take_back

logger = logging.getLogger(__name__)

LATE_DAYS = 31
# The reminder goes out this many days before the period's last day (and on each day after, to
# whoever did not hear yet: once per person and period).
ALLOWANCE_REMIND_DAYS = 3


@dataclass(frozen=True)
class DueMilestone:
    user_id: str
    first_name: str
    key: str
    points: int
    on: date
    years: int | None


def _anniversary(start: date, years: int) -> date:
    """`start` plus whole years; 29 February falls on the 28th in other years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _birthday_in(birthday: date, year: int) -> date:
    try:
        return birthday.replace(year=year)
    except ValueError:
        return birthday.replace(year=year, day=28)


def milestones_due(*, today: date) -> list[DueMilestone]:
    """Every active person's milestones whose day came within the last `LATE_DAYS` days, by the
    active rules (awarded ones too: the award's unique key leaves those out)."""
    rules = list(MilestoneRule.objects.filter(is_active=True))
    service = [rule for rule in rules if rule.kind == MilestoneRule.Kind.SERVICE]
    birthday = next((rule for rule in rules if rule.kind == MilestoneRule.Kind.BIRTHDAY), None)
    earliest = today - timedelta(days=LATE_DAYS - 1)
    due = []
    dates = MilestoneDates.objects.filter(user__is_active=True).select_related("user")
    for row in dates.filter(Q(hired_on__isnull=False) | Q(birthday__isnull=False, birthday_shared=True)):
        name = row.user.first_name
        if row.hired_on is not None:
            for rule in service:
                on = _anniversary(row.hired_on, rule.years or 1)
                if earliest <= on <= today:
                    due.append(DueMilestone(row.user_id, name, f"service-{rule.years}", rule.points, on, rule.years))
        if birthday and row.birthday and row.birthday_shared:
            for year in (today.year - 1, today.year):
                on = _birthday_in(row.birthday, year)
                if earliest <= on <= today:
                    due.append(DueMilestone(row.user_id, name, f"birthday-{year}", birthday.points, on, None))
    return due


def _milestone_message(due: DueMilestone) -> str:
    """The wish the recognition carries: kept as its message (and the ledger row's description),
    so written once, in the company's language, whoever reads it later."""
    with translation.override(settings.LANGUAGE_CODE):
        return _milestone_wish(due)


def _milestone_wish(due: DueMilestone) -> str:
    figures = {"name": due.first_name, "years": number(due.years or 0)}
    if due.years is None:
        return _("Happy birthday, %(name)s!") % figures if due.first_name else _("Happy birthday!")
    if due.first_name:
        wish = ngettext(
            "Happy work anniversary, %(name)s! Thank you for one year with us.",
            "Happy work anniversary, %(name)s! Thank you for %(years)s years with us.",
            due.years,
        )
    else:
        wish = ngettext(
            "Happy work anniversary! Thank you for one year with us.",
            "Happy work anniversary! Thank you for %(years)s years with us.",
            due.years,
        )
    return wish % figures


@atomic_with_retry
def milestone_award(*, due: DueMilestone) -> bool:
    """Award one milestone once: False if it was awarded already (now or by another run)."""
    if MilestoneAward.objects.filter(user_id=due.user_id, key=due.key).exists():
        return False
    recognition = Recognition.objects.create(
        giver=None, value=None, milestone=due.key, message=_milestone_message(due), is_public=True
    )
    try:
        # A concurrent run inserting the same key waits here and is then refused by the key.
        MilestoneAward.objects.create(user_id=due.user_id, key=due.key, recognition=recognition)
    except IntegrityError:
        raise _AwardedMeanwhile from None
    RecognitionReceiver.objects.create(recognition=recognition, user_id=due.user_id)
    give = Give.objects.create(
        recognition=recognition,
        giver=None,
        allowance=None,
        points_each=due.points,
        total=due.points,
        fingerprint=due.key,
    )
    entry = ledger.post(
        user_id=due.user_id,
        kind=PointsTransaction.Type.RECEIVED,
        amount=due.points,
        description=recognition.message,
    )
    Credit.objects.create(give=give, receiver_id=due.user_id, entry=entry, points=due.points)
    audit_record(
        action="recognition.milestone",
        target=recognition,
        after={"key": due.key, "points": due.points},
        employee_id=due.user_id,
    )
    notify_milestone(recognition=recognition, user_id=due.user_id, points=due.points, balance=entry.balance_after or 0)
    return True


class _AwardedMeanwhile(Exception):
    """Another run awarded the same milestone between our check and our insert."""


@dataclass
class DailyReport:
    awarded: int = 0
    already: int = 0
    failed: list[str] = field(default_factory=list)
    reminded: int = 0
    # Points hidden recognitions had left with their receivers, taken back (spent, then refunded).
    taken_back: int = 0


def milestones_award(*, today: date | None = None) -> DailyReport:
    """Award every milestone due, each in its own transaction; a person whose award fails is
    logged and left for the next run (which catches up), and the others are awarded."""
    report = DailyReport()
    for due in milestones_due(today=today or company_today()):
        try:
            awarded = milestone_award(due=due)
        except _AwardedMeanwhile:
            awarded = False
        except Exception:
            logger.exception("Milestone %s for %s could not be awarded", due.key, due.user_id)
            report.failed.append(f"{due.user_id} {due.key}")
            continue
        if awarded:
            report.awarded += 1
        else:
            report.already += 1
    return report


def recognition_daily(*, today: date | None = None) -> DailyReport:
    """The daily job: take back what hidden recognitions left behind, award the milestones due,
    remind people whose allowance lapses. Each step is safe to run twice or late."""
    taken_back = recognitions_hidden_take_back()
    report = milestones_award(today=today)
    report.taken_back = taken_back
    report.reminded = allowance_lapse_remind(today=today)
    return report


@atomic_with_retry
def allowance_lapse_remind(*, today: date | None = None) -> int:
    """In the period's last `ALLOWANCE_REMIND_DAYS` days, one message to each active person with
    allowance left ("48 points to give lapse on 31 Dec"), once per person and period."""
    today = today or company_today()
    start = allowance_period_start(today)
    end = month_end(start)
    if (end - today).days >= ALLOWANCE_REMIND_DAYS:
        return 0
    policy = allowance_policy()
    overrides = dict(AllowanceOverride.objects.values_list("user_id", "monthly_points"))
    given = dict(Allowance.objects.filter(period_start=start).values_list("user_id", "given"))
    left_by_points: dict[int, list[str]] = {}
    for user_id in get_user_model().objects.filter(is_active=True).values_list("pk", flat=True):
        left = overrides.get(user_id, policy.monthly_points) - given.get(user_id, 0)
        if left > 0:
            left_by_points.setdefault(left, []).append(user_id)
    told = 0
    for left, user_ids in sorted(left_by_points.items()):
        told += notify_many(
            recipient_ids=user_ids,
            kind=ALLOWANCE_LAPSING,
            title=words(gettext_noop("%(points)s points to give lapse on %(day)s"), points=left, day=end),
            body=words(
                gettext_noop(
                    "You can still give %(points)s points to colleagues this month. What you do not give lapses "
                    "at the end of %(day)s; next month starts afresh."
                ),
                points=left,
                day=end,
            ),
            link="/recognition/give/",
            dedupe_key=f"allowance-lapse-{start:%Y-%m}",
        )
    return told
