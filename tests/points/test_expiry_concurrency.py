"""The expiry job racing redemptions and other runs of itself on a real MySQL-compatible server:
every point is spent or expired exactly once, no lot expires twice, no balance goes below zero,
and no deadlock is retried. Runs in `make test` when MariaDB answers and in `make test-mysql`."""

import datetime
import random
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from awsomeshop.exceptions import ShopError
from orders.models import Order
from orders.services import order_cancel, order_redeem
from points import ledger
from points.expiry import expiry_rule, points_expire
from points.models import PointsLot, PointsLotMove, PointsTransaction, UserPoints
from points.services import points_lots_rebuild, points_reverse
from programme.selectors import ledger_problem_list
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


def _lots_and_moves(user_id: str):
    lots = sorted(PointsLot.objects.filter(user_id=user_id).values_list("pk", "points", "remaining", "is_open"))
    moves = sorted(PointsLotMove.objects.filter(entry__user_id=user_id).values_list("lot_id", "entry_id", "points"))
    return lots, moves


def test_a_row_waiting_for_the_account_is_stamped_after_the_rows_ahead_of_it():
    """A credit that waits for the account's lock must not carry a time from before it waited:
    the history, and the lots replayed from it, would tell another order than the one that was."""
    user = UserFactory()
    points_award(user_id=user.pk, amount=1, reason="Opens the account")
    holding = threading.Event()

    def ahead():
        with transaction.atomic():
            ledger.account_lock(user_id=user.pk)
            holding.set()
            time.sleep(0.5)  # the award below asks for the lock meanwhile
            ledger.post(user_id=user.pk, kind="earned", amount=100, description="Ahead")
            ledger.post(user_id=user.pk, kind="redeemed", amount=100, description="Spends it")
        connection.close()

    def behind():
        holding.wait()
        time.sleep(0.1)
        points_award(user_id=user.pk, amount=50, reason="Behind")
        connection.close()

    threads = [threading.Thread(target=ahead), threading.Thread(target=behind)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    history = list(
        PointsTransaction.objects.filter(user=user).order_by("created_at", "id").values_list("description", flat=True)
    )
    assert history == ["Opens the account", "Ahead", "Spends it", "Behind"]
    problems = [str(p) for p in ledger_problem_list() if "replayed" in str(p)]
    assert problems == []


def test_every_operation_racing_on_one_account_leaves_the_lots_its_history_gives(settings, deadlock_retries):
    settings.POINTS_EXPIRY_MONTHS, settings.POINTS_EXPIRY_STARTS = 1, datetime.date(2000, 1, 1)
    user, hr = UserFactory(), UserFactory(is_superuser=True)
    awards = [points_award(user_id=user.pk, amount=100, reason=f"Award {i}") for i in range(8)]
    product = ProductFactory(points_cost=70, stock_quantity=1000)
    orders = [order_redeem(user_id=user.pk, product_id=product.pk) for _ in range(4)]
    later = timezone.localdate() + datetime.timedelta(days=70)

    def race(*, kind: str, order_id=None, award_id=None, key=None):
        if kind == "redeem":
            return order_redeem(user_id=user.pk, product_id=product.pk)
        if kind == "cancel":
            return order_cancel(order_id=order_id, cancelled_by_id=user.pk)
        if kind == "reverse":
            return points_reverse(
                award_id=award_id, amount=30, reason="Race", reversed_by_id=hr.pk, source="api", client_key=key
            )
        if kind == "award":
            return points_award(user_id=user.pk, amount=90, reason="Race award")
        return points_expire(today=later)

    for round_ in range(3):
        calls = [{"kind": "redeem"} for _ in range(4)]
        calls += [{"kind": "cancel", "order_id": order.pk} for order in orders]
        calls += [{"kind": "reverse", "award_id": a.pk, "key": f"{round_}-{i}"} for i, a in enumerate(awards[:4])]
        calls += [{"kind": "expire"}, {"kind": "expire"}, {"kind": "award"}, {"kind": "award"}]
        random.Random(round_).shuffle(calls)  # noqa: S311 - an order of calls, not a secret
        outcomes = run_concurrently(race, calls)

        assert [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ShopError)] == []
        assert_ledger_consistent()  # the replay of the history included
        kept = _lots_and_moves(user.pk)
        points_lots_rebuild(user_id=user.pk)
        assert _lots_and_moves(user.pk) == kept
        orders = list(Order.objects.filter(user=user).exclude(status="Cancelled"))
    assert deadlock_retries.count == 0


def test_the_ledger_check_reports_nothing_on_a_healthy_ledger_in_use():
    """The check reads an account's ledger, lots and moves one after the other; a change that
    commits in between must not look like a problem (it is looked at again under the lock)."""
    people = [UserFactory().pk for _ in range(3)]
    for user_id in people:
        points_award(user_id=user_id, amount=50_000, reason="Start")
    product = ProductFactory(points_cost=7, stock_quantity=100_000)
    stop = threading.Event()

    def traffic(user_id: str) -> None:
        try:
            while not stop.is_set():
                order_redeem(user_id=user_id, product_id=product.pk)
                points_award(user_id=user_id, amount=5, reason="Tick")
        finally:
            connection.close()

    threads = [threading.Thread(target=traffic, args=(user_id,)) for user_id in people]
    for thread in threads:
        thread.start()
    try:
        seen = [[str(problem) for problem in ledger_problem_list()] for _ in range(10)]
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    assert [problems for problems in seen if problems] == []
    assert ledger_problem_list() == []
