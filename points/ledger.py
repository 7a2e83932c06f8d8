"""The points ledger: the only code that writes `user_points` and `points_transactions`.

Call me inside your transaction: every function here refuses to run outside one, because a
balance change and its ledger row commit together or not at all. The services that move points
(awards, reversals, redemptions, refunds) decide *whether* to; this module alone decides *how*:
it locks the account, moves its three figures by the kind's effect (`KIND_EFFECTS` in
`points.models`) with the database refusing a negative or overflowing figure, and appends the
ledger row with the balance it left.

Lock order: an account is locked before any product, order or option row (see docs/architecture.md).

Every row also moves the account's lots (`PointsLot`, by its kind's `LotRule`): a credit opens
one, a refund gives back to the lots its order took from, a debit takes from the oldest, so
points are spent in the order they came in and can expire by lot (`points.expiry`). Lots change
only here, under the account's lock, so the open lots always sum to the balance.
"""

import bisect
import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from awsomeshop.db import INT_COLUMN_MAX, in_transaction, row_insert
from awsomeshop.text import number

from .exceptions import BalanceLimitReached, InsufficientPoints
from .models import KIND_EFFECTS, Effect, LotRule, PointsLot, PointsLotMove, PointsTransaction, UserPoints
from .signals import balance_credited

logger = logging.getLogger(__name__)

OUTSIDE_A_TRANSACTION = "Balance changes must run inside a transaction with their ledger row."
REASON_MAX_LENGTH: int = PointsTransaction._meta.get_field("description").max_length or 255
BALANCE_FIELDS = ("current_points", "total_earned", "total_redeemed")

_BALANCES = UserPoints._meta.db_table
_LEDGER, _LOTS, _MOVES = PointsTransaction._meta.db_table, PointsLot._meta.db_table, PointsLotMove._meta.db_table


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
    when it has no row yet: nothing earned), when its last row was written (`stamped_at`: the
    next is stamped later, whatever this host's clock says) and the columns of a `JoinedRead`,
    if one was asked. Pass it to `post` as `account`."""

    balance: int
    exists: bool
    joined: tuple[object, ...] = ()
    stamped_at: datetime | None = None


_LOCK_SQL: dict[tuple[str, tuple[str, ...], str] | None, str] = {}


def _lock_sql(join: JoinedRead | None) -> str:
    key = (join.table, join.columns, join.condition) if join else None
    if key not in _LOCK_SQL:
        lock = " FOR UPDATE" if transaction.get_connection().features.has_select_for_update else ""
        if join is None:
            _LOCK_SQL[key] = f"SELECT b.current_points, b.updated_at FROM {_BALANCES} b WHERE b.user_id = %s{lock}"  # noqa: S608
        else:
            _LOCK_SQL[key] = (
                f"SELECT b.current_points, b.updated_at, {', '.join(join.columns)} FROM {_BALANCES} b "  # noqa: S608
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
    return LockedAccount(balance=row[0], exists=True, joined=tuple(row[2:]), stamped_at=_aware(row[1]))


def _aware(value: object) -> datetime | None:
    """A TIMESTAMP read by plain SQL (naive UTC on MySQL, text on SQLite) as an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime):
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


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
    expires_id: str | None = None,
    account: LockedAccount | None = None,
) -> PointsTransaction:
    """Move the account by `amount` points of `kind` and append the ledger row, in the caller's
    transaction. `account` is what the caller's `account_lock` read, when it took the lock;
    otherwise this takes it first. Either way the row is stamped under the lock, and after the
    account's previous row (`stamped_at`), so the ledger's times are the order its rows happened
    in, whichever host's clock wrote them. Refusals:
    InsufficientPoints (a debit past the balance) and BalanceLimitReached (a credit past the
    largest balance a column holds); nothing is written."""
    effect = KIND_EFFECTS[PointsTransaction.Type(kind)]
    if amount < 1:
        raise ValueError(f"A ledger amount is positive; {amount} is not.")
    if account is None:
        # Lock first, then stamp: a row's time must come after every row committed before it
        # took the lock, or the history (and the lots replayed from it) would tell another order.
        if effect.current > 0:
            _account_ensure(user_id=user_id)
        account = account_lock(user_id=user_id)
    elif effect.current > 0 and not account.exists:
        _account_ensure(user_id=user_id)
    balance = account.balance
    if effect.current < 0 and balance < amount:
        raise _insufficient(amount=amount, balance=balance)
    connection = transaction.get_connection()
    now = timezone.now()
    if account.stamped_at is not None and now <= account.stamped_at:
        # Another host's clock ran ahead of ours: our row still comes after the account's last.
        now = account.stamped_at + timedelta(microseconds=1)
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
    balance_after = balance + effect.current * amount
    row = row_insert(
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
            expires_id=expires_id,
            created_at=now,
        )
    )
    _lots_move(row=row, rule=effect.lots)
    if effect.current > 0:
        balance_credited.send(sender=PointsTransaction, entry=row, balance_before=balance_after - amount)
    return row


