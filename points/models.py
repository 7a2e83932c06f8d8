from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from awsomeshop.db import EnumColumn, ExactCharField, TimestampColumn, new_id
from awsomeshop.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH
from awsomeshop.text import day, number


class LedgerKind(models.TextChoices):
    """What a ledger row is: `points_transactions.transaction_type`."""

    EARNED = "earned", _("Earned")
    REDEEMED = "redeemed", _("Redeemed")
    REFUNDED = "refunded", _("Refunded")
    REVERSED = "reversed", _("Reversed")
    EXPIRED = "expired", _("Expired")
    # Points a colleague gave from their giving allowance (the recognition app's gives).
    RECEIVED = "received", _("Recognition received")


class LotRule(models.TextChoices):
    """How a kind's row moves the account's lots (`PointsLot`): the order points are spent in."""

    # A credit that opens a lot of its own.
    OPEN = "open"
    # A refund: back to the lots its order's redemption took from, where they have not expired;
    # the rest opens a lot of its own, so no lot ever expires twice.
    GIVE_BACK = "give_back"
    # A debit: from the lot the row names first (the award a reversal corrects, the lot an expiry
    # lapses), then from the oldest open lots.
    TAKE = "take"


@dataclass(frozen=True)
class Effect:
    """How a row of one kind moves an account's three figures, per point of its amount: +1, -1 or 0
    for `current_points`, `total_earned` and `total_redeemed`, and its lots. current = earned -
    redeemed must hold after every kind, so `current == earned - redeemed` here too
    (tests/points/test_ledger.py)."""

    current: int
    earned: int
    redeemed: int
    lots: str = LotRule.TAKE


# The one table of what each kind does. The ledger's writes (`points.ledger.post`), a row's
# signed amount, the schema's CHECK of kinds, the ledger check and the dashboard's sums derive
# from it; adding a kind is a line here, its label above and a migration of the ENUM.
KIND_EFFECTS: dict[str, Effect] = {
    LedgerKind.EARNED: Effect(current=+1, earned=+1, redeemed=0, lots=LotRule.OPEN),
    LedgerKind.REDEEMED: Effect(current=-1, earned=0, redeemed=+1),
    # A refund undoes an order: total_redeemed counts what the orders that stand cost.
    LedgerKind.REFUNDED: Effect(current=+1, earned=0, redeemed=-1, lots=LotRule.GIVE_BACK),
    # A reversal corrects an award: those points were never really given.
    LedgerKind.REVERSED: Effect(current=-1, earned=-1, redeemed=0),
    # What is left of a lot past its date (POINTS_EXPIRY_MONTHS): earned, then lapsed. Counted
    # off total_earned like a reversal, so total_redeemed stays what the orders that stand cost.
    LedgerKind.EXPIRED: Effect(current=-1, earned=-1, redeemed=0),
    # A colleague's recognition: earned like an award, from the giver's allowance, not a budget.
    LedgerKind.RECEIVED: Effect(current=+1, earned=+1, redeemed=0, lots=LotRule.OPEN),
}


def figures_from_sums(sums: dict[str, int]) -> tuple[int, int, int]:
    """The (current, earned, redeemed) that ledger rows summing to `sums` per kind leave an
    account with, by `KIND_EFFECTS`: what the ledger check expects of every balance."""
    return (
        sum(effect.current * sums.get(kind, 0) for kind, effect in KIND_EFFECTS.items()),
        sum(effect.earned * sums.get(kind, 0) for kind, effect in KIND_EFFECTS.items()),
        sum(effect.redeemed * sums.get(kind, 0) for kind, effect in KIND_EFFECTS.items()),
    )


class Employee(User):
    """A user as HR sees them: someone who earns and spends points. Same table, no new data."""

    class Meta:
        proxy = True
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["email"]


