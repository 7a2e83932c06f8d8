"""Assertions about the points ledger shared by the tests."""

from django.db.models import Q, Sum

from points.models import KIND_EFFECTS, PointsTransaction, UserPoints
from programme.selectors import ledger_problem_list


def ledger_sum(user_id: str) -> int:
    sums = PointsTransaction.objects.filter(user_id=user_id).aggregate(
        earned=Sum("points_amount", filter=Q(transaction_type="earned"), default=0),
        redeemed=Sum("points_amount", filter=Q(transaction_type="redeemed"), default=0),
        refunded=Sum("points_amount", filter=Q(transaction_type="refunded"), default=0),
        reversed=Sum("points_amount", filter=Q(transaction_type="reversed"), default=0),
        expired=Sum("points_amount", filter=Q(transaction_type="expired"), default=0),
        received=Sum("points_amount", filter=Q(transaction_type="received"), default=0),
    )
    assert set(sums) == set(KIND_EFFECTS), "a kind the sum below does not count"
    return sums["earned"] + sums["received"] - sums["reversed"] - sums["redeemed"] + sums["refunded"] - sums["expired"]


def assert_ledger_consistent() -> None:
    """Every balance equals its ledger, every order has its ledger row, no stock is negative."""
    problems = ledger_problem_list()
    assert problems == [], "\n".join(map(str, problems))
    for balance in UserPoints.objects.all():
        assert balance.current_points >= 0
        assert balance.current_points == balance.total_earned - balance.total_redeemed == ledger_sum(balance.user_id)
