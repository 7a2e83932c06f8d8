"""The programme's own reports, for HR and ops: the consistency check of the whole system (every
balance against its ledger, every order against its redemption and refund, every product's stock
against its options) and the dashboard's figures. They read every app's tables, so they sit above
them all (docs/architecture.md, "Layers")."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from awsomeshop.text import counted
from awsomeshop.timezones import company_day_start
from orders.models import Order
from points.expiry import expiry_rule, points_expiring_within
from points.ledger import lots_replay_difference
from points.models import (
    KIND_EFFECTS,
    PointsBudget,
    PointsLot,
    PointsLotMove,
    PointsTransaction,
    UserPoints,
    figures_from_sums,
)
from points.selectors import budget_period_today, budget_used
from recognition.selectors import RecognitionFigures, recognition_figures, recognition_problem_list
from shop.models import Product, ProductOption
from shop.selectors import most_wished_products


@dataclass(frozen=True)
class LedgerProblem:
    """One disagreement found by `ledger_problem_list`."""

    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}: {self.detail}"


def _ledger_total(transaction_type: str) -> Coalesce:
    """The sum of one user's ledger rows of a type, as a subquery on the balance row. The database
    matches the ids, by its own collation, exactly as it matched them when the rows were written."""
    rows = (
        PointsTransaction.objects.filter(user_id=OuterRef("pk"), transaction_type=transaction_type)
        .order_by()
        .values("user_id")
        .annotate(total=Sum("points_amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows), 0)


def _balance_problems() -> list[LedgerProblem]:
    """Every balance against what its ledger rows leave, kind by kind (`KIND_EFFECTS`)."""
    problems = []
    kinds = [str(kind) for kind in KIND_EFFECTS]
    balances = UserPoints.objects.annotate(**{f"ledger_{kind}": _ledger_total(kind) for kind in kinds}).values_list(
        "user_id", "current_points", "total_earned", "total_redeemed", *(f"ledger_{kind}" for kind in kinds)
    )
    for user_id, current, earned, redeemed, *sums in balances.iterator():
        expected = figures_from_sums(dict(zip(kinds, sums, strict=True)))
        if (current, earned, redeemed) != expected:
            problems.append(
                LedgerProblem(
                    "user",
                    user_id,
                    f"balance {current}/{earned}/{redeemed} (current/earned/redeemed) but the ledger says "
                    f"{expected[0]}/{expected[1]}/{expected[2]}",
                )
            )
        elif current < 0:
            problems.append(LedgerProblem("user", user_id, f"negative balance {current}"))
    without_balance = (
        PointsTransaction.objects.exclude(user_id__in=UserPoints.objects.values("pk"))
        .order_by()
        .values("user_id")
        .annotate(**{kind: Sum("points_amount", filter=Q(transaction_type=kind), default=0) for kind in kinds})
    )
    for row in without_balance:
        rows = ", ".join(f"{row[kind]} {kind}" for kind in kinds)
        problems.append(LedgerProblem("user", row["user_id"], f"ledger rows ({rows}) but no balance row"))
    return problems


def _order_problems() -> list[LedgerProblem]:
    problems = []
    redeemed = PointsTransaction.Type.REDEEMED
    redemptions = Count("points_transactions", filter=Q(points_transactions__transaction_type=redeemed))
    orders = Order.objects.annotate(redemptions=redemptions).exclude(redemptions=1).values_list("id", "redemptions")
    for order_id, count in orders:
        problems.append(LedgerProblem("order", order_id, f"has {count} redemption rows in the ledger, expected 1"))
    mismatched = PointsTransaction.objects.filter(transaction_type=redeemed, order__isnull=False).exclude(
        points_amount=F("order__points_used")
    )
    for row in mismatched.values_list("id", "order_id"):
        problems.append(LedgerProblem("transaction", row[0], f"amount differs from order {row[1]}'s points_used"))
    orphans = PointsTransaction.objects.filter(
        transaction_type__in=[redeemed, PointsTransaction.Type.REFUNDED], order__isnull=True
    ).values_list("id", "transaction_type")
    problems.extend(LedgerProblem("transaction", row_id, f"{kind} without an order") for row_id, kind in orphans)
    # The column has no foreign key (as documented), and a redemption posts its ledger row before
    # it inserts the order: a row naming an order that is not there is points gone for nothing.
    dangling = (
        PointsTransaction.objects.filter(order_id__isnull=False)
        .exclude(order_id__in=Order.objects.values("pk"))
        .values_list("id", "transaction_type", "points_amount", "order_id")
    )
    problems.extend(
        LedgerProblem(
            "transaction", row_id, f"{kind} row of {amount} points names order {order_id}, which does not exist"
        )
        for row_id, kind, amount, order_id in dangling
    )
    return problems + _refund_problems()


def _refund_problems() -> list[LedgerProblem]:
    """A cancelled order has exactly one refund of what it cost (none if it cost nothing); any
    other order has none. Refunds go to the order's own employee."""
    refunded = PointsTransaction.Type.REFUNDED
    refunds = Count("points_transactions", filter=Q(points_transactions__transaction_type=refunded))
    refund_total = Sum("points_transactions__points_amount", filter=Q(points_transactions__transaction_type=refunded))
    orders = Order.objects.annotate(refunds=refunds, refund_total=Coalesce(refund_total, 0))
    cancelled = Order.Status.CANCELLED
    wrong = orders.filter(
        Q(status=cancelled, points_used__gt=0) & (~Q(refunds=1) | ~Q(refund_total=F("points_used")))
        | ~Q(status=cancelled) & Q(refunds__gt=0)
    )
    problems = [
        LedgerProblem(
            "order",
            order_id,
            f"{status} with {counted(count, 'refund row', 'refund rows')} of {total} points; it cost {used}",
        )
        for order_id, status, count, total, used in wrong.values_list(
            "id", "status", "refunds", "refund_total", "points_used"
        )
    ]
    elsewhere = PointsTransaction.objects.filter(transaction_type=refunded, order__isnull=False).exclude(
        user_id=F("order__user_id")
    )
    problems.extend(
        LedgerProblem("transaction", row_id, f"refund to another employee than order {order_id}'s")
        for row_id, order_id in elsewhere.values_list("id", "order_id")
    )
    return problems


