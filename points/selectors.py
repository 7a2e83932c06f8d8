from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from awsomeshop.text import number
from awsomeshop.timezones import company_day_start, company_today

from .models import (
    AwardBatch,
    PointsBudget,
    PointsBudgetLimit,
    PointsLot,
    PointsLotMove,
    PointsTransaction,
    UserPoints,
)


def user_points_get(*, user_id: str) -> UserPoints:
    """The user's balance; an unsaved zero balance for someone who never had points."""
    return UserPoints.objects.filter(pk=user_id).first() or UserPoints(user_id=user_id)


def user_points_balances(*, user_ids: list[str]) -> dict[str, int]:
    """The current balance of each of these users (0 for someone who never had points), in one query."""
    balances = dict(UserPoints.objects.filter(pk__in=user_ids).values_list("pk", "current_points"))
    return {user_id: balances.get(user_id, 0) for user_id in user_ids}


def user_points_for_request(request) -> UserPoints:
    """The signed-in user's balance, read once per request however many places show it."""
    if not hasattr(request, "_user_points"):
        request._user_points = user_points_get(user_id=request.user.pk)
    return request._user_points


def award_batch_same_recent(*, fingerprint: str, days: int = 30) -> AwardBatch | None:
    """The latest batch of the same awards (who, how much, why) in the last `days`: a file
    uploaded twice is two batches, so the second preview says when the first was applied."""
    since = timezone.now() - timedelta(days=days)
    batches = AwardBatch.objects.filter(fingerprint=fingerprint, created_at__gte=since)
    return batches.select_related("awarded_by").order_by("-created_at").first()


# How far back an award counts as a repeat to ask about (the Back button, a second tab).
AWARD_REPEAT_HOURS = 24


@dataclass(frozen=True)
class RepeatedAward:
    """An award like the one about to be given, given (or asked for) lately."""

    user: Any
    amount: int
    reason: str
    at: datetime
    waiting: bool  # asked for, waiting for a second HR user


def award_repeats_recent(*, awarded_by_id: str, user_ids: list[str], amount: int, batch_id: str) -> list[RepeatedAward]:
    """The awards of `amount` this HR user gave any of these employees in the last
    AWARD_REPEAT_HOURS, and those still waiting for approval, newest first, other than those of
    the request `batch_id` (sent again, it is a replay, answered with what it did): what to show
    before awarding the same again."""
    since = timezone.now() - timedelta(hours=AWARD_REPEAT_HOURS)
    given = (
        PointsTransaction.objects.filter(
            transaction_type=PointsTransaction.Type.EARNED,
            awarded_by_id=awarded_by_id,
            user_id__in=user_ids,
            points_amount=amount,
            created_at__gte=since,
        )
        .exclude(batch_id=batch_id)
        .select_related("user")
        .order_by("-created_at", "-id")[:20]
    )
    repeats = [RepeatedAward(row.user, amount, row.description or "", row.created_at, False) for row in given]
    waiting = AwardBatch.objects.filter(
        awarded_by_id=awarded_by_id,
        kind=AwardBatch.Kind.AWARD,
        status=AwardBatch.Status.PENDING,
        created_at__gte=since,
    ).exclude(pk=batch_id)
    wanted = {str(user_id).lower() for user_id in user_ids}
    asked = [
        (batch, user_id, reason)
        for batch in waiting.order_by("-created_at")[:50]
        for user_id, asked_amount, reason in batch.requested
        if asked_amount == amount and str(user_id).lower() in wanted
    ]
    users = get_user_model().objects.in_bulk({user_id for _batch, user_id, _reason in asked})
    repeats += [
        RepeatedAward(users.get(user_id), amount, reason, batch.created_at, True) for batch, user_id, reason in asked
    ]
    return sorted(repeats, key=lambda repeat: repeat.at, reverse=True)


def points_transaction_list(*, user_id: str) -> QuerySet[PointsTransaction]:
    """The user's ledger, newest first, with each row's order and product, who gave it and the
    award a correction corrects, in the same query."""
    return (
        PointsTransaction.objects.filter(user_id=user_id)
        .select_related("order__product", "awarded_by", "reverses")
        .order_by("-created_at", "-id")
    )


