"""Budgets are written by their service alone: a budget with its limits in one transaction with
its audit entry, its period checked there."""

import contextlib
import datetime

import pytest

from audit.models import AuditEntry
from points.budgets import BudgetChanges, LimitEdit, budget_save, budgets_delete
from points.exceptions import InvalidBudget
from points.models import PointsBudget

pytestmark = pytest.mark.django_db
JANUARY = {"starts_on": datetime.date(2030, 1, 1), "ends_on": datetime.date(2030, 1, 31)}


def _save(by, *, budget_id=None, points=5000, limits=None, **period):
    return budget_save(
        budget_id=budget_id,
        **(period or JANUARY),
        points=points,
        note="",
        limit_edits=[LimitEdit(limit_id, giver, points) for limit_id, giver, points in limits or []],
        saved_by_id=by.pk,
        changes=BudgetChanges(before={}, after={"points": points}),
    )


def test_a_budget_is_saved_with_its_limits_and_later_edits_change_and_delete_them(hr_staff, second_hr, employee):
    root = employee
    budget = _save(root, limits=[(None, hr_staff.pk, 500), (None, second_hr.pk, 700)])
    hanas, omars = budget.limits.get(giver=hr_staff).pk, budget.limits.get(giver=second_hr).pk

    _save(root, budget_id=budget.pk, points=6000, limits=[(hanas, None, None), (omars, second_hr.pk, 900)])

    budget.refresh_from_db()
    assert budget.points == 6000
    assert dict(budget.limits.values_list("giver_id", "points")) == {second_hr.pk: 900}
    assert list(AuditEntry.objects.order_by("at", "pk").values_list("action", flat=True)) == [
        "points.pointsbudget_add",
        "points.pointsbudget_change",
    ]


def test_an_overlapping_period_or_an_empty_limit_is_refused_and_nothing_is_written(hr_staff, employee):
    _save(employee)

    with pytest.raises(InvalidBudget, match="overlaps"):
        _save(employee, starts_on=datetime.date(2030, 1, 15), ends_on=datetime.date(2030, 2, 15))
    with pytest.raises(InvalidBudget, match="at least 1 point"):
        _save(
            employee,
            starts_on=datetime.date(2030, 3, 1),
            ends_on=datetime.date(2030, 3, 31),
            limits=[(None, hr_staff.pk, 0)],
        )

    assert PointsBudget.objects.count() == 1
    assert AuditEntry.objects.count() == 1


def test_deleting_budgets_takes_their_limits_and_is_audited(hr_staff, employee):
    budget = _save(employee, limits=[(None, hr_staff.pk, 500)])

    assert budgets_delete(budget_ids=[budget.pk, 999], deleted_by_id=employee.pk) == 1

    assert not PointsBudget.objects.exists()
    assert AuditEntry.objects.filter(action="points.pointsbudget_delete").count() == 1


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_budgets_saved_at_the_same_moment_are_never_both_stored(employee, monkeypatch):
    import threading

    from points import budgets
    from tests.concurrency import run_concurrently

    checked = threading.Barrier(2)
    check = budgets.budget_periods_check

    def check_then_wait_for_the_other(**kwargs):
        check(**kwargs)
        # Each save waits (a little) for the other to have checked too: without a lock that
        # orders the saves, both find no overlap and both insert.
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait(timeout=1)

    monkeypatch.setattr(budgets, "budget_periods_check", check_then_wait_for_the_other)
    periods = [
        {"starts_on": datetime.date(2030, 12, 5), "ends_on": datetime.date(2030, 12, 7)},
        {"starts_on": datetime.date(2030, 12, 6), "ends_on": datetime.date(2030, 12, 8)},
    ]

    outcomes = run_concurrently(lambda **period: _save(employee, **period), periods)

    refused = [outcome for outcome in outcomes if isinstance(outcome, InvalidBudget)]
    assert len(refused) == 1, outcomes
    assert "overlaps" in refused[0].message
    assert PointsBudget.objects.count() == 1


