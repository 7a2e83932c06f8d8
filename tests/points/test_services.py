import pytest

from points.exceptions import BalanceLimitReached, InvalidAmount, InvalidReason, UnknownUser
from points.models import PointsTransaction, UserPoints
from tests.awards import points_award
from tests.factories import UserFactory
from tests.ledger import assert_ledger_consistent

pytestmark = pytest.mark.django_db


def test_first_award_creates_the_balance_and_one_ledger_row(employee, hr_user):
    row = points_award(user_id=employee.pk, amount=250, reason=" Quarterly bonus ", awarded_by_id=hr_user.pk)

    balance = UserPoints.objects.get(pk=employee.pk)
    assert (balance.current_points, balance.total_earned, balance.total_redeemed) == (250, 250, 0)
    assert PointsTransaction.objects.count() == 1
    assert row.transaction_type == "earned"
    assert row.points_amount == 250
    assert row.description == "Quarterly bonus"
    assert row.awarded_by == hr_user
    assert row.balance_after == 250


def test_awards_add_up_and_keep_the_ledger_in_step(employee, give_points):
    for amount in (100, 40, 7):
        give_points(employee, amount)

    balance = UserPoints.objects.get(pk=employee.pk)
    assert balance.current_points == balance.total_earned == 147
    assert list(PointsTransaction.objects.order_by("created_at").values_list("balance_after", flat=True)) == [
        100,
        140,
        147,
    ]
    assert_ledger_consistent()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "The amount must be at least 1 point."),
        (-5, "The amount must be at least 1 point."),
        (100_001, "One award can give at most 100,000 points."),
        (2.5, "The amount must be a whole number of points."),
        ("100", "The amount must be a whole number of points."),
        (True, "The amount must be a whole number of points."),
        (None, "The amount must be a whole number of points."),
    ],
)
def test_award_refuses_a_bad_amount_and_writes_nothing(employee, amount, message):
    with pytest.raises(InvalidAmount) as refusal:
        points_award(user_id=employee.pk, amount=amount, reason="Bonus")

    assert refusal.value.message == message
    assert refusal.value.code == "invalid_amount"
    assert not UserPoints.objects.exists()
    assert not PointsTransaction.objects.exists()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give a reason for the award; the employee sees it in their history."),
        ("   ", "Give a reason for the award; the employee sees it in their history."),
        ("x" * 256, "The reason can be at most 255 characters."),
    ],
)
def test_award_refuses_a_missing_or_overlong_reason(employee, reason, message):
    with pytest.raises(InvalidReason, match=message):
        points_award(user_id=employee.pk, amount=10, reason=reason)

    assert not PointsTransaction.objects.exists()


def test_award_to_an_unknown_user_is_refused():
    with pytest.raises(UnknownUser, match="There is no employee with this id."):
        points_award(user_id="no-such-user", amount=10, reason="Bonus")

    assert not UserPoints.objects.exists()


def test_award_that_would_overflow_the_int_column_is_refused(employee, settings):
    settings.POINTS_MAX_AWARD = 2_000_000_000
    points_award(user_id=employee.pk, amount=2_000_000_000, reason="Huge")

    with pytest.raises(BalanceLimitReached, match="past the largest balance we can hold"):
        points_award(user_id=employee.pk, amount=200_000_000, reason="Too much")

    assert UserPoints.objects.get(pk=employee.pk).current_points == 2_000_000_000
    assert PointsTransaction.objects.count() == 1


def test_awards_to_several_users_keep_separate_balances(give_points):
    first, second = UserFactory.create_batch(2)
    give_points(first, 10)
    give_points(second, 20)

    assert UserPoints.objects.get(pk=first.pk).current_points == 10
    assert UserPoints.objects.get(pk=second.pk).current_points == 20
    assert_ledger_consistent()
