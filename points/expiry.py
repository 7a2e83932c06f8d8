"""When points lapse: the expiry rule's dates, the daily job that lapses what is left of each lot
past its date (`points_expire`), and the reminders before it does (`points_expiry_remind`).

Off unless POINTS_EXPIRY_MONTHS is set. When on, the points of a lot (`PointsLot`) credited in
a month lapse at the end of the month that many months later, in the company's days
(TIME_ZONE): points earned on 3 March 2026 under a 12-month rule expire on 31 March 2027, and
are gone on 1 April. One date per month keeps the rule easy to say and to remind people of.

Switching expiry on for a programme that has run for years must not take old points overnight:
lots credited before POINTS_EXPIRY_STARTS (required with the months) count from that day. And
whatever the settings say, no lot lapses within EXPIRY_NOTICE_DAYS of the day the job first ran
under the rule in force (`PointsExpiryRuleSeen`): a rule switched on with a start long past, or
shortened from 24 months to 12, gives everyone a month's notice and their 30-day reminder first.
"""

import calendar
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from awsomeshop.db import atomic_with_retry
from awsomeshop.text import day as day_written
from awsomeshop.timezones import company_day_start, company_today, company_zone

from . import ledger
from .events import notify_points_expiring
from .models import PointsExpiryRuleSeen, PointsLot, PointsTransaction

logger = logging.getLogger(__name__)
# Days before points expire that their owner is told, furthest first: one message each.
REMINDER_DAYS = (30, 7)
_RULE = PointsExpiryRuleSeen._meta.db_table


# A new or changed rule lapses nothing sooner than this many days after the job first ran under it.
EXPIRY_NOTICE_DAYS = 30


@dataclass(frozen=True)
class ExpiryRule:
    months: int
    starts: date
    # No lot's last day is before this (EXPIRY_NOTICE_DAYS after the rule was first seen).
    not_before: date = date.min

    def expires_on(self, credited_at: datetime) -> date:
        """The last day a lot credited at `credited_at` can be spent."""
        counted_from = max(timezone.localtime(credited_at, company_zone()).date(), self.starts)
        return max(month_end(month_add(counted_from.replace(day=1), self.months)), self.not_before)

    def credited_before(self, day: date) -> datetime | None:
        """Lots credited before this instant have expired by the start of `day` (their last day
        is before it); None when none can have (the rule's start is too recent, or its notice
        runs)."""
        if day <= self.not_before:
            return None
        first_unexpired_month = month_add(day.replace(day=1), -self.months)
        if self.starts >= first_unexpired_month:
            return None
        return company_day_start(first_unexpired_month)

    def expiring_by(self, day: date) -> datetime | None:
        """Lots credited before this instant expire on or before `day`."""
        return self.credited_before(day + timedelta(days=1))


def month_add(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(first_of_month: date) -> date:
    return first_of_month.replace(day=calendar.monthrange(first_of_month.year, first_of_month.month)[1])


def day_text(day: date) -> str:
    """“31 Mar 2027”, as the portal writes a day (in the active language)."""
    return day_written(day)


def expiry_rule() -> ExpiryRule | None:
    """The rule in force, or None when points do not expire (the default). Until the job has run
    under it, its notice counts from today."""
    months, starts = settings.POINTS_EXPIRY_MONTHS, settings.POINTS_EXPIRY_STARTS
    if not months:
        return None
    seen = PointsExpiryRuleSeen.objects.filter(pk=1, months=months, starts=starts).values_list("seen_on", flat=True)
    seen_on = seen.first() or company_today()
    return ExpiryRule(months=months, starts=starts, not_before=seen_on + timedelta(days=EXPIRY_NOTICE_DAYS))


@atomic_with_retry
def expiry_rule_record() -> ExpiryRule | None:
    """Note the rule in force and the day it was first seen (today, for a new or changed rule);
    forget it when expiry is off, so switching it on again gives notice again. The job's first
    step."""
    months, starts = settings.POINTS_EXPIRY_MONTHS, settings.POINTS_EXPIRY_STARTS
    if not months:
        PointsExpiryRuleSeen.objects.filter(pk=1).delete()
        return None
    # An upsert that changes nothing takes the row's exclusive lock at once, so jobs started
    # together queue on it; a read-then-insert would let them deadlock on the new row.
    connection = transaction.get_connection()
    conflict = "ON DUPLICATE KEY UPDATE id = id" if connection.vendor == "mysql" else "ON CONFLICT (id) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_RULE} (id, months, starts, seen_on) VALUES (1, %s, %s, %s) {conflict}",  # noqa: S608
            [months, starts, company_today()],
        )
    seen = PointsExpiryRuleSeen.objects.select_for_update().get(pk=1)
    if (seen.months, seen.starts) != (months, starts):
        seen.months, seen.starts, seen.seen_on = months, starts, company_today()
        seen.save(update_fields=["months", "starts", "seen_on"])
    return expiry_rule()


# --- Reading -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expiring:
    """Points of one account that expire on one day."""

    points: int
    on: date