def _stock_problems() -> list[LedgerProblem]:
    negative = Product.objects.filter(stock_quantity__lt=0).values_list("id", "stock_quantity")
    problems = [LedgerProblem("product", product_id, f"negative stock {stock}") for product_id, stock in negative]
    options_total = Subquery(
        ProductOption.objects.filter(product_id=OuterRef("pk"))
        .order_by()
        .values("product_id")
        .annotate(total=Sum("stock_quantity"))
        .values("total")
    )
    with_options = Product.objects.filter(options__isnull=False).distinct().annotate(options_stock=options_total)
    problems.extend(
        LedgerProblem("product", product_id, f"stock {stock} but its options hold {options_stock}")
        for product_id, stock, options_stock in with_options.exclude(stock_quantity=F("options_stock")).values_list(
            "id", "stock_quantity", "options_stock"
        )
    )
    negative_options = ProductOption.objects.filter(stock_quantity__lt=0).values_list("id", "stock_quantity")
    problems.extend(
        LedgerProblem("option", option_id, f"negative stock {stock}") for option_id, stock in negative_options
    )
    return problems


# What a reversal may correct: HR's award, or a colleague's recognition that HR hid.
CREDIT_KINDS = [PointsTransaction.Type.EARNED, PointsTransaction.Type.RECEIVED]