class UserPoints(models.Model):
    """An employee's balance; maps onto the documented `user_points` table.

    Only `points.ledger` changes it, always together with a ledger row, by the effect of the row's
    kind (`KIND_EFFECTS`): so `current_points == total_earned - total_redeemed`, with
    `total_earned == sum(earned) - sum(reversed)` and `total_redeemed == sum(redeemed) -
    sum(refunded)`. The database enforces the first equality and non-negative figures.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="points",
        db_column="user_id",
        db_constraint=False,
        verbose_name=_("user"),
    )
    current_points = models.IntegerField(default=0, db_default=0, verbose_name=_("current points"))
    total_earned = models.IntegerField(default=0, db_default=0, verbose_name=_("total earned"))
    total_redeemed = models.IntegerField(default=0, db_default=0, verbose_name=_("total redeemed"))
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))
    updated_at = TimestampColumn(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        db_table = "user_points"
        verbose_name = _("points balance")
        verbose_name_plural = _("points balances")
        indexes = [
            models.Index(fields=["current_points"], name="idx_user_points"),
            models.Index(fields=["updated_at"], name="idx_updated_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(current_points__gte=0), name="user_points_current_not_negative"),
            models.CheckConstraint(condition=Q(total_earned__gte=0), name="user_points_earned_not_negative"),
            models.CheckConstraint(condition=Q(total_redeemed__gte=0), name="user_points_redeemed_not_negative"),
            models.CheckConstraint(
                condition=Q(current_points=F("total_earned") - F("total_redeemed")),
                name="user_points_current_is_earned_minus_redeemed",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(user)s: %(points)s points") % {"user": self.user_id, "points": number(self.current_points)}


# An award request's status inside a sentence, as each language writes it there (German keeps its
# nouns' capitals, so lower-casing the label is no rule).
_STATUS_MID_SENTENCE = {
    "applied": pgettext_lazy("an award request's status, inside a sentence", "applied"),
    "pending": pgettext_lazy("an award request's status, inside a sentence", "waiting for approval"),
    "rejected": pgettext_lazy("an award request's status, inside a sentence", "rejected"),
}


class AwardBatch(models.Model):
    """One confirmed award request (a form, a CSV file, an API call), applied at most once.

    Forms and confirmed files carry the batch id made when the page was shown, so a double submit,
    a reload or a replayed confirmation finds this row instead of paying again; API clients send
    their own `Idempotency-Key`, unique per HR user. `fingerprint` is what was confirmed (who,
    how much, why), so the same key with other awards is refused, never applied.
    """

    class Source(models.TextChoices):
        FORM = "form", _("Award form")
        FILE = "file", _("CSV file")
        API = "api", _("API")

    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        REVERSAL = "reversal", _("Reversal")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        # Four-eyes: an award above POINTS_APPROVAL_ABOVE credits nothing until another HR user approves.
        PENDING = "pending", _("Waiting for approval")
        REJECTED = "rejected", _("Rejected")

    id = models.CharField(primary_key=True, max_length=36, default=new_id, editable=False, verbose_name=_("id"))
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="award_batches",
        db_index=False,
        verbose_name=_("awarded by"),
    )
    source = models.CharField(max_length=4, choices=Source.choices, verbose_name=_("source"))
    kind = models.CharField(
        max_length=8, choices=Kind.choices, default=Kind.AWARD, db_default=Kind.AWARD, verbose_name=_("kind")
    )
    status = models.CharField(
        max_length=8,
        choices=Status.choices,
        default=Status.APPLIED,
        db_default=Status.APPLIED,
        verbose_name=_("status"),
    )
    # What was asked for, [[user_id, amount, reason], …]: what an approver sees and applies.
    requested = models.JSONField(default=list, blank=True, verbose_name=_("requested"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_batches_decided",
        help_text=_("The second HR user who approved or rejected it."),
        verbose_name=_("decided by"),
    )
    decided_at = TimestampColumn(null=True, blank=True, verbose_name=_("decided at"))
    decision_note = models.CharField(max_length=255, blank=True, default="", verbose_name=_("decision note"))
    client_key = ExactCharField(
        max_length=IDEMPOTENCY_KEY_MAX_LENGTH, null=True, blank=True, editable=False, verbose_name=_("client key")
    )  # noqa: DJ001 - NULL: no key
    fingerprint = models.CharField(max_length=64, verbose_name=_("fingerprint"))
    award_count = models.PositiveIntegerField(verbose_name=_("award count"))
    points_total = models.BigIntegerField(verbose_name=_("points total"))
    # The balance each award left, as the API's first answer showed it, so a replay shows it too.
    balances = models.JSONField(default=dict, verbose_name=_("balances"))
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        db_table = "points_award_batches"
        # "Were the same awards applied lately?" when a file is previewed.
        indexes = [
            models.Index(fields=["fingerprint", "created_at"], name="idx_award_batch_fingerprint"),
            models.Index(fields=["status", "created_at"], name="idx_award_batch_status"),
        ]
        verbose_name = _("award request")
        verbose_name_plural = _("award requests")
        permissions = [("approve_award", _("Can approve another HR user's large award"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="applied") | Q(kind="award", status__in=["pending", "rejected"]),
                name="award_batches_only_awards_wait",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True) | ~Q(status="pending"),
                name="award_batches_pending_undecided",
            ),
            # NULLs never collide: forms and files are unique by their id alone.
            models.UniqueConstraint(fields=["awarded_by", "client_key"], name="award_batches_client_key_unique"),
        ]

    def __str__(self) -> str:
        return gettext("%(summary)s (%(status)s)") % {
            "summary": self.summary,
            "status": _STATUS_MID_SENTENCE[self.status],
        }

    @property
    def summary(self) -> str:
        """What was asked, in words: “2 awards of 3,000 points”, “reversal of 900 points”."""
        if self.kind == self.Kind.REVERSAL:
            return gettext("reversal of %(points)s points") % {"points": number(self.points_total)}
        return ngettext(
            "%(count)s award of %(points)s points", "%(count)s awards of %(points)s points", self.award_count
        ) % {"count": number(self.award_count), "points": number(self.points_total)}


class PointsTransaction(models.Model):
    """One append-only ledger row; maps onto the documented `points_transactions` table.

    `points_amount` is always positive; `transaction_type` says which way it went. Corrections are
    new rows, never edits: a cancelled order's points come back as a `refunded` row linked to the
    order, and the balance's `total_redeemed` goes down by it (it counts what orders that stand
    cost); an award given by mistake is taken back, whole or in part, by a `reversed` row linked to
    the award (`reverses`), and `total_earned` goes down by it. So `current_points = total_earned -
    total_redeemed` still holds, and no award is ever reversed by more than it gave.
    """

    Type = LedgerKind

    id = models.CharField(
        primary_key=True,
        max_length=255,
        default=new_id,
        editable=False,
        db_column="transaction_id",
        verbose_name=_("id"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="points_transactions",
        db_column="user_id",
        db_constraint=False,
        db_index=False,
        verbose_name=_("user"),
    )
    transaction_type = EnumColumn(max_length=8, choices=Type.choices, verbose_name=_("transaction type"))
    points_amount = models.IntegerField(verbose_name=_("points amount"))
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_transactions",
        db_column="order_id",
        db_constraint=False,
        db_index=False,
        verbose_name=_("order"),
    )
    description = models.CharField(max_length=255, blank=True, null=True, verbose_name=_("description"))  # noqa: DJ001 - nullable in the schema
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))
    # Not in the documented schema; added by later migrations as nullable columns.
    balance_after = models.IntegerField(
        null=True, blank=True, help_text=_("The balance right after this row."), verbose_name=_("balance after")
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_awarded",
        help_text=_("Who gave the points, for awards."),
        verbose_name=_("awarded by"),
    )
    batch = models.ForeignKey(
        AwardBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        help_text=_("The confirmed request this row belongs to, for awards and reversals."),
        verbose_name=_("batch"),
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        db_index=False,
        help_text=_("The award this reversal corrects."),
        verbose_name=_("reverses"),
    )
    expires = models.OneToOneField(
        "PointsLot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expiry",
        db_column="expires_lot_id",
        help_text=_("The lot whose rest this row expired: one expiry per lot, however often the job runs."),
        verbose_name=_("expires"),
    )

    class Meta:
        verbose_name = _("points transaction")
        verbose_name_plural = _("points transactions")
        db_table = "points_transactions"
        ordering = ["-created_at", "-id"]
        permissions = [("award_points", _("Can award points to employees"))]
        indexes = [
            models.Index(fields=["user"], name="idx_user_transactions"),
            models.Index(fields=["created_at"], name="idx_transaction_date"),
            models.Index(fields=["transaction_type"], name="idx_transaction_type"),
            models.Index(fields=["order"], name="idx_transaction_order"),
            # "My transactions", newest first, read in index order at any ledger size.
            models.Index(fields=["user", "created_at", "id"], name="idx_user_transactions_date"),
            models.Index(fields=["reverses"], name="idx_transaction_reverses"),
            # The dashboard's and the budgets' sums over a date range (per type, per giver), read
            # from the index alone: 1,000,000 rows in make bench.
            models.Index(
                fields=["created_at", "transaction_type", "awarded_by", "points_amount"], name="idx_transaction_sums"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(points_amount__gt=0), name="points_transactions_amount_positive"),
            models.CheckConstraint(
                condition=Q(transaction_type__in=[str(kind) for kind in KIND_EFFECTS]),
                name="points_transactions_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(transaction_type="reversed", reverses__isnull=False)
                | (~Q(transaction_type="reversed") & Q(reverses__isnull=True)),
                name="points_transactions_reversal_names_its_award",
            ),
            models.CheckConstraint(
                condition=Q(transaction_type="expired", expires__isnull=False)
                | (~Q(transaction_type="expired") & Q(expires__isnull=True)),
                name="points_transactions_expiry_names_its_lot",
            ),
        ]

    def __str__(self) -> str:
        figures = {"kind": self.get_transaction_type_display(), "points": number(self.points_amount)}
        if self.created_at is None:
            return gettext("%(kind)s %(points)s points, new") % figures
        when = day(self.created_at.date())
        return gettext("%(kind)s %(points)s points, %(day)s") % {**figures, "day": when}

    @property
    def signed_amount(self) -> int:
        """What the row did to the balance: awards and refunds add, redemptions and reversals take."""
        return KIND_EFFECTS[self.transaction_type].current * self.points_amount


class PointsLot(models.Model):
    """Points that came in together: an award, a refund's share that could not go back where it
    came from. Spent oldest first; when expiry is on (POINTS_EXPIRY_MONTHS) what is left of a lot
    lapses at the end of the month its date falls in, that many months later.

    Only `points.ledger` writes lots, in the transaction and under the account lock of the ledger
    row that moves them: its key is the crediting row's, `remaining` is what `points` became after
    the moves (`PointsLotMove`) that took from it or gave back to it, and the open lots of an
    account always sum to its balance (the ledger check proves both)."""

    credit = models.OneToOneField(
        PointsTransaction,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="lot",
        db_column="transaction_id",
        verbose_name=_("credit"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="points_lots",
        db_column="user_id",
        db_constraint=False,
        db_index=False,
        verbose_name=_("user"),
    )
    credited_at = TimestampColumn(
        help_text=_("When the points came in: the crediting ledger row's time."), verbose_name=_("credited at")
    )
    points = models.IntegerField(verbose_name=_("points"))
    remaining = models.IntegerField(verbose_name=_("remaining"))
    # Kept with `remaining` so the spending order reads only the open lots, in index order.
    is_open = models.BooleanField(verbose_name=_("is open"))

    class Meta:
        db_table = "points_lots"
        ordering = ["credited_at", "credit"]
        verbose_name = _("points lot")
        indexes = [
            # Spending: an account's open lots, oldest first.
            models.Index(fields=["user", "is_open", "credited_at", "credit"], name="idx_lot_spending"),
            # The expiry job, the reminders and the dashboard: open lots credited before a day.
            models.Index(fields=["is_open", "credited_at"], name="idx_lot_expiry"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_lots_points_positive"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0, remaining__lte=F("points")), name="points_lots_remaining_in_range"
            ),
            models.CheckConstraint(
                condition=Q(is_open=True, remaining__gt=0) | Q(is_open=False, remaining=0),
                name="points_lots_open_means_remaining",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(remaining)s of %(points)s points from %(day)s") % {
            "remaining": number(self.remaining),
            "points": number(self.points),
            "day": day(self.credited_at),
        }


class PointsLotMove(models.Model):
    """What one ledger row did to one lot: `points` taken (a redemption, a reversal, an expiry),
    or given back when negative (a refund, to the lots its order took from)."""

    lot = models.ForeignKey(
        PointsLot, on_delete=models.PROTECT, related_name="moves", db_column="lot_id", verbose_name=_("lot")
    )
    entry = models.ForeignKey(
        PointsTransaction,
        on_delete=models.PROTECT,
        related_name="lot_moves",
        db_column="transaction_id",
        verbose_name=_("entry"),
    )
    points = models.IntegerField(verbose_name=_("points"))

    class Meta:
        db_table = "points_lot_moves"
        verbose_name = _("points lot move")
        constraints = [
            models.UniqueConstraint(fields=["entry", "lot"], name="points_lot_moves_one_per_lot"),
            models.CheckConstraint(condition=~Q(points=0), name="points_lot_moves_points_not_zero"),
        ]

    def __str__(self) -> str:
        signed = ("+" if self.points >= 0 else "") + number(self.points)
        return gettext("%(points)s points on lot %(lot)s") % {"points": signed, "lot": self.lot_id}


class PointsExpiryRuleSeen(models.Model):
    """The expiry rule in force (POINTS_EXPIRY_MONTHS, POINTS_EXPIRY_STARTS) and the day the
    daily job first ran under it: one row, written by `points.expiry`. No lot lapses within
    EXPIRY_NOTICE_DAYS of that day, so a rule switched on, shortened or moved back in time gives
    everyone a month's notice and their reminder first, whatever the settings say."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, verbose_name=_("id"))
    months = models.PositiveSmallIntegerField(verbose_name=_("months"))
    starts = models.DateField(verbose_name=_("starts"))
    seen_on = models.DateField(verbose_name=_("seen on"))

    class Meta:
        db_table = "points_expiry_rule"
        verbose_name = _("expiry rule seen")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="points_expiry_rule_one_row")]

    def __str__(self) -> str:
        return ngettext(
            "%(months)s month from %(starts)s, seen %(seen)s",
            "%(months)s months from %(starts)s, seen %(seen)s",
            self.months,
        ) % {
            "months": number(self.months),
            "starts": day(self.starts),
            "seen": day(self.seen_on),
        }


