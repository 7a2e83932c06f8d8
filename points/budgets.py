"""Budgets: what HR may award per period, and each HR user's part. A superuser sets them
(`budget_save`, `budgets_delete`); every award draws on the period's budget inside its own
transaction (`budget_draw`)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from awsomeshop.db import atomic_with_retry, in_transaction
from awsomeshop.text import day, number

from .exceptions import InvalidBudget, OverBudget
from .models import PointsBudget, PointsBudgetLimit, PointsBudgetPeriodsLock
from .selectors import budget_period_today, budget_used


@in_transaction
def budget_draw(*, awarded_by_id: str | None, points: int) -> None:
    """Refuse, with the figures, an award of `points` that the budget of today's period (or the
    giver's limit in it) has not got left; no budget, no limit. Locks the period's budget row, so
    concurrent awards are counted one after the other: a batch row is inserted before this and
    accounts are locked after it, the order every award takes. The periods lock comes first, as
    in every budget save and delete: an award finds the budget by its dates, a delete or a change
    of dates by its id, and taken in two orders those locks deadlock."""
    _periods_lock()
    budget = PointsBudget.objects.select_for_update().filter(**budget_period_today()).first()
    if budget is None:
        return
    used = budget_used(budget=budget)
    if used + points > budget.points:
        raise _over_budget(budget, points=points, limit=budget.points, used=used, programme=True)
    limit = budget.limits.filter(giver_id=awarded_by_id).values_list("points", flat=True).first()
    if awarded_by_id is not None and limit is not None:
        used = budget_used(budget=budget, giver_id=awarded_by_id)
        if used + points > limit:
            raise _over_budget(budget, points=points, limit=limit, used=used, programme=False)


def _over_budget(budget: PointsBudget, *, points: int, limit: int, used: int, programme: bool) -> OverBudget:
    """The refusal, with the figures: `programme` for the whole budget, else the giver's limit in it."""
    left = max(limit - used, 0)
    figures = {
        # Both days as every page writes them (“1 Jan 2030 to 31 Jan 2030”).
        "starts": day(budget.starts_on),
        "ends": day(budget.ends_on),
        "limit": number(limit),
        "used": number(used),
        "left": number(left),
        "points": number(points),
    }
    if programme:
        message = _(
            "The programme's budget for %(starts)s to %(ends)s is %(limit)s points; %(used)s are awarded, "
            "so %(left)s are left and %(points)s cannot be awarded."
        )
    else:
        message = _(
            "Your limit for %(starts)s to %(ends)s is %(limit)s points; %(used)s are awarded, "
            "so %(left)s are left and %(points)s cannot be awarded."
        )
    return OverBudget(
        message % figures,
        budget_points=limit,
        used=used,
        left=left,
        requested=points,
    )


def budget_periods_check(*, starts_on: date, ends_on: date, budget_id: int | None = None) -> None:
    """A budget's period: in order, and overlapping no other budget's (an award draws from one)."""
    if not (date(2000, 1, 1) <= starts_on and ends_on <= date(2099, 12, 31)):
        raise InvalidBudget(_("A budget covers days from 2000 to 2099."))
    if ends_on < starts_on:
        raise InvalidBudget(_("The period must end on or after the day it starts."))
    overlapping = PointsBudget.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if budget_id is not None:
        overlapping = overlapping.exclude(pk=budget_id)
    if clash := overlapping.first():
        raise InvalidBudget(
            _("This period overlaps the budget of %(budget)s; periods cannot overlap.") % {"budget": clash}
        )


@dataclass(frozen=True)
class LimitEdit:
    """One limit per HR user as the page changed it: `limit_id` names a row the page showed (None:
    a new row); `giver_id` and `points` are what it is to be (None: the row was deleted). Rows
    the page did not change are not edits: a limit someone else added meanwhile stays."""

    limit_id: int | None
    giver_id: str | None
    points: int | None


@dataclass(frozen=True)
class BudgetChanges:
    """What the person saw change, for the audit trail: the fields and limits before and after."""

    before: dict[str, Any]
    after: dict[str, Any]


def _periods_lock() -> None:
    """Take the one row's lock that orders every budget save and delete (the first lock they
    take). An upsert takes it at once, whether the row is there or not: INSERT … ON DUPLICATE KEY
    UPDATE locks the row exclusively, where a plain insert meeting another's would take a shared
    lock first and deadlock with it."""
    named = transaction.get_connection().features.supports_update_conflicts_with_target
    PointsBudgetPeriodsLock.objects.bulk_create(
        [PointsBudgetPeriodsLock(id=1, touched_at=timezone.now())],
        update_conflicts=True,
        update_fields=["touched_at"],
        unique_fields=["id"] if named else None,
    )


@atomic_with_retry
def budget_save(
    *,
    budget_id: int | None,
    starts_on: date,
    ends_on: date,
    points: int,
    note: str,
    limit_edits: list[LimitEdit],
    saved_by_id: str,
    changes: BudgetChanges,
) -> PointsBudget:
    """Create a budget (`budget_id` None) or change one, with the edits made to its limits per HR
    user, in one transaction with its audit entry. The period is checked against the other
    budgets' under a lock every save takes, so two saves at the same moment cannot both pass it."""
    _periods_lock()
    budget_periods_check(starts_on=starts_on, ends_on=ends_on, budget_id=budget_id)
    if points < 1 or any(edit.giver_id is not None and (edit.points or 0) < 1 for edit in limit_edits):
        raise InvalidBudget(_("A budget and each limit are at least 1 point."))
    if budget_id is None:
        budget = PointsBudget.objects.create(starts_on=starts_on, ends_on=ends_on, points=points, note=note)
    else:
        found = PointsBudget.objects.select_for_update().filter(pk=budget_id).first()
        if found is None:
            raise InvalidBudget(_("This budget was deleted meanwhile; nothing was saved."))
        budget = found
        budget.starts_on, budget.ends_on, budget.points, budget.note = starts_on, ends_on, points, note
        budget.save(update_fields=["starts_on", "ends_on", "points", "note"])
    # A changed row is deleted and made again, so two rows may swap their givers; a giver who has
    # a limit the page did not show (added meanwhile) is refused by the unique key.
    budget.limits.filter(pk__in=[edit.limit_id for edit in limit_edits if edit.limit_id is not None]).delete()
    PointsBudgetLimit.objects.bulk_create(
        [
            PointsBudgetLimit(budget=budget, giver_id=edit.giver_id, points=edit.points or 0)
            for edit in limit_edits
            if edit.giver_id is not None
        ]
    )
    verb = "add" if budget_id is None else "change"
    audit_record(
        action=f"points.pointsbudget_{verb}",
        target=budget,
        before=changes.before,
        after=changes.after,
        actor_id=saved_by_id,
    )
    return budget


@atomic_with_retry
def budgets_delete(*, budget_ids: list[int], deleted_by_id: str) -> int:
    """Delete budgets (with their limits); awards already made stay as they are."""
    _periods_lock()
    budgets = list(PointsBudget.objects.select_for_update().filter(pk__in=budget_ids).order_by("pk"))
    for budget in budgets:
        before = {"period": f"{budget.starts_on} to {budget.ends_on}", "points": budget.points}
        audit_record(action="points.pointsbudget_delete", target=budget, before=before, actor_id=deleted_by_id)
        budget.delete()
    return len(budgets)