def _reversal_problems() -> list[LedgerProblem]:
    """Every reversal names an award of the same employee, and no award is reversed by more than
    it gave; every other row names none."""
    reversed_ = PointsTransaction.Type.REVERSED
    wrong_link = PointsTransaction.objects.filter(transaction_type=reversed_).filter(
        Q(reverses__isnull=True) | ~Q(reverses__transaction_type__in=CREDIT_KINDS) | ~Q(reverses__user_id=F("user_id"))
    )
    problems = [
        LedgerProblem("transaction", row_id, "reversal without an award of the same employee")
        for row_id in wrong_link.values_list("id", flat=True)
    ]
    linked = PointsTransaction.objects.exclude(transaction_type=reversed_).filter(reverses__isnull=False)
    problems.extend(
        LedgerProblem("transaction", row_id, f"{kind} row names an award it reverses")
        for row_id, kind in linked.values_list("id", "transaction_type")
    )
    over = (
        PointsTransaction.objects.filter(transaction_type__in=CREDIT_KINDS, reversals__isnull=False)
        .annotate(reversed_total=Sum("reversals__points_amount"))
        .filter(reversed_total__gt=F("points_amount"))
    )
    problems.extend(
        LedgerProblem("transaction", row_id, f"award of {amount} reversed by {total}")
        for row_id, amount, total in over.values_list("id", "points_amount", "reversed_total")
    )
    return problems


def _moved(entry_or_lot: str, *, sign: int | None = None) -> Coalesce:
    """The sum of the lot moves of the outer row (a ledger row's or a lot's), all of them or only
    those taking (sign 1) or giving back (sign -1)."""
    moves = PointsLotMove.objects.filter(**{entry_or_lot: OuterRef("pk")})
    if sign is not None:
        moves = moves.filter(points__gt=0) if sign > 0 else moves.filter(points__lt=0)
    return Coalesce(Subquery(moves.order_by().values(entry_or_lot).annotate(total=Sum("points")).values("total")), 0)


def _lot_problems() -> list[LedgerProblem]:
    """Every account's open lots sum to its balance; every lot holds what its moves left of it;
    every ledger row moved its amount: a debit took it from lots, a credit put it into lots (its
    own and those it gave back to); every expiry took its own lot's rest, and only one did."""
    lots_sum = PointsLot.objects.filter(user_id=OuterRef("pk")).order_by().values("user_id")
    disagree = (
        UserPoints.objects.annotate(lots=Coalesce(Subquery(lots_sum.annotate(t=Sum("remaining")).values("t")), 0))
        .exclude(lots=F("current_points"))
        .values_list("user_id", "current_points", "lots")
    )
    problems = [
        LedgerProblem("user", user_id, f"balance {current} but its lots hold {lots}")
        for user_id, current, lots in disagree
    ]
    lots = PointsLot.objects.annotate(moved=_moved("lot")).exclude(remaining=F("points") - F("moved"))
    problems.extend(
        LedgerProblem("lot", lot_id, f"{remaining} left of {points} but its moves leave {points - moved}")
        for lot_id, remaining, points, moved in lots.values_list("pk", "remaining", "points", "moved")
    )
    debits = [str(kind) for kind, effect in KIND_EFFECTS.items() if effect.current < 0]
    took = (
        PointsTransaction.objects.filter(transaction_type__in=debits)
        .annotate(took=_moved("entry"))
        .exclude(took=F("points_amount"))
    )
    problems.extend(
        LedgerProblem("transaction", row_id, f"{kind} of {amount} took {taken} from lots")
        for row_id, kind, amount, taken in took.values_list("id", "transaction_type", "points_amount", "took")
    )
    put = (
        PointsTransaction.objects.exclude(transaction_type__in=debits)
        .annotate(put=Coalesce(F("lot__points"), 0) - _moved("entry", sign=-1))
        .exclude(put=F("points_amount"))
    )
    problems.extend(
        LedgerProblem("transaction", row_id, f"{kind} of {amount} put {into} into lots")
        for row_id, kind, amount, into in put.values_list("id", "transaction_type", "points_amount", "put")
    )
    problems.extend(_lot_replay_problems())
    expired = PointsTransaction.Type.EXPIRED
    wrong_expiry = PointsTransaction.objects.filter(transaction_type=expired).exclude(
        expires__user_id=F("user_id"), expires__remaining=0
    )
    problems.extend(
        LedgerProblem("transaction", row_id, "expiry that did not take the rest of a lot of its own account")
        for row_id in wrong_expiry.values_list("id", flat=True)
    )
    return problems