def _insufficient(*, amount: int, balance: int) -> InsufficientPoints:
    return InsufficientPoints(
        _("You need %(needed)s points but have %(balance)s: %(missing)s more to go.")
        % {"needed": number(amount), "balance": number(balance), "missing": number(amount - balance)},
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
            _("This award would take the employee's points past the largest balance we can hold."), user_id=user_id
        )
    # A refund of more than was redeemed, a reversal of more than was earned: the callers check
    # these under the lock first, so reaching here is a bug, not a race.
    return RuntimeError(f"Posting {amount} points to {user_id} would break its balance: {figures}.")


# --- Lots: what each row does to them ----------------------------------------------------------
@dataclass
class OpenLot:
    """A lot as the spending order sees it."""

    id: str
    remaining: int


def take_plan(*, lots: Iterable[OpenLot], amount: int, first: OpenLot | None = None) -> list[tuple[str, int]]:
    """Which lots a debit of `amount` takes from, and how much of each: the lot `first` (the one
    the row names, if open), then the others in the order given (oldest first), read only as far
    as needed. The live ledger and the replay of history both spend by this. Short when the lots
    do not cover the amount."""
    plan, wanted = [], amount
    for lot in itertools.chain([first] if first else [], lots):
        if wanted == 0:
            break
        if first is not None and lot is not first and lot.id == first.id:
            continue
        taken = min(lot.remaining, wanted)
        if taken > 0:
            plan.append((lot.id, taken))
            wanted -= taken
    return plan


def _lots_move(*, row: PointsTransaction, rule: str) -> None:
    if rule == LotRule.OPEN:
        _lot_open(row=row, points=row.points_amount)
    elif rule == LotRule.GIVE_BACK:
        given, dated = _lots_give_back(row=row)
        if given < row.points_amount:
            _lot_open(row=row, points=row.points_amount - given, credited_at=dated)
    elif not _lots_take(row=row, first=row.reverses_id or row.expires_id):
        # The lots do not cover the balance this row was just taken from: history written
        # before lots existed, or by an older release during a deploy. Build the account's lots
        # again from its ledger (this row included) under the lock we hold; the check shows it.
        logger.warning("The lots of %s did not cover its balance; rebuilt from its ledger.", row.user_id)
        lots_rebuild(user_id=row.user_id)


def _sql_lock() -> str:
    return " FOR UPDATE" if transaction.get_connection().features.has_select_for_update else ""


def _lot_open(*, row: PointsTransaction, points: int, credited_at: datetime | None = None) -> None:
    """The row's own lot, dated by the row, or by `credited_at` (a refund of expired points keeps
    their date)."""
    connection = transaction.get_connection()
    when = connection.ops.adapt_datetimefield_value(credited_at or row.created_at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_LOTS} (transaction_id, user_id, credited_at, points, remaining, is_open) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [row.pk, row.user_id, when, points, points, True],
        )


