"""Races of corrections, approvals and budgets on a real MySQL-compatible server: a balance never
goes below zero, an award is never reversed by more than it gave, a request is approved once,
and a budget is never overdrawn; the ledger stays clean and no deadlock is retried.

These run in `make test` when MariaDB answers and in `make test-mysql`; on SQLite they skip.
"""

import datetime

import pytest
from django.utils import timezone

from awsomeshop.exceptions import ShopError
from orders.models import Order
from orders.services import order_redeem
from points.models import AwardBatch, PointsBudget, PointsTransaction, UserPoints
from points.selectors import budget_used
from points.services import Award, award_request_approve, points_award_batch, points_reverse
from tests.awards import points_award
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def _refusals(outcomes):
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ShopError)]
    assert unexpected == [], unexpected
    return [o for o in outcomes if isinstance(o, ShopError)]


def test_reversals_racing_redemptions_of_the_same_points_never_go_below_zero(
    employee, hr_staff, second_hr, deadlock_retries
):
    award = points_award(user_id=employee.pk, amount=1000, reason="Launch", awarded_by_id=hr_staff.pk)
    product = ProductFactory(points_cost=200, stock_quantity=50)

    def race(*, kind: str, key: str):
        if kind == "redeem":
            return order_redeem(user_id=employee.pk, product_id=product.pk)
        return points_reverse(
            award_id=award.pk, amount=300, reason="Typo", reversed_by_id=second_hr.pk, source="api", client_key=key
        )

    calls = [{"kind": "redeem" if i % 2 else "reverse", "key": f"k{i}"} for i in range(16)]
    outcomes = run_concurrently(race, calls)

    refusals = _refusals(outcomes)
    assert {r.code for r in refusals} <= {"insufficient_points", "reversal_too_large"}
    redeemed = Order.objects.filter(user=employee).count() * 200
    reversed_ = sum(
        PointsTransaction.objects.filter(transaction_type="reversed").values_list("points_amount", flat=True)
    )
    balance = UserPoints.objects.get(pk=employee.pk)
    assert balance.current_points == 1000 - redeemed - reversed_ >= 0
    # Whichever won, the points were used once: spent, taken back, or still there.
    assert reversed_ <= 1000 and redeemed + reversed_ <= 1000
    assert_ledger_consistent()
    assert deadlock_retries.count == 0


def test_twelve_reversals_of_one_award_never_take_back_more_than_it_gave(employee, hr_staff, second_hr):
    points_award(user_id=employee.pk, amount=5000, reason="Other", awarded_by_id=hr_staff.pk)
    award = points_award(user_id=employee.pk, amount=1000, reason="Launch", awarded_by_id=hr_staff.pk)
    calls = [
        {
            "award_id": award.pk,
            "amount": 300,
            "reason": "Typo",
            "reversed_by_id": second_hr.pk,
            "source": "api",
            "client_key": f"k{i}",
        }
        for i in range(12)
    ]
    outcomes = run_concurrently(points_reverse, calls)

    refusals = _refusals(outcomes)
    assert len(outcomes) - len(refusals) == 3  # 3 × 300 fit in 1,000; the fourth finds 100 left
    assert {r.details["reversible"] for r in refusals} == {100}
    assert UserPoints.objects.get(pk=employee.pk).current_points == 6000 - 900
    assert_ledger_consistent()


def test_one_approval_of_many_at_once_credits_the_request(employee, hr_staff, second_hr, settings):
    settings.POINTS_APPROVAL_ABOVE = 1000
    approvers = [second_hr] + [UserFactory(email=f"root{i}@example.com", is_superuser=True) for i in range(3)]
    batch = points_award_batch(
        awards=[Award(employee.pk, 1500, "Launch")], awarded_by_id=hr_staff.pk, source="api", client_key="big"
    ).batch

    calls = [{"batch_id": batch.pk, "approved_by_id": approver.pk} for approver in approvers * 3]
    outcomes = run_concurrently(award_request_approve, calls)

    refusals = _refusals(outcomes)
    credited = [o for o in outcomes if not isinstance(o, Exception) and not o.replayed]
    assert len(credited) == 1
    winner = AwardBatch.objects.get(pk=batch.pk).decided_by_id
    # The winner's repeats replay; everyone else is told who decided.
    assert all(r.code == "award_request_decided" for r in refusals)
    assert len(refusals) == 12 - 3 and winner in {a.pk for a in approvers}
    assert UserPoints.objects.get(pk=employee.pk).current_points == 1500
    assert PointsTransaction.objects.filter(batch=batch).count() == 1
    assert_ledger_consistent()


def test_concurrent_awards_never_overdraw_the_budget(hr_staff, second_hr, deadlock_retries):
    today = timezone.localdate()
    budget = PointsBudget.objects.create(starts_on=today, ends_on=today + datetime.timedelta(days=1), points=1000)
    people = [UserFactory(email=f"p{i}@example.com") for i in range(16)]
    calls = [
        {
            "awards": [Award(person.pk, 150, "Thanks")],
            "awarded_by_id": (hr_staff, second_hr)[i % 2].pk,
            "source": "api",
            "client_key": f"k{i}",
        }
        for i, person in enumerate(people)
    ]
    outcomes = run_concurrently(points_award_batch, calls)

    refusals = _refusals(outcomes)
    assert len(outcomes) - len(refusals) == 6  # 6 × 150 = 900; a seventh would need 1,050
    assert {r.code for r in refusals} == {"over_budget"}
    assert budget_used(budget=budget) == 900
    assert_ledger_consistent()
    assert deadlock_retries.count == 0