def _lot_replay_problems() -> list[LedgerProblem]:
    """Every account's lots and moves against those its ledger gives when replayed oldest row
    first (`ledger.lots_replay_difference`): the live ledger and the replay spend by the same
    rules, so any difference is a bug, or a row written out of turn."""
    problems = []
    for user_id in UserPoints.objects.order_by("pk").values_list("pk", flat=True).iterator():
        if difference := lots_replay_difference(user_id=user_id):
            problems.append(LedgerProblem("user", user_id, difference))
    return problems


def ledger_problem_list() -> list[LedgerProblem]:
    """Every balance that disagrees with the ledger (refunds and reversals included) or with its
    lots, every lot that disagrees with its moves, every order without exactly one matching
    redemption row (and, if cancelled, one matching refund), every reversal that does not fit its
    award, every product whose stock went negative or differs from the sum of its options', and
    every give that disagrees with its allowance or its ledger rows (recognition)."""
    return (
        _balance_problems()
        + _lot_problems()
        + _order_problems()
        + _reversal_problems()
        + _stock_problems()
        + [LedgerProblem(*problem) for problem in recognition_problem_list()]
    )


# --- Corrections and budgets --------------------------------------------------------------------


DASHBOARD_MAX_MONTHS = 60


@dataclass(frozen=True)
class MonthFigures:
    """One month of the ledger: what was awarded, corrected, redeemed, refunded and let expire."""

    month: date
    awarded: int
    reversed: int
    redeemed: int
    refunded: int
    # Breakage: points that lapsed unspent (points.expiry).
    expired: int
    # Given by colleagues from their allowances (recognition), not from HR's budgets.
    recognised: int = 0

    # The dashboard's column of each ledger kind: a kind added to KIND_EFFECTS without one fails
    # here at once (tests/points/test_ledger.py), not silently missing from the chart.
    COLUMN_OF_KIND = {
        "earned": "awarded",
        "reversed": "reversed",
        "redeemed": "redeemed",
        "refunded": "refunded",
        "expired": "expired",
        "received": "recognised",
    }

    @property
    def net_awarded(self) -> int:
        return self.awarded - self.reversed

    @property
    def net_redeemed(self) -> int:
        return self.redeemed - self.refunded


@dataclass(frozen=True)
class ProgrammeFigures:
    start: date
    end: date
    months: list[MonthFigures]
    outstanding: int
    budget: PointsBudget | None
    budget_used: int
    top_products: list[dict]
    givers: list[dict]
    # Points that lapse in the next 90 days; None when points do not expire.
    expiring_90: int | None
    # The products most people wish for, with their stock: what to restock.
    top_wished: list[dict]
    # Colleagues' recognition: per month, per value, givers, receivers, who received nothing.
    recognition: RecognitionFigures | None = None

    def total(self, name: str) -> int:
        return sum(getattr(month, name) for month in self.months)

    @property
    def redemption_rate(self) -> float | None:
        """Points redeemed (net of refunds) per point awarded (net of reversals) in the range."""
        awarded = self.total("net_awarded")
        return self.total("net_redeemed") / awarded if awarded > 0 else None

    @property
    def budget_left(self) -> int | None:
        return None if self.budget is None else max(self.budget.points - self.budget_used, 0)