def points_lot_list(*, user_id: str) -> QuerySet[PointsLot]:
    """The account's open lots in the order they are spent (oldest first), with the row that
    credited each (what it was for)."""
    return (
        PointsLot.objects.filter(user_id=user_id, is_open=True)
        .select_related("credit")
        .order_by("credited_at", "credit_id")
    )


@dataclass(frozen=True)
class ReversalState:
    """What an award can still be corrected by: never more than it gave, less what was reversed
    already and what of it expired (those points left the account once already), nor more than
    the employee has left."""

    award_points: int
    reversed: int
    balance: int
    expired: int = 0

    @property
    def remaining(self) -> int:
        return self.award_points - self.reversed - self.expired

    @property
    def reversible(self) -> int:
        return max(min(self.remaining, self.balance), 0)

    def refusal(self, amount: int) -> str:
        figures = {
            "points": number(self.award_points),
            "reversed": number(self.reversed),
            "expired": number(self.expired),
            "reversible": number(self.reversible),
            "balance": number(self.balance),
        }
        if self.remaining == 0 and self.expired and self.reversed:
            return (
                _(
                    "%(expired)s points of this award expired and the rest was reversed already: "
                    "there is nothing left to reverse."
                )
                % figures
            )
        if self.remaining == 0 and self.expired:
            return _("%(expired)s points of this award expired: there is nothing left to reverse.") % figures
        if self.remaining == 0:
            return _("This award has been reversed in full already; there is nothing left to reverse.")
        if amount > self.remaining and self.expired:
            return (
                _(
                    "This award gave %(points)s points: %(reversed)s were reversed already and "
                    "%(expired)s expired, so at most %(reversible)s can be reversed."
                )
                % figures
            )
        if amount > self.remaining:
            return (
                _(
                    "This award gave %(points)s points and %(reversed)s were reversed already: "
                    "at most %(reversible)s can be reversed."
                )
                % figures
            )
        return (
            _(
                "The employee has already spent some of these points (balance %(balance)s): "
                "at most %(reversible)s can be reversed now."
            )
            % figures
        )


def reversal_state(*, award: PointsTransaction, balance: int | None = None) -> ReversalState:
    """The award's reversal figures. `balance` is the employee's balance read under their lock,
    when the caller holds it; without it, the figures are for showing, not for deciding."""
    reversed_total = award.reversals.aggregate(total=Sum("points_amount", default=0))["total"]
    if balance is None:
        balance = user_points_get(user_id=award.user_id).current_points
    return ReversalState(
        award_points=award.points_amount, reversed=reversed_total, balance=balance, expired=award_points_expired(award)
    )


def award_points_expired(award: PointsTransaction) -> int:
    """How many of an award's points lapsed: what was left in its own lot, and what an order took
    from it and its refund could not give back (the award's lot had expired by then), so it went
    into the refund's own lot, dated as the award, and lapsed there."""

    def expired_of(lot_id: str) -> int:
        rows = PointsTransaction.objects.filter(expires_id=lot_id, transaction_type=PointsTransaction.Type.EXPIRED)
        return rows.aggregate(total=Sum("points_amount", default=0))["total"]

    expired = expired_of(award.pk)
    taken_by_orders = PointsLotMove.objects.filter(
        lot_id=award.pk, points__gt=0, entry__transaction_type=PointsTransaction.Type.REDEEMED
    ).values_list("entry__order_id", "points")
    for order_id, taken in taken_by_orders:
        refund = PointsTransaction.objects.filter(
            order_id=order_id, user_id=award.user_id, transaction_type=PointsTransaction.Type.REFUNDED
        ).first()
        if refund is None or PointsLotMove.objects.filter(lot_id=award.pk, entry=refund).exists():
            continue  # the order stands, or its refund went back to the award's own lot
        expired += min(taken, expired_of(refund.pk))
    return min(expired, award.points_amount)


def budget_period_today() -> dict[str, object]:
    """The lookup of the budget that today's awards draw from (TIME_ZONE's today)."""
    today = company_today()
    return {"starts_on__lte": today, "ends_on__gte": today}