def _lots_take(*, row: PointsTransaction, first: str | None) -> bool:
    """Take the row's amount from the account's open lots (locked: the account's lock already
    orders every change to them); False, writing nothing, when they do not cover it."""
    named, oldest, limit = None, [], 8
    with transaction.get_connection().cursor() as cursor:
        if first:
            cursor.execute(
                f"SELECT transaction_id, remaining FROM {_LOTS} WHERE transaction_id = %s AND is_open{_sql_lock()}",  # noqa: S608
                [first],
            )
            found = cursor.fetchone()
            named = OpenLot(*found) if found else None
        # Most accounts spend from one or two lots: read a few, and all of them only if needed.
        while (named.remaining if named else 0) < row.points_amount:
            cursor.execute(
                f"SELECT transaction_id, remaining FROM {_LOTS} WHERE user_id = %s AND is_open "  # noqa: S608
                f"ORDER BY credited_at, transaction_id LIMIT %s{_sql_lock()}",
                [row.user_id, limit],
            )
            fetched = cursor.fetchall()
            oldest = [OpenLot(*lot) for lot in fetched if lot[0] != first]
            covered = sum(lot.remaining for lot in oldest) + (named.remaining if named else 0)
            if covered >= row.points_amount or len(fetched) < limit:
                break
            limit *= 8
    remaining = {lot.id: lot.remaining for lot in [*([named] if named else []), *oldest]}
    plan = take_plan(lots=oldest, amount=row.points_amount, first=named)
    if sum(taken for _lot, taken in plan) < row.points_amount:
        return False
    _lots_write(
        remaining={lot_id: remaining[lot_id] - taken for lot_id, taken in plan},
        moves=[(lot_id, row.pk, taken) for lot_id, taken in plan],
    )
    return True


def _lots_give_back(*, row: PointsTransaction) -> tuple[int, datetime | None]:
    """Give a refund back to the lots its order's redemption took from. A lot that has expired
    since takes nothing back (it expires once); those points open the refund's own lot, dated as
    the lot they came from, so they lapse as they would have, whether the job ran before the
    refund or after. Returns what was given back, and the date for the rest (None: no rest)."""
    if row.order_id is None:
        return 0, None
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT m.lot_id, m.points, l.remaining, "  # noqa: S608 - names only
            f"EXISTS (SELECT 1 FROM {_LEDGER} e WHERE e.expires_lot_id = l.transaction_id) FROM {_MOVES} m "
            f"JOIN {_LEDGER} d ON d.transaction_id = m.transaction_id "
            f"JOIN {_LOTS} l ON l.transaction_id = m.lot_id "
            f"WHERE d.order_id = %s AND d.user_id = %s AND d.transaction_type = %s AND m.points > 0 "
            f"ORDER BY m.lot_id{_sql_lock()}",
            [row.order_id, row.user_id, PointsTransaction.Type.REDEEMED],
        )
        taken = cursor.fetchall()
    plan, wanted, expired_lots = [], row.points_amount, []
    for lot_id, points, remaining, expired in taken:
        back = min(points, wanted)
        if back and expired:
            expired_lots.append(lot_id)
        elif back:
            plan.append((lot_id, remaining, back))
            wanted -= back
    _lots_write(
        remaining={lot_id: remaining + back for lot_id, remaining, back in plan},
        moves=[(lot_id, row.pk, -back) for lot_id, _remaining, back in plan],
    )
    dated = PointsLot.objects.filter(pk__in=expired_lots).values_list("credited_at", flat=True)
    return row.points_amount - wanted, max(dated, default=None) if expired_lots else None


def _lots_write(*, remaining: dict[str, int], moves: list[tuple[str, str, int]]) -> None:
    """Set the lots' remaining points (read under the lock) and record the row's moves: two
    statements however many lots."""
    if not moves:
        return
    ids = list(remaining)
    cases = " ".join(["WHEN %s THEN %s"] * len(ids))
    marks = ", ".join(["%s"] * len(ids))
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"UPDATE {_LOTS} SET remaining = CASE transaction_id {cases} END, "  # noqa: S608 - names only
            f"is_open = CASE transaction_id {cases} END WHERE transaction_id IN ({marks})",
            [
                *(value for lot_id in ids for value in (lot_id, remaining[lot_id])),
                *(value for lot_id in ids for value in (lot_id, remaining[lot_id] > 0)),
                *ids,
            ],
        )
        cursor.execute(
            f"INSERT INTO {_MOVES} (lot_id, transaction_id, points) VALUES "  # noqa: S608 - names only
            + ", ".join(["(%s, %s, %s)"] * len(moves)),
            [value for move in moves for value in move],
        )


