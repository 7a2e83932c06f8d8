"""A test helper, not a path of the app: give someone points in one call.

People award points only through one-time requests (`points.services.points_award_batch`: a form,
a file or an API call, with its key, four eyes and budget). Tests need balances to redeem, cancel
and correct against, often hundreds of times, so this credits one award at once through the same
pieces an approved request uses: the award rules, no self-award, the budget, the ledger entry, the
employee's notification and the audit entry. What it leaves out, the one-time key and the wait for
a second HR user, is tested on its own (tests/points/test_one_time_awards.py,
tests/points/test_approvals_and_budgets.py). `awarded_by_id=None` is the programme's own award.
"""

from awsomeshop.db import atomic_with_retry
from points.budgets import budget_draw
from points.events import awarder_name
from points.exceptions import UnknownUser
from points.models import PointsTransaction
from points.services import (
    _awards_audit,
    _points_credit,
    points_amount_clean,
    points_reason_clean,
    self_award_refuse,
    user_ids_resolve,
)


@atomic_with_retry
def points_award(*, user_id: str, amount: int, reason: str, awarded_by_id: str | None = None) -> PointsTransaction:
    amount, reason = points_amount_clean(amount), points_reason_clean(reason)
    stored = user_ids_resolve({user_id}).get(user_id)
    if stored is None:
        raise UnknownUser("There is no employee with this id.", user_id=str(user_id)[:255])
    user_id = stored
    self_award_refuse(user_id=user_id, awarded_by_id=awarded_by_id)
    budget_draw(awarded_by_id=awarded_by_id, points=amount)
    row = _points_credit(
        user_id=user_id,
        amount=amount,
        reason=reason,
        awarded_by_id=awarded_by_id,
        awarded_by_name=awarder_name(awarded_by_id),
    )
    _awards_audit([row], batch=None)
    return row