def budget_used(*, budget: PointsBudget, giver_id: str | None = None) -> int:
    """Points awarded in the budget's period (by `giver_id`, if given), less what was reversed of
    those awards since: a correction gives its points back to the award's budget. Two SQL sums."""
    period = (company_day_start(budget.starts_on), company_day_start(budget.ends_on + timedelta(days=1)))
    awards = PointsTransaction.objects.filter(
        transaction_type=PointsTransaction.Type.EARNED, created_at__gte=period[0], created_at__lt=period[1]
    )
    reversals = PointsTransaction.objects.filter(
        transaction_type=PointsTransaction.Type.REVERSED,
        reverses__transaction_type=PointsTransaction.Type.EARNED,  # not a colleague's recognition
        created_at__gte=period[0],  # a reversal comes after its award: the index's range
        reverses__created_at__gte=period[0],
        reverses__created_at__lt=period[1],
    )
    if giver_id is not None:
        awards, reversals = awards.filter(awarded_by_id=giver_id), reversals.filter(reverses__awarded_by_id=giver_id)
    given = awards.aggregate(total=Sum("points_amount", default=0))["total"]
    return given - reversals.aggregate(total=Sum("points_amount", default=0))["total"]


@dataclass(frozen=True)
class BudgetStanding:
    """Where a budget stands now: the programme's for today's period, or one HR user's limit in
    it (`giver` set), with what is awarded from it so far."""

    budget: PointsBudget
    points: int
    used: int
    giver: Any = None

    @property
    def left(self) -> int:
        return max(self.points - self.used, 0)

    def left_after(self, points: int) -> int:
        """What `points` more would leave; below 0, by how much they would go over."""
        return self.points - self.used - points


def budget_standings_today(*, giver_id: str) -> list[BudgetStanding]:
    """The budgets an award by `giver_id` would draw on today, as `budgets.budget_draw` checks
    them: the period's budget, and the giver's limit in it if they have one; none without a
    budget. For showing: the draw itself counts again under the budget's lock."""
    budget = PointsBudget.objects.filter(**budget_period_today()).first()
    if budget is None:
        return []
    standings = [BudgetStanding(budget=budget, points=budget.points, used=budget_used(budget=budget))]
    limit = PointsBudgetLimit.objects.filter(budget=budget, giver_id=giver_id).select_related("giver").first()
    if limit is not None:
        used = budget_used(budget=budget, giver_id=giver_id)
        standings.append(BudgetStanding(budget=budget, points=limit.points, used=used, giver=limit.giver))
    return standings


def award_requests_waiting_besides(*, batch_id: str) -> tuple[int, int]:
    """How many other award requests wait for a decision, and the points they ask for: what the
    budget must also cover if they are approved too."""
    others = AwardBatch.objects.filter(status=AwardBatch.Status.PENDING).exclude(pk=batch_id)
    figures = others.aggregate(count=Count("pk"), points=Sum("points_total", default=0))
    return figures["count"], figures["points"]


def award_request_recipients(*, batches: list[AwardBatch]) -> dict[str, str]:
    """The name (or e-mail, for someone without one) of everyone these requests are for, by id:
    one query for a page of requests."""
    user_ids = {str(row[0]) for batch in batches for row in batch.requested or []}
    people = get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "first_name", "last_name", "email")
    return {str(pk): f"{first} {last}".strip() or email for pk, first, last, email in people}


def award_request_list(*, status: str | None = None) -> QuerySet[AwardBatch]:
    """Award requests (not reversals), newest first, with who asked and who decided."""
    requests = AwardBatch.objects.filter(kind=AwardBatch.Kind.AWARD).select_related("awarded_by", "decided_by")
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at")


# --- The programme's figures (the admin's dashboard) ---------------------------------------------
# Every figure is an SQL aggregate over the ledger (or the orders, or the balances): no rows are
# read into Python, so the page costs the same queries at any ledger size (one per month shown,
# and five more; make bench measures it with 1,000,000 rows).


def lots_remaining(*, credit_ids: list[str]) -> dict[str, int]:
    """What is left in the lots these credits opened (0 for a closed or spent one): the points of
    those credits still in the account. Under the account's lock, final until its transaction ends."""
    remaining = dict(PointsLot.objects.filter(pk__in=credit_ids, is_open=True).values_list("pk", "remaining"))
    return {credit_id: remaining.get(credit_id, 0) for credit_id in credit_ids}


def lots_with_points_left(*, credit_ids) -> QuerySet:
    """The ids of the credits' lots that still hold points (`credit_ids`: ids or a subquery), as a
    subquery for the caller's filter."""
    return PointsLot.objects.filter(pk__in=credit_ids, is_open=True, remaining__gt=0).values("pk")