# --- Lots from history --------------------------------------------------------------------------
class HistoryOutOfOrder(Exception):
    """An account's ledger, replayed oldest row first, spends points before they came in: its
    lots cannot be built from it (a rebuild refuses; the ledger check reports it)."""


@dataclass
class _ReplayLot:
    credited_at: datetime
    points: int
    remaining: int


@in_transaction(message=OUTSIDE_A_TRANSACTION)
def lots_rebuild(*, user_id: str) -> int:
    """Build the account's lots again from its ledger, oldest row first, by the rules the live
    ledger follows (`LotRule`, `take_plan`), under the account's lock; the same ledger always
    gives the same lots, so running it twice changes nothing. For history written before lots
    existed (the migration that added them runs it for every account) and for repairs
    (`manage.py points_lots_rebuild`). Returns the number of lots the account has."""
    account_lock(user_id=user_id)
    history = _history(user_id=user_id)
    lots, moves = _replay(rows=history)
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        # By the rows' own ids, through the moves' index: a subquery here made MySQL scan every
        # account's moves for each account rebuilt.
        row_ids = [row[0] for row in history]
        for start in range(0, len(row_ids), 500):
            chunk = row_ids[start : start + 500]
            cursor.execute(
                f"DELETE FROM {_MOVES} WHERE transaction_id IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                chunk,
            )
        cursor.execute(f"SELECT transaction_id FROM {_LOTS} WHERE user_id = %s", [user_id])  # noqa: S608
        stored = {lot_id for (lot_id,) in cursor.fetchall()}
        # An expiry row names its lot, so lots are updated in place, not deleted and made again.
        if stale := stored - set(lots):
            cursor.execute(
                f"DELETE FROM {_LOTS} WHERE transaction_id IN ({', '.join(['%s'] * len(stale))})",  # noqa: S608
                list(stale),
            )
        rows = {
            lot_id: [
                connection.ops.adapt_datetimefield_value(lot.credited_at),
                lot.points,
                lot.remaining,
                lot.remaining > 0,
            ]
            for lot_id, lot in lots.items()
        }
        for lot_id in stored & set(rows):
            cursor.execute(
                f"UPDATE {_LOTS} SET credited_at = %s, points = %s, remaining = %s, is_open = %s "  # noqa: S608
                "WHERE transaction_id = %s",
                [*rows[lot_id], lot_id],
            )
        new = [[*rows[lot_id], lot_id, user_id] for lot_id in rows if lot_id not in stored]
        for start in range(0, len(new), 500):  # a history of thousands of awards: a few statements
            chunk = new[start : start + 500]
            cursor.execute(
                f"INSERT INTO {_LOTS} (credited_at, points, remaining, is_open, transaction_id, user_id) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk)),
                [value for row in chunk for value in row],
            )
        for start in range(0, len(moves), 500):
            chunk = moves[start : start + 500]
            cursor.execute(
                f"INSERT INTO {_MOVES} (lot_id, transaction_id, points) VALUES "  # noqa: S608 - names only
                + ", ".join(["(%s, %s, %s)"] * len(chunk)),
                [value for move in chunk for value in move],
            )
    return len(lots)


def lots_replay_difference(*, user_id: str) -> str | None:
    """How the account's lots and moves differ from those its ledger gives when replayed oldest
    row first, or None: for the ledger check. The reads are not one snapshot, so a change that
    commits between them looks like a difference; a difference is looked at again under the
    account's lock (which every change takes) before it is reported."""
    if _replay_difference(user_id=user_id) is None:
        return None
    with transaction.atomic():
        account_lock(user_id=user_id)
        return _replay_difference(user_id=user_id)


