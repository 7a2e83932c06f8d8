"""The points ledger: the only code that writes `user_points` and `points_transactions`.

Call me inside your transaction: every function here refuses to run outside one, because a
balance change and its ledger row commit together or not at all. The services that move points
(awards, reversals, redemptions, refunds) decide *whether* to; this module alone decides *how*:
it locks the account, moves its three figures by the kind's effect (`KIND_EFFECTS` in
`points.models`) with the database refusing a negative or overflowing figure, and appends the
ledger row with the balance it left.

Lock order: an account is locked before any product, order or option row (see docs/architecture.md).

A kind with lots (credits consumed oldest first, which can expire) fits here without touching
the callers: `post` is where a credit would open a lot and a debit would consume them, under the
account lock that every change of those points already takes.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from awsomeshop.db import INT_COLUMN_MAX, in_transaction, row_insert

from .exceptions import BalanceLimitReached, InsufficientPoints
from .models import KIND_EFFECTS, Effect, PointsTransaction, UserPoints

OUTSIDE_A_TRANSACTION = "Balance changes must run inside a transaction with their ledger row."
REASON_MAX_LENGTH: int = PointsTransaction._meta.get_field("description").max_length or 255
BALANCE_FIELDS = ("current_points", "total_earned", "total_redeemed")

_BALANCES = UserPoints._meta.db_table


def _move_sql(effect: Effect) -> str:
    """The one UPDATE that moves an account by a kind's effect. Its WHERE refuses, by matching no
    row, any move that would take a figure below zero or past the INT column's largest value."""
    sets, guards = [], []
    for column, sign in zip(BALANCE_FIELDS, (effect.current, effect.earned, effect.redeemed), strict=True):
        if sign > 0:
            sets.append(f"{column} = {column} + %(amount)s")
            guards.append(f"{column} <= %(room)s")
        elif sign < 0:
            sets.append(f"{column} = {column} - %(amount)s")
            guards.append(f"{column} >= %(amount)s")
    where = " AND ".join(["user_id = %(user_id)s", *guards])
    return f"UPDATE {_BALANCES} SET {', '.join(sets)}, updated_at = %(now)s WHERE {where}"  # noqa: S608 - names only


_MOVE_SQL = {kind: _move_sql(effect) for kind, effect in KIND_EFFECTS.items()}


# --- Locking and reading under the lock -------------------------------------------------------
@dataclass(frozen=True)
class JoinedRead:
    """Another table's row read by the statement that locks the account, so a hot path pays one
    round trip: `LEFT JOIN {table} j ON j.user_id = b.user_id AND {condition}`, selecting
    `columns` (written against the alias `j`). `params` fill the columns' and then the
    condition's placeholders. The ledger takes the lock; the caller owns what it reads."""

    table: str
    columns: tuple[str, ...]
    condition: str
    params: tuple[object, ...]


@dataclass(frozen=True)
class LockedAccount:
    """An account locked until the caller's transaction ends: its balance (0 and `exists` False
    when it has no row yet: nothing earned) and the columns of a `JoinedRead`, if one was asked."""

    balance: int
    exists: bool
    joined: tuple[object, ...] = ()


_LOCK_SQL: dict[tuple[str, tuple[str, ...], str] | None, str] = {}


def _lock_sql(join: JoinedRead | None) -> str:
    key = (join.table, join.columns, join.condition) if join else None
    if key not in _LOCK_SQL:
        lock = " FOR UPDATE" if transaction.get_connection().features.has_select_for_update else ""
        if join is None:
            _LOCK_SQL[key] = f"SELECT b.current_points FROM {_BALANCES} b WHERE b.user_id = %s{lock}"  # noqa: S608
        else:
            _LOCK_SQL[key] = (
                f"SELECT b.current_points, {', '.join(join.columns)} FROM {_BALANCES} b "  # noqa: S608 - names only
                f"LEFT JOIN {join.table} j ON j.user_id = b.user_id AND {join.condition} WHERE b.user_id = %s{lock}"
            )
    return _LOCK_SQL[key]


@in_transaction(message=OUTSIDE_A_TRANSACTION)
def account_lock(*, user_id: str, join: JoinedRead | None = None) -> LockedAccount:
    """Lock the account (`SELECT … FOR UPDATE`), the first lock of every change to these points,
    and read its balance, which no other transaction can change until this one ends."""
    params = [*join.params, user_id] if join else [user_id]
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_lock_sql(join), params)
        row = cursor.fetchone()
    if row is None:
        return LockedAccount(balance=0, exists=False, joined=(None,) * len(join.columns) if join else ())
    return LockedAccount(balance=row[0], exists=True, joined=tuple(row[1:]))