class PointsBudget(models.Model):
    """What the programme may award from `starts_on` to `ends_on` (both included, in TIME_ZONE's
    days), set by a superuser. Awards made in the period draw from it and one that would go over
    what is left is refused; a reversal gives its points back to the budget of its award's period.
    Periods never overlap: every save checks them under one lock (`points.budgets`)."""

    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    points = models.PositiveIntegerField(
        help_text=_("What HR may award in the period, all givers together."), verbose_name=_("points")
    )
    note = models.CharField(max_length=255, blank=True, default="", verbose_name=_("note"))
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        db_table = "points_budgets"
        ordering = ["-starts_on"]
        verbose_name = _("budget")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="points_budgets_period_ordered"),
            models.CheckConstraint(condition=Q(points__gt=0), name="points_budgets_points_positive"),
            models.UniqueConstraint(fields=["starts_on"], name="points_budgets_start_unique"),
        ]

    def __str__(self) -> str:
        # Days as every page writes them (“1 Jan 2030”, “1. Januar 2030”).
        return gettext("%(points)s points, %(starts)s to %(ends)s") % {
            "points": number(self.points),
            "starts": day(self.starts_on),
            "ends": day(self.ends_on),
        }


class PointsBudgetPeriodsLock(models.Model):
    """One row whose lock every budget save and delete takes first (`points.budgets`), so two
    saves are checked for overlapping periods one after the other: a check alone lets two
    concurrent saves both pass. MySQL has no constraint that could refuse overlapping ranges."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, verbose_name=_("id"))
    touched_at = TimestampColumn(null=True, blank=True, verbose_name=_("touched at"))

    class Meta:
        db_table = "points_budget_periods_lock"
        verbose_name = _("budget periods lock")

    def __str__(self) -> str:
        return gettext("budget periods lock")


class PointsBudgetLimit(models.Model):
    """At most this much of a budget may one HR user award."""

    budget = models.ForeignKey(PointsBudget, on_delete=models.CASCADE, related_name="limits", verbose_name=_("budget"))
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="budget_limits", verbose_name=_("HR user")
    )
    points = models.PositiveIntegerField(verbose_name=_("points"))

    class Meta:
        db_table = "points_budget_limits"
        verbose_name = _("limit per HR user")
        verbose_name_plural = _("limits per HR user")
        constraints = [
            models.UniqueConstraint(fields=["budget", "giver"], name="points_budget_limits_one_per_giver"),
            models.CheckConstraint(condition=Q(points__gt=0), name="points_budget_limits_points_positive"),
        ]

    def __str__(self) -> str:
        return gettext("%(giver)s: %(points)s points") % {
            "giver": self.giver.email if self.giver_id else "—",
            "points": number(self.points),
        }
