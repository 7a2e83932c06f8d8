"""A form sent twice at the same moment (a double click, a retry) answers with the normal page or a
clear message, never a 500, and stores one row: the admin's add forms and the services behind them,
on MariaDB, whose unique keys catch what two concurrent checks both let through."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.services import AccountConflict, employee_create
from points.models import PointsBudget, PointsBudgetLimit
from tests.concurrency import run_concurrently, wait_until
from tests.factories import UserFactory

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]
SUBMITS = 8


def _superuser():
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


def _post_as(user, url, form):
    client = Client()
    client.force_login(user)
    return client.post(url, form).status_code


def test_an_employee_added_twice_at_once_is_one_employee_and_a_clear_refusal():
    outcomes = run_concurrently(employee_create, [{"email": "new.hire@example.com"}] * SUBMITS)

    refused = [outcome for outcome in outcomes if isinstance(outcome, AccountConflict)]
    assert len(refused) == SUBMITS - 1, outcomes
    assert "already an employee with the e-mail new.hire@example.com" in refused[0].message
    assert get_user_model().objects.filter(email="new.hire@example.com").count() == 1


@pytest.mark.parametrize(
    ("url", "form", "stored"),
    [
        (
            "admin:points_employee_add",
            {"email": "new.hire@example.com", "first_name": "New"},
            lambda: get_user_model().objects.filter(email="new.hire@example.com").count(),
        ),
        (
            "admin:accounts_user_add",
            {
                "email": "new.hire@example.com",
                "first_name": "New",
                "last_name": "Hire",
                "password1": "Long-pass-phrase-42",
                "password2": "Long-pass-phrase-42",
            },
            lambda: get_user_model().objects.filter(email="new.hire@example.com").count(),
        ),
        (
            "admin:points_pointsbudget_add",
            {
                "starts_on": "2030-01-01",
                "ends_on": "2030-01-31",
                "points": "5000",
                "note": "",
                "limits-TOTAL_FORMS": "0",
                "limits-INITIAL_FORMS": "0",
            },
            lambda: PointsBudget.objects.count(),
        ),
        (
            "admin:auth_group_add",
            {"name": "Reviewers"},
            lambda: (
                __import__("django.contrib.auth.models", fromlist=["Group"])
                .Group.objects.filter(name="Reviewers")
                .count()
            ),
        ),
    ],
    ids=["employee", "user", "budget", "group"],
)
def test_an_admin_add_form_sent_eight_times_at_once_stores_one_and_never_answers_500(url, form, stored):
    root = _superuser()

    statuses = run_concurrently(_post_as, [{"user": root, "url": reverse(url), "form": form}] * SUBMITS)

    assert all(status in (200, 302) for status in statuses), statuses
    assert stored() == 1


def test_a_budget_s_limit_added_twice_at_once_is_one_limit(hr_staff):
    root = _superuser()
    budget = PointsBudget.objects.create(starts_on="2030-01-01", ends_on="2030-01-31", points=5000)
    form = {
        "starts_on": "2030-01-01",
        "ends_on": "2030-01-31",
        "points": "5000",
        "note": "",
        "limits-TOTAL_FORMS": "1",
        "limits-INITIAL_FORMS": "0",
        "limits-0-giver": hr_staff.pk,
        "limits-0-points": "500",
    }
    url = reverse("admin:points_pointsbudget_change", args=[budget.pk])

    statuses = run_concurrently(_post_as, [{"user": root, "url": url, "form": form}] * SUBMITS)

    assert all(status in (200, 302) for status in statuses), statuses
    assert PointsBudgetLimit.objects.filter(budget=budget).count() == 1


def _inserts_waiting(table: str) -> int:
    """How many other connections are running an INSERT into the table (here: waiting on a lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE %s",
            [f"INSERT INTO `{table}`%"],
        )
        return cursor.fetchone()[0]


def test_an_admin_save_that_mysql_aborts_as_a_deadlock_victim_runs_again_and_never_answers_500():
    """InnoDB's classic: two inserts of one e-mail wait on a third's uncommitted row; the third
    rolls back, both then hold a shared lock on the key and want it exclusively, and MySQL aborts
    one of them (1213). That is a race like a duplicate key: the aborted save's form runs again."""
    root = _superuser()
    form = {
        "email": "new.hire@example.com",
        "first_name": "New",
        "last_name": "Hire",
        "password1": "Long-pass-phrase-42",
        "password2": "Long-pass-phrase-42",
    }
    held, release = threading.Event(), threading.Event()

    def hold_the_email_then_roll_back():
        try:
            with transaction.atomic():
                get_user_model().objects.create(email="new.hire@example.com")
                held.set()
                release.wait(timeout=30)
                transaction.set_rollback(True)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_email_then_roll_back)
    holder.start()
    assert held.wait(timeout=30)
    with ThreadPoolExecutor(max_workers=2) as pool:
        posts = [pool.submit(_post_as, root, reverse("admin:accounts_user_add"), form) for _ in range(2)]
        wait_until(lambda: _inserts_waiting("accounts_user") == 2, "both saves waiting on the held e-mail")
        release.set()
        holder.join()
        statuses = [post.exception() or post.result() for post in posts]

    assert all(status in (200, 302) for status in statuses), statuses
    assert get_user_model().objects.filter(email="new.hire@example.com").count() == 1
