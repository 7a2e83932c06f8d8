"""The expiry job racing redemptions and other runs of itself on a real MySQL-compatible server:
every point is spent or expired exactly once, no lot expires twice, no balance goes below zero,
and no deadlock is retried. Runs in `make test` when MariaDB answers and in `make test-mysql`."""

import datetime

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from awsomeshop.exceptions import ShopError
from orders.services import order_redeem
from points.expiry import expiry_rule, points_expire
from points.models import PointsTransaction, UserPoints
from tests.awards import points_award
from tests.concurrency import run_concurrently
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def test_redemptions_and_expiry_jobs_at_the_same_moment_use_every_point_once(settings, deadlock_retries):
    settings.POINTS_EXPIRY_MONTHS, settings.POINTS_EXPIRY_STARTS = 1, datetime.date(2000, 1, 1)
    people = [UserFactory().pk for _ in range(6)]
    for user_id in people:
        points_award(user_id=user_id, amount=250, reason="First")
        points_award(user_id=user_id, amount=250, reason="Second")
    product = ProductFactory(points_cost=100, stock_quantity=1000)
    day_after = expiry_rule().expires_on(timezone.now()) + datetime.timedelta(days=1)

    def race(*, kind: str, user_id: str | None):
        if kind == "expire":
            return points_expire(today=day_after)
        return order_redeem(user_id=user_id, product_id=product.pk)

    calls = [{"kind": "redeem", "user_id": user_id} for user_id in people for _ in range(4)]
    calls += [{"kind": "expire", "user_id": None} for _ in range(6)]
    outcomes = run_concurrently(race, calls)

    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ShopError)]
    assert unexpected == []
    assert {o.code for o in outcomes if isinstance(o, ShopError)} <= {"insufficient_points"}
    points_expire(today=day_after)  # whatever a job met mid-redemption is gone now too
    sums = dict(
        PointsTransaction.objects.values("transaction_type")
        .annotate(total=Sum("points_amount"))
        .values_list("transaction_type", "total")
    )
    assert sums["earned"] == 500 * len(people) == sums.get("redeemed", 0) + sums.get("expired", 0)
    assert sums.get("redeemed", 0) > 0 and sums.get("expired", 0) > 0  # both sides won somewhere
    assert not UserPoints.objects.filter(current_points__gt=0).exists()
    twice = PointsTransaction.objects.filter(transaction_type="expired").values("expires_id").annotate(n=Count("id"))
    assert [row for row in twice if row["n"] > 1] == []
    assert_ledger_consistent()
    assert deadlock_retries.count == 0