def _month_starts(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _ledger_by_month(*, start: date, end: date) -> list[MonthFigures]:
    """Per month (TIME_ZONE's, from bounds computed here, so no database time-zone tables are
    needed), one grouped sum per type over the month's slice of the covering index
    `idx_transaction_sums`: each row is read once and nothing is computed per row, which
    measured 3x faster than one query of conditional sums per month (docs/performance.md)."""
    figures = []
    for month, first, following in _month_bounds(start=start, end=end):
        sums = dict(
            PointsTransaction.objects.filter(created_at__gte=first, created_at__lt=following)
            .order_by()
            .values("transaction_type")
            .annotate(total=Sum("points_amount"))
            .values_list("transaction_type", "total")
        )
        columns = {MonthFigures.COLUMN_OF_KIND[kind]: int(sums.get(kind) or 0) for kind in KIND_EFFECTS}
        figures.append(MonthFigures(month=month, **columns))
    return figures


def _top_products(*, since: datetime, until: datetime, limit: int = 10) -> list[dict]:
    orders = Order.objects.filter(created_at__gte=since, created_at__lt=until).exclude(status=Order.Status.CANCELLED)
    return list(
        orders.order_by()
        .values("product_id", "product__name")
        .annotate(orders=Count("id"), points=Sum("points_used"))
        .order_by("-points", "product__name")[:limit]
    )


def _givers(*, since: datetime, until: datetime, limit: int = 50) -> list[dict]:
    """Awards per HR user in the range, with what was reversed of them since: two grouped sums
    (a reversal comes after its award, so only rows since `since` are read)."""
    awards = PointsTransaction.objects.filter(
        transaction_type=PointsTransaction.Type.EARNED, created_at__gte=since, created_at__lt=until
    )
    # Grouped by id alone, from the covering index; the e-mails of the top ones come after.
    givers = list(
        awards.order_by()
        .values("awarded_by_id")
        .annotate(awards=Count("awarded_by_id"), points=Sum("points_amount"))
        .order_by("-points", "awarded_by_id")[:limit]
    )
    emails = dict(
        get_user_model().objects.filter(pk__in=[g["awarded_by_id"] for g in givers]).values_list("pk", "email")
    )
    givers = [{**giver, "awarded_by__email": emails.get(giver["awarded_by_id"])} for giver in givers]
    reversed_by_giver = dict(
        PointsTransaction.objects.filter(
            transaction_type=PointsTransaction.Type.REVERSED,
            reverses__transaction_type=PointsTransaction.Type.EARNED,
            created_at__gte=since,
            reverses__created_at__gte=since,
            reverses__created_at__lt=until,
        )
        .order_by()
        .values("reverses__awarded_by_id")
        .annotate(total=Sum("points_amount"))
        .values_list("reverses__awarded_by_id", "total")
    )
    return [{**giver, "reversed": reversed_by_giver.get(giver["awarded_by_id"], 0)} for giver in givers]


def programme_figures(*, start: date, end: date, with_recognition: bool = True) -> ProgrammeFigures:
    """The dashboard's figures for the days from `start` to `end` (both included)."""
    since, until = company_day_start(start), company_day_start(end + timedelta(days=1))
    budget = PointsBudget.objects.filter(**budget_period_today()).first()
    return ProgrammeFigures(
        start=start,
        end=end,
        months=_ledger_by_month(start=start, end=end),
        outstanding=UserPoints.objects.aggregate(total=Sum("current_points", default=0))["total"],
        budget=budget,
        budget_used=budget_used(budget=budget) if budget else 0,
        top_products=_top_products(since=since, until=until),
        givers=_givers(since=since, until=until),
        expiring_90=points_expiring_within(days=90) if expiry_rule() else None,
        top_wished=most_wished_products(limit=10),
        recognition=recognition_figures(month_bounds=_month_bounds(start=start, end=end), since=since, until=until)
        if with_recognition
        else None,
    )


def _month_bounds(*, start: date, end: date) -> list[tuple[date, datetime, datetime]]:
    """Each month of the range with its first instant and the next month's (the range's own
    first and last day at the ends), in TIME_ZONE."""
    months = _month_starts(start, end)
    bounds = [max(company_day_start(month), company_day_start(start)) for month in months]
    bounds.append(company_day_start(end + timedelta(days=1)))
    return [(month, bounds[i], bounds[i + 1]) for i, month in enumerate(months)]