def test_a_stale_budget_page_saved_later_keeps_a_limit_added_meanwhile(hr_staff, second_hr):
    """Two superusers (or two tabs): the later save of an older page changes what it changed, and
    leaves the limit the other one added in the meantime, as Django's inline forms did."""
    from django.test import Client
    from django.urls import reverse

    from tests.factories import UserFactory

    alice, bob = Client(), Client()
    alice.force_login(UserFactory(email="alice@example.com", is_staff=True, is_superuser=True))
    bob.force_login(UserFactory(email="bob@example.com", is_staff=True, is_superuser=True))
    period = {"starts_on": "2030-01-01", "ends_on": "2030-01-31", "points": "5000", "note": ""}
    first_limit = {"limits-0-giver": hr_staff.pk, "limits-0-points": "500"}
    added = alice.post(
        reverse("admin:points_pointsbudget_add"),
        {**period, "limits-TOTAL_FORMS": "1", "limits-INITIAL_FORMS": "0", **first_limit},
    )
    budget = PointsBudget.objects.get()
    shown = {"limits-INITIAL_FORMS": "1", "limits-0-id": budget.limits.get().pk, "limits-0-budget": budget.pk}
    change = reverse("admin:points_pointsbudget_change", args=[budget.pk])
    omar = {"limits-1-giver": second_hr.pk, "limits-1-points": "700"}

    bobs = bob.post(change, {**period, **first_limit, **shown, "limits-TOTAL_FORMS": "2", **omar})
    alices = alice.post(change, {**period, **first_limit, **shown, "limits-TOTAL_FORMS": "1", "points": "6000"})

    assert (added.status_code, bobs.status_code, alices.status_code) == (302, 302, 302)
    budget.refresh_from_db()
    assert budget.points == 6000
    assert dict(budget.limits.values_list("giver_id", "points")) == {hr_staff.pk: 500, second_hr.pk: 700}


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_awards_racing_budget_deletes_and_period_changes_never_deadlock(hr_staff, employee, deadlock_retries, settings):
    """Awards lock the budget of today's period through its dates; a delete or a change of dates
    locks it by id: both take the periods lock first, so they queue instead of deadlocking."""
    import threading
    import time as clock
    import uuid

    from django.db import connection
    from django.utils import timezone

    from points.services import Award, points_award_batch
    from tests.factories import UserFactory

    settings.POINTS_APPROVAL_ABOVE = 0
    today = timezone.localdate()
    root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    employees = UserFactory.create_batch(4)
    _save(root, starts_on=today - datetime.timedelta(days=3), ends_on=today + datetime.timedelta(days=3), points=10**6)
    stop, errors = clock.monotonic() + 4, []

    def awards():
        try:
            turn = 0
            while clock.monotonic() < stop:
                turn += 1
                picks = [employees[turn % 4], employees[(turn + 1) % 4]]
                points_award_batch(
                    awards=[Award(e.pk, 1, "x") for e in picks],
                    awarded_by_id=hr_staff.pk,
                    source="api",
                    client_key=uuid.uuid4().hex,
                )
        except Exception as error:  # noqa: BLE001 - every failure is reported
            errors.append(error)
        finally:
            connection.close()

    def budget_churn():
        try:
            days = 3
            while clock.monotonic() < stop:
                budget = PointsBudget.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
                if budget is not None and days % 2:
                    budgets_delete(budget_ids=[budget.pk], deleted_by_id=root.pk)
                    budget = None
                days = 3 + (days + 1) % 3
                period = {
                    "starts_on": today - datetime.timedelta(days=days),
                    "ends_on": today + datetime.timedelta(days=3),
                }
                _save(root, budget_id=budget.pk if budget else None, points=10**6, **period)
        except Exception as error:  # noqa: BLE001 - every failure is reported
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=awards) for _ in range(3)] + [threading.Thread(target=budget_churn)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert deadlock_retries.count == 0
