"""Reversals: an award given by mistake is taken back by a new ledger row linked to it, never
below zero and never by more than it gave, once per request."""

import pytest

from audit.models import AuditEntry
from awsomeshop.idempotency import IdempotencyKeyReused
from notifications.models import Notification
from orders.services import order_redeem
from points.exceptions import ReversalTooLarge, SelfReversal, UnknownAward
from points.models import AwardBatch, PointsTransaction, UserPoints
from points.selectors import reversal_state
from points.services import points_reverse
from tests.awards import points_award
from tests.factories import ProductFactory
from tests.ledger import assert_ledger_consistent

pytestmark = pytest.mark.django_db


def _reverse(award, amount, by, *, key="k1", reason="Typo: meant 150"):
    return points_reverse(
        award_id=award.pk, amount=amount, reason=reason, reversed_by_id=by.pk, source="form", batch_id=key
    )


def _figures(user):
    balance = UserPoints.objects.get(pk=user.pk)
    return balance.current_points, balance.total_earned, balance.total_redeemed


def test_a_reversal_is_a_new_row_linked_to_the_award_and_lowers_what_was_earned(employee, hr_staff, second_hr):
    award = points_award(user_id=employee.pk, amount=1500, reason="Launch", awarded_by_id=hr_staff.pk)

    outcome = _reverse(award, 1350, second_hr)

    row = outcome.transaction
    assert (row.transaction_type, row.points_amount, row.reverses_id, row.awarded_by_id) == (
        "reversed",
        1350,
        award.pk,
        second_hr.pk,
    )
    assert row.signed_amount == -1350 and row.balance_after == 150
    assert _figures(employee) == (150, 150, 0)
    award.refresh_from_db()
    assert award.points_amount == 1500  # the award itself is never edited
    assert outcome.batch.kind == AwardBatch.Kind.REVERSAL
    assert_ledger_consistent()


def test_the_employee_is_told_and_the_reversal_is_in_the_audit_log(employee, hr_staff, second_hr):
    award = points_award(user_id=employee.pk, amount=500, reason="Launch", awarded_by_id=hr_staff.pk)
    _reverse(award, 200, second_hr)

    told = Notification.objects.get(recipient=employee, kind="points_reversed")
    assert "200 points taken back" in told.title and "Typo: meant 150" in told.body
    entry = AuditEntry.objects.get(action="points.reverse")
    assert (entry.actor_id, entry.employee_id) == (second_hr.pk, employee.pk)
    assert entry.before == {"balance": 500, "reversible": 500}
    assert entry.after["balance"] == 300 and entry.after["reversed"] == 200


def test_a_reversal_cannot_take_back_points_already_spent_and_says_how_much_can(employee, hr_staff, second_hr):
    award = points_award(user_id=employee.pk, amount=1000, reason="Launch", awarded_by_id=hr_staff.pk)
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=700).pk)

    with pytest.raises(ReversalTooLarge) as refusal:
        _reverse(award, 1000, second_hr)

    assert refusal.value.details["reversible"] == 300
    assert "already spent" in refusal.value.message and "at most 300" in refusal.value.message
    assert _figures(employee) == (300, 1000, 700)
    assert not PointsTransaction.objects.filter(transaction_type="reversed").exists()
    assert not AwardBatch.objects.filter(kind="reversal").exists()

    _reverse(award, 300, second_hr, key="k2")
    assert _figures(employee) == (0, 700, 700)
    assert_ledger_consistent()


def test_an_award_is_never_reversed_by_more_than_it_gave(employee, hr_staff, second_hr):
    points_award(user_id=employee.pk, amount=900, reason="Other", awarded_by_id=hr_staff.pk)
    award = points_award(user_id=employee.pk, amount=100, reason="Launch", awarded_by_id=hr_staff.pk)
    _reverse(award, 60, second_hr, key="a")

    with pytest.raises(ReversalTooLarge) as refusal:
        _reverse(award, 50, second_hr, key="b")
    assert refusal.value.details["reversible"] == 40
    assert "60 were reversed already" in refusal.value.message

    _reverse(award, 40, second_hr, key="c")
    with pytest.raises(ReversalTooLarge, match="reversed in full"):
        _reverse(award, 1, second_hr, key="d")
    assert reversal_state(award=award).reversible == 0
    assert _figures(employee) == (900, 900, 0)
    assert_ledger_consistent()


def test_the_same_request_reverses_once_and_another_with_its_key_is_refused(employee, hr_staff, second_hr):
    award = points_award(user_id=employee.pk, amount=800, reason="Launch", awarded_by_id=hr_staff.pk)
    first = _reverse(award, 100, second_hr)
    again = _reverse(award, 100, second_hr)

    assert again.replayed and again.transaction.pk == first.transaction.pk
    assert _figures(employee) == (700, 700, 0)
    with pytest.raises(IdempotencyKeyReused):
        _reverse(award, 200, second_hr)
    assert PointsTransaction.objects.filter(transaction_type="reversed").count() == 1


@pytest.mark.parametrize("award_id", ["nope", "", "x" * 300])
def test_only_awards_can_be_reversed(employee, second_hr, award_id):
    with pytest.raises(UnknownAward):
        points_reverse(
            award_id=award_id, amount=1, reason="x", reversed_by_id=second_hr.pk, source="api", client_key="k"
        )


def test_a_redemption_or_a_reversal_is_not_an_award(employee, hr_staff, second_hr):
    award = points_award(user_id=employee.pk, amount=800, reason="Launch", awarded_by_id=hr_staff.pk)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=100).pk)
    redemption = order.points_transactions.get()
    reversal = _reverse(award, 10, second_hr).transaction
    for row in (redemption, reversal):
        with pytest.raises(UnknownAward):
            _reverse(row, 1, second_hr, key=f"other-{row.pk}")


def test_nobody_reverses_an_award_made_to_themselves(hr_staff, second_hr):
    award = points_award(user_id=second_hr.pk, amount=300, reason="Thanks", awarded_by_id=hr_staff.pk)
    with pytest.raises(SelfReversal):
        _reverse(award, 300, second_hr)
    assert _figures(second_hr) == (300, 300, 0)
