"""Every change to a points balance. Each one updates `user_points` and appends the matching
`points_transactions` row in the same transaction; nothing else writes either table."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from awsomeshop.db import INT_COLUMN_MAX, atomic_with_retry
from orders.models import Order

from .exceptions import BalanceLimitReached, InsufficientPoints, InvalidAmount, InvalidReason, UnknownUser
from .models import PointsTransaction, UserPoints

REASON_MAX_LENGTH = PointsTransaction._meta.get_field("description").max_length


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Balance changes must run inside a transaction with their ledger row.")


def _clean_amount(amount: object) -> int:
    maximum = settings.POINTS_MAX_AWARD
    # bool is an int in Python; True points is a bug, not one point.
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise InvalidAmount("The amount must be a whole number of points.", amount=str(amount))
    if amount < 1:
        raise InvalidAmount("The amount must be at least 1 point.", amount=amount)
    if amount > maximum:
        raise InvalidAmount(f"One award can give at most {maximum:,} points.", amount=amount, maximum=maximum)
    return amount


def _clean_reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidReason("Give a reason for the award; the employee sees it in their history.")
    if len(text) > REASON_MAX_LENGTH:
        raise InvalidReason(f"The reason can be at most {REASON_MAX_LENGTH} characters.", length=len(text))
    return text


def _user_points_ensure(*, user_id: str) -> None:
    """Create the user's balance row on first use; a concurrent creator wins harmlessly."""
    if UserPoints.objects.filter(pk=user_id).exists():
        return
    try:
        with transaction.atomic():
            UserPoints.objects.create(user_id=user_id)
    except IntegrityError:
        pass  # Another transaction created it first; READ COMMITTED lets us see it now.


def _balance_of(*, user_id: str) -> int:
    return UserPoints.objects.filter(pk=user_id).values_list("current_points", flat=True).first() or 0


def points_transaction_record(
    *,
    user_id: str,
    transaction_type: str,
    amount: int,
    description: str,
    order: Order | None = None,
    awarded_by_id: str | None = None,
) -> PointsTransaction:
    """Append the ledger row for a balance change made in the same transaction."""
    _require_transaction()
    return PointsTransaction.objects.create(
        user_id=user_id,
        transaction_type=transaction_type,
        points_amount=amount,
        description=description[:REASON_MAX_LENGTH],
        order=order,
        awarded_by_id=awarded_by_id,
        # We hold the row lock from the update just made, so this read is the balance it left.
        balance_after=_balance_of(user_id=user_id),
    )


def _points_credit(*, user_id: str, amount: int, reason: str, awarded_by_id: str | None) -> PointsTransaction:
    """Credit one award inside the caller's transaction: balance row first, then its ledger row."""
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise UnknownUser("There is no employee with this id.", user_id=user_id)
    _user_points_ensure(user_id=user_id)
    credited = UserPoints.objects.filter(pk=user_id, total_earned__lte=INT_COLUMN_MAX - amount).update(
        current_points=F("current_points") + amount,
        total_earned=F("total_earned") + amount,
        updated_at=timezone.now(),
    )
    if not credited:
        raise BalanceLimitReached(
            "This award would take the employee's points past the largest balance we can hold.", user_id=user_id
        )
    return points_transaction_record(
        user_id=user_id,
        transaction_type=PointsTransaction.Type.EARNED,
        amount=amount,
        description=reason,
        awarded_by_id=awarded_by_id,
    )


@atomic_with_retry
def points_award(*, user_id: str, amount: int, reason: str, awarded_by_id: str | None = None) -> PointsTransaction:
    """Give an employee points, with the reason they will see and who gave them."""
    return _points_credit(
        user_id=user_id, amount=_clean_amount(amount), reason=_clean_reason(reason), awarded_by_id=awarded_by_id
    )


@dataclass(frozen=True)
class Award:
    """One line of a bulk award."""

    user_id: str
    amount: int
    reason: str


@atomic_with_retry
def points_award_bulk(*, awards: list[Award], awarded_by_id: str | None = None) -> list[PointsTransaction]:
    """Apply many awards in one transaction: all of them, or (on any refusal) none.

    Accounts are credited in user-id order, the order every bulk award uses, so two bulk awards
    over the same people wait for each other instead of deadlocking.
    """
    cleaned = [Award(a.user_id, _clean_amount(a.amount), _clean_reason(a.reason)) for a in awards]
    rows = {}
    for index, award in sorted(enumerate(cleaned), key=lambda pair: pair[1].user_id):
        rows[index] = _points_credit(
            user_id=award.user_id, amount=award.amount, reason=award.reason, awarded_by_id=awarded_by_id
        )
    return [rows[index] for index in range(len(cleaned))]


def user_points_lock(*, user_id: str) -> None:
    """Hold the user's balance row until the caller's transaction ends."""
    _require_transaction()
    list(UserPoints.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))


def points_debit(*, user_id: str, amount: int) -> None:
    """Take points for a redemption, inside the caller's transaction, which must also record the
    ledger row (`points_transaction_record`). Never leaves a balance below zero."""
    _require_transaction()
    debited = UserPoints.objects.filter(pk=user_id, current_points__gte=amount).update(
        current_points=F("current_points") - amount,
        total_redeemed=F("total_redeemed") + amount,
        updated_at=timezone.now(),
    )
    if not debited:
        balance = _balance_of(user_id=user_id)
        raise InsufficientPoints(
            f"You need {amount:,} points but have {balance:,}: {amount - balance:,} more to go.",
            needed=amount,
            balance=balance,
            missing=amount - balance,
        )