def _account_ensure(*, user_id: str) -> None:
    """Create the user's balance row on first use. Concurrent first awards must not deadlock:
    a plain INSERT that meets another's new row takes a shared lock and then wants an exclusive
    one for the credit, and two such transactions wait for each other. An upsert takes the
    exclusive lock at once (MySQL: ON DUPLICATE KEY UPDATE), so they queue instead."""
    if UserPoints.objects.filter(pk=user_id).exists():
        return
    now = timezone.now()
    # MySQL's upsert applies to the primary key by itself; SQLite wants it named.
    named = transaction.get_connection().features.supports_update_conflicts_with_target
    UserPoints.objects.bulk_create(
        [UserPoints(user_id=user_id, created_at=now, updated_at=now)],
        update_conflicts=True,
        update_fields=["updated_at"],
        unique_fields=["user"] if named else None,
    )


def account_figures(*, user_id: str) -> dict[str, int]:
    """The account's three figures; under the caller's lock, final until its transaction ends."""
    return UserPoints.objects.filter(pk=user_id).values(*BALANCE_FIELDS).first() or dict.fromkeys(BALANCE_FIELDS, 0)


# --- Posting -------------------------------------------------------------------------------------
@in_transaction(message=OUTSIDE_A_TRANSACTION)
def post(
    *,
    user_id: str,
    kind: str,
    amount: int,
    description: str,
    order_id: str | None = None,
    awarded_by_id: str | None = None,
    batch_id: str | None = None,
    reverses_id: str | None = None,
    balance: int | None = None,
) -> PointsTransaction:
    """Move the account by `amount` points of `kind` and append the ledger row, in the caller's
    transaction. `balance` is the balance the caller read under the account's lock
    (`account_lock`), when it did: it saves a read, and a debit it cannot cover is refused
    without touching the row. Refusals: InsufficientPoints (a debit past the balance) and
    BalanceLimitReached (a credit past the largest balance a column holds); nothing is written."""
    effect = KIND_EFFECTS[PointsTransaction.Type(kind)]
    if amount < 1:
        raise ValueError(f"A ledger amount is positive; {amount} is not.")
    if effect.current < 0 and balance is not None and balance < amount:
        raise _insufficient(amount=amount, balance=balance)
    if effect.current > 0 and balance is None:
        _account_ensure(user_id=user_id)
    connection = transaction.get_connection()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _MOVE_SQL[kind],
            {
                "amount": amount,
                "room": INT_COLUMN_MAX - amount,
                "user_id": user_id,
                "now": connection.ops.adapt_datetimefield_value(now),
            },
        )
        moved = cursor.rowcount == 1
    if not moved:
        raise _refusal(user_id=user_id, effect=effect, amount=amount)
    if balance is None:
        # We hold the row's lock since the update just made, so this is the balance it left.
        balance_after = account_figures(user_id=user_id)["current_points"]
    else:
        balance_after = balance + effect.current * amount
    return row_insert(
        PointsTransaction(
            user_id=user_id,
            transaction_type=kind,
            points_amount=amount,
            description=description[:REASON_MAX_LENGTH],
            order_id=order_id,
            awarded_by_id=awarded_by_id,
            batch_id=batch_id,
            balance_after=balance_after,
            reverses_id=reverses_id,
            created_at=now,
        )
    )


def _insufficient(*, amount: int, balance: int) -> InsufficientPoints:
    return InsufficientPoints(
        f"You need {amount:,} points but have {balance:,}: {amount - balance:,} more to go.",
        needed=amount,
        balance=balance,
        missing=amount - balance,
    )


def _refusal(*, user_id: str, effect: Effect, amount: int) -> Exception:
    """Why the move matched no row, read under the lock the caller holds or the update took."""
    figures = account_figures(user_id=user_id)
    if effect.current < 0 and figures["current_points"] < amount:
        return _insufficient(amount=amount, balance=figures["current_points"])
    if any(
        sign > 0 and figures[column] > INT_COLUMN_MAX - amount
        for column, sign in zip(BALANCE_FIELDS, (effect.current, effect.earned, effect.redeemed), strict=True)
    ):
        return BalanceLimitReached(
            "This award would take the employee's points past the largest balance we can hold.", user_id=user_id
        )
    # A refund of more than was redeemed, a reversal of more than was earned: the callers check
    # these under the lock first, so reaching here is a bug, not a race.
    return RuntimeError(f"Posting {amount} points to {user_id} would break its balance: {figures}.")
