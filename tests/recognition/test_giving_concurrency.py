"""Gives at the same moment, on MariaDB: one giver's allowance is never exceeded, colleagues who
give to each other do not deadlock, and a give sent many times with one key gives once."""

import pytest

from points.models import PointsTransaction, UserPoints
from recognition.exceptions import AllowanceExceeded
from recognition.models import Allowance, CompanyValue, Give
from recognition.services import recognition_add_points, recognition_give, recognition_hide
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.ledger import assert_ledger_consistent

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]

GIVES = 16


def _value_id() -> int:
    return CompanyValue.objects.get_or_create(name="Customer first")[0].pk


def _give(*, giver_id, receiver_ids, points=10, client_key=None):
    return recognition_give(
        giver_id=giver_id,
        receiver_ids=receiver_ids,
        points_each=points,
        message="Thanks!",
        value_id=_value_id(),
        client_key=client_key,
    )


def test_many_gives_from_one_giver_at_once_never_pass_the_allowance(deadlock_retries):
    _value_id()  # made before the threads start, not by all of them at once
    giver = UserFactory()
    receivers = [UserFactory() for _ in range(4)]
    # The month's row exists already (a first give of 2), so the gives below meet on its lock,
    # not on its creation. 16 gives of 2 × 7 points = 224 asked of the 98 left: 7 fit, 9 are refused.
    _give(giver_id=giver.pk, receiver_ids=[receivers[0].pk], points=2)
    calls = [
        {"giver_id": giver.pk, "receiver_ids": [receivers[i % 4].pk, receivers[(i + 1) % 4].pk], "points": 7}
        for i in range(GIVES)
    ]

    outcomes = run_concurrently(_give, calls)

    refused = [outcome for outcome in outcomes if isinstance(outcome, AllowanceExceeded)]
    assert len(refused) == GIVES - 7, outcomes
    assert Allowance.objects.get(user=giver).given == 100
    assert sum(row.points_amount for row in PointsTransaction.objects.filter(transaction_type="received")) == 100
    assert deadlock_retries.count == 0
    assert_ledger_consistent()


def test_colleagues_giving_to_each_other_at_once_queue_without_deadlocks(deadlock_retries):
    _value_id()
    people = [UserFactory() for _ in range(6)]
    calls = [
        {"giver_id": people[i % 6].pk, "receiver_ids": [people[(i + 1) % 6].pk, people[(i + 3) % 6].pk], "points": 5}
        for i in range(GIVES)
    ]

    outcomes = run_concurrently(_give, calls)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert Give.objects.count() == GIVES
    assert deadlock_retries.count == 0
    assert_ledger_consistent()


def test_a_give_sent_many_times_at_once_with_one_key_gives_once():
    _value_id()
    giver, receiver = UserFactory(), UserFactory()

    outcomes = run_concurrently(
        _give, [{"giver_id": giver.pk, "receiver_ids": [receiver.pk], "client_key": "same-click"}] * 8
    )

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert len({outcome.give.pk for outcome in outcomes}) == 1
    assert PointsTransaction.objects.filter(user=receiver).count() == 1
    assert_ledger_consistent()


def test_adding_points_while_hr_hides_the_recognition_leaves_nothing_given_behind(hr_user, deadlock_retries):
    giver, receiver = UserFactory(), UserFactory()
    adders = [UserFactory() for _ in range(8)]
    recognition = _give(giver_id=giver.pk, receiver_ids=[receiver.pk]).recognition

    def add(adder_id):
        return recognition_add_points(giver_id=adder_id, recognition_id=recognition.pk, points_each=5)

    def hide(_):
        return recognition_hide(recognition_id=recognition.pk, reason="Off topic", hidden_by_id=hr_user.pk)

    outcomes = run_concurrently(
        lambda adder_id: hide(adder_id) if adder_id is None else add(adder_id),
        [{"adder_id": None}] + [{"adder_id": adder.pk} for adder in adders],
    )

    unexpected = [o for o in outcomes if isinstance(o, Exception) and getattr(o, "code", "") != "recognition_hidden"]
    assert not unexpected, outcomes
    # Every point given on it, before or after the hide, was taken back: adds after it were refused.
    assert UserPoints.objects.get(pk=receiver.pk).current_points == 0
    assert deadlock_retries.count == 0
    assert_ledger_consistent()


def test_milestone_jobs_run_at_once_award_each_milestone_once(deadlock_retries):
    import datetime

    from recognition.milestones import milestones_award
    from recognition.models import MilestoneAward, MilestoneDates, MilestoneRule

    today = datetime.date(2027, 3, 15)
    MilestoneRule.objects.get_or_create(kind="service", years=5, defaults={"points": 500})
    MilestoneRule.objects.get_or_create(kind="birthday", years=None, defaults={"points": 50})
    people = [UserFactory() for _ in range(5)]
    for person in people:
        MilestoneDates.objects.create(
            user=person, hired_on=datetime.date(2022, 3, 15), birthday=datetime.date(1990, 3, 15), birthday_shared=True
        )

    reports = run_concurrently(milestones_award, [{"today": today}] * 8)

    assert not [report for report in reports if isinstance(report, Exception) or report.failed], reports
    assert sum(report.awarded for report in reports) == 10
    assert MilestoneAward.objects.count() == 10
    for person in people:
        assert UserPoints.objects.get(pk=person.pk).current_points == 550
    assert deadlock_retries.count == 0
    assert_ledger_consistent()