def _replay_difference(*, user_id: str) -> str | None:
    try:
        lots, moves = _replay(rows=_history(user_id=user_id))
    except HistoryOutOfOrder as out_of_order:
        return str(out_of_order)
    replayed = {lot_id: (lot.credited_at, lot.points, lot.remaining) for lot_id, lot in lots.items()}
    kept = {
        lot_id: (credited_at, points, remaining)
        for lot_id, credited_at, points, remaining in PointsLot.objects.filter(user_id=user_id)
        .order_by()
        .values_list("pk", "credited_at", "points", "remaining")
    }
    kept_moves = set(PointsLotMove.objects.filter(entry__user_id=user_id).values_list("lot_id", "entry_id", "points"))
    if kept == replayed and kept_moves == set(moves):
        return None
    differ = sorted(set(kept.items()) ^ set(replayed.items()))[:3]
    return f"lots differ from those its ledger gives when replayed: {differ}"


def _history(*, user_id: str) -> list[tuple]:
    """The account's ledger, oldest first; within one instant credits before debits."""
    credits = {str(kind) for kind, effect in KIND_EFFECTS.items() if effect.current > 0}
    rows = (
        PointsTransaction.objects.filter(user_id=user_id)
        .order_by()
        .values_list("id", "transaction_type", "points_amount", "order_id", "reverses_id", "expires_id", "created_at")
    )
    return sorted(rows, key=lambda row: (row[6], row[1] not in credits, row[0]))


def _replay(*, rows: list[tuple]) -> tuple[dict[str, _ReplayLot], list[tuple[str, str, int]]]:
    """The lots and moves that a ledger's rows, applied oldest first, leave."""
    lots: dict[str, _ReplayLot] = {}
    moves: list[tuple[str, str, int]] = []
    expired: set[str] = set()
    taken_by_order: dict[str, list[tuple[str, int]]] = {}
    # The open lots in spending order, kept sorted as lots open, close and reopen: a history of
    # thousands of rows replays in one pass, not in a pass per row.
    open_order: list[tuple[datetime, str]] = []

    def reopened(lot_id: str) -> None:
        bisect.insort(open_order, (lots[lot_id].credited_at, lot_id))

    def closed(lot_id: str) -> None:
        del open_order[bisect.bisect_left(open_order, (lots[lot_id].credited_at, lot_id))]

    for row_id, kind, amount, order_id, reverses_id, expires_id, created_at in rows:
        rule = KIND_EFFECTS[kind].lots
        if rule == LotRule.TAKE:
            named_id = reverses_id or expires_id
            named = lots.get(named_id) if named_id else None
            first = OpenLot(named_id, named.remaining) if named and named.remaining > 0 else None
            oldest = (OpenLot(lot_id, lots[lot_id].remaining) for _when, lot_id in open_order)
            plan = take_plan(lots=oldest, amount=amount, first=first)
            if sum(taken for _lot, taken in plan) < amount:
                raise HistoryOutOfOrder(
                    f"Ledger row {row_id} ({kind}, {amount} points) spends points its account did not have by then: "
                    "its history is out of order, and lots built from it would be wrong."
                )
            for lot_id, taken in plan:
                lots[lot_id].remaining -= taken
                moves.append((lot_id, row_id, taken))
                if lots[lot_id].remaining == 0:
                    closed(lot_id)
            if expires_id:
                expired.add(expires_id)
            if kind == PointsTransaction.Type.REDEEMED and order_id:
                taken_by_order[order_id] = plan
            continue
        given, dates = 0, []
        if rule == LotRule.GIVE_BACK:
            for lot_id, taken in taken_by_order.pop(order_id, []) if order_id else []:
                back = min(taken, amount - given)
                if back and lot_id in expired:
                    dates.append(lots[lot_id].credited_at)
                elif back:
                    if lots[lot_id].remaining == 0:
                        reopened(lot_id)  # before it holds anything: its key is its date
                    lots[lot_id].remaining += back
                    moves.append((lot_id, row_id, -back))
                    given += back
        if given < amount:
            dated = max(dates, default=created_at)
            lots[row_id] = _ReplayLot(credited_at=dated, points=amount - given, remaining=amount - given)
            reopened(row_id)
    return lots, moves