def points_expiring_list(*, user_id: str) -> list[Expiring]:
    """What the account's open lots will lapse, by day, soonest first; [] when expiry is off."""
    rule = expiry_rule()
    if rule is None:
        return []
    by_day: dict[date, int] = defaultdict(int)
    for credited_at, remaining in PointsLot.objects.filter(user_id=user_id, is_open=True).values_list(
        "credited_at", "remaining"
    ):
        by_day[rule.expires_on(credited_at)] += remaining
    return [Expiring(points=points, on=day) for day, points in sorted(by_day.items())]


def points_expiring_within(*, days: int, today: date | None = None) -> int:
    """Points of every account that lapse in the next `days` days: the dashboard's figure."""
    rule = expiry_rule()
    before = rule.expiring_by((today or company_today()) + timedelta(days=days)) if rule else None
    if before is None:
        return 0
    lots = PointsLot.objects.filter(is_open=True, credited_at__lt=before)
    return lots.aggregate(total=Sum("remaining", default=0))["total"]


# --- The daily job -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpiryRun:
    """What one run of the job did; `failed`: accounts it could not expire (logged), which the
    command reports as a failure, so the alarm fires, after expiring everyone else."""

    accounts: int
    lots: int
    points: int
    failed: int = 0


def points_expire(*, today: date | None = None) -> ExpiryRun:
    """Post an `expired` ledger row for what is left of every lot past its date: exactly once per
    lot however often or late this runs (the row names its lot, which the schema lets only one
    row do), never more than is left of it. One short transaction per account, under the
    account's lock like every other change of its points, so redemptions racing it wait for it
    or it for them, and every point is spent or expired once."""
    rule = expiry_rule_record()
    before = rule.credited_before(today or company_today()) if rule else None
    if before is None:
        return ExpiryRun(accounts=0, lots=0, points=0)
    user_ids = (
        PointsLot.objects.filter(is_open=True, credited_at__lt=before)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    accounts = lots = points = failed = 0
    for user_id in list(user_ids):
        try:
            expired = _account_expire(user_id=user_id, before=before, rule=rule)
        except Exception:  # noqa: BLE001 - one account's problem must not keep the others' points alive
            logger.exception("Could not expire the points of %s; its lots need a look (check_points_ledger).", user_id)
            failed += 1
            continue
        accounts += bool(expired)
        lots += len(expired)
        points += sum(expired)
    return ExpiryRun(accounts=accounts, lots=lots, points=points, failed=failed)


@atomic_with_retry
def _account_expire(*, user_id: str, before: datetime, rule: ExpiryRule) -> list[int]:
    ledger.account_lock(user_id=user_id)
    # Read again under the lock: a redemption may have spent them, or another run expired them.
    due = PointsLot.objects.filter(user_id=user_id, is_open=True, credited_at__lt=before).order_by(
        "credited_at", "credit_id"
    )
    expired = []
    for lot in due:
        # Kept in the ledger, so written once, in the company's language.
        with translation.override(settings.LANGUAGE_CODE):
            description = _("Expired on %(expired)s: points earned on %(earned)s") % {
                "expired": day_text(rule.expires_on(lot.credited_at)),
                "earned": day_text(timezone.localtime(lot.credited_at, company_zone()).date()),
            }
        ledger.post(
            user_id=user_id,
            kind=PointsTransaction.Type.EXPIRED,
            amount=lot.remaining,
            description=description,
            expires_id=lot.pk,
        )
        expired.append(lot.remaining)
    return expired


def points_expiry_remind(*, today: date | None = None) -> int:
    """Tell each person whose points expire within REMINDER_DAYS how many and when: one message
    30 days before and one 7 days before (only the 7-day one if the job first sees them then),
    none when nothing expires. A second run the same day tells nobody again. Returns how many
    were told."""
    rule = expiry_rule()
    today = today or company_today()
    before = rule.expiring_by(today + timedelta(days=max(REMINDER_DAYS))) if rule else None
    if rule is None or before is None:
        return 0
    soonest: dict[str, Expiring] = {}
    for user_id, credited_at, remaining in PointsLot.objects.filter(is_open=True, credited_at__lt=before).values_list(
        "user_id", "credited_at", "remaining"
    ):
        on = rule.expires_on(credited_at)
        if on < today:
            continue  # past its date: the job lapses it, no reminder can help now
        known = soonest.get(user_id)
        if known is None or on < known.on:
            soonest[user_id] = Expiring(points=remaining, on=on)
        elif on == known.on:
            soonest[user_id] = Expiring(points=known.points + remaining, on=on)
    return sum(_expiry_remind(user_id=user_id, expiring=expiring, today=today) for user_id, expiring in soonest.items())


@atomic_with_retry
def _expiry_remind(*, user_id: str, expiring: Expiring, today: date) -> bool:
    days = (expiring.on - today).days
    window = min(window for window in REMINDER_DAYS if window >= days)
    return notify_points_expiring(user_id=user_id, points=expiring.points, on=expiring.on, window=window)
