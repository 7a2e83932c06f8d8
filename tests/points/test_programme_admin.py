"""The admin's screens for corrections, approvals and budgets, and their API."""

import datetime
import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from orders.services import order_redeem
from points.models import AwardBatch, PointsBudget, PointsTransaction, UserPoints
from tests.awards import points_award
from tests.factories import ProductFactory, UserFactory
from tests.ledger import assert_ledger_consistent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _approval_above_1000(settings):
    settings.POINTS_APPROVAL_ABOVE = 1000


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def balance(user) -> int:
    return UserPoints.objects.filter(pk=user.pk).values_list("current_points", flat=True).first() or 0


@pytest.fixture
def award(employee, hr_staff):
    return points_award(user_id=employee.pk, amount=1000, reason="Launch", awarded_by_id=hr_staff.pk)


# --- Reversals in the admin ---------------------------------------------------------------------
def test_the_reversal_page_offers_the_most_that_can_be_taken_back(hr, award, employee):
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=600).pk)
    page = hr.get(reverse("admin:points_pointstransaction_reverse", args=[award.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>400 points</strong> (they have spent the rest)" in html
    assert page.context["form"]["amount"].value() == 400


def test_reversing_in_the_admin_takes_the_points_back_once(hr, award, employee):
    url = reverse("admin:points_pointstransaction_reverse", args=[award.pk])
    data = {"amount": "850", "reason": "Typo: meant 150", "key": uuid.uuid4()}
    first = hr.post(url, data)
    second = hr.post(url, data)  # a double click

    assert first.status_code == second.status_code == 302
    assert messages_of(first)[-1] == "Took back 850 points from employee@example.com; their balance is now 150."
    assert "already made" in messages_of(second)[-1]
    assert balance(employee) == 150
    assert PointsTransaction.objects.filter(transaction_type="reversed").count() == 1
    detail = hr.get(reverse("admin:points_pointstransaction_change", args=[award.pk])).content.decode()
    assert "850 of 1,000 points reversed so far." in detail
    assert_ledger_consistent()


def test_a_refused_reversal_keeps_what_was_typed_and_says_why(hr, award, employee):
    order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=600).pk)
    url = reverse("admin:points_pointstransaction_reverse", args=[award.pk])
    page = hr.post(url, {"amount": "500", "reason": "Typo", "key": uuid.uuid4()})

    assert page.status_code == 200
    assert "at most 400 can be reversed now" in page.content.decode()
    assert page.context["form"]["amount"].value() == "500"
    assert page.context["form"]["reason"].value() == "Typo"
    assert balance(employee) == 400


def test_only_awards_have_a_reversal_page(hr, employee, award):
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=10).pk)
    redemption = order.points_transactions.get()
    assert hr.get(reverse("admin:points_pointstransaction_reverse", args=[redemption.pk])).status_code == 404


def test_catalog_managers_cannot_reverse(client, catalog_manager, award, employee):
    client.force_login(catalog_manager)
    url = reverse("admin:points_pointstransaction_reverse", args=[award.pk])
    assert client.post(url, {"amount": "10", "reason": "x", "key": uuid.uuid4()}).status_code == 403
    assert balance(employee) == 1000


# --- Approvals in the admin ---------------------------------------------------------------------
def test_a_large_award_in_the_admin_waits_and_a_second_hr_user_approves_it(client, hr, employee, second_hr):
    response = hr.post(
        reverse("admin:points_employee_award", args=[employee.pk]),
        {"amount": "1500", "reason": "Launch", "key": uuid.uuid4()},
    )
    assert "need another HR user's approval" in messages_of(response)[-1]
    assert balance(employee) == 0
    batch = AwardBatch.objects.get(status="pending")

    own = hr.get(reverse("admin:points_awardbatch_change", args=[batch.pk])).content.decode()
    assert "This is your own request" in own and 'name="approve"' not in own
    refused = hr.post(reverse("admin:points_awardbatch_decide", args=[batch.pk]), {"approve": "1"})
    assert messages_of(refused)[-1] == "You asked for this award; another HR user must approve it."
    assert balance(employee) == 0

    client.force_login(second_hr)
    page = client.get(reverse("admin:points_awardbatch_change", args=[batch.pk])).content.decode()
    assert "Approve and credit 1,500 points" in page and "employee@example.com" in page
    decide = reverse("admin:points_awardbatch_decide", args=[batch.pk])
    first, second = client.post(decide, {"approve": "1"}), client.post(decide, {"approve": "1"})
    assert messages_of(first)[-1] == "Approved: 1,500 points are credited."
    assert messages_of(second)[-1] == "You had already approved this request; nothing more was awarded."
    assert balance(employee) == 1500
    assert_ledger_consistent()


def test_rejecting_needs_a_reason_and_credits_nothing(client, hr_staff, employee, second_hr):
    from points.services import Award, points_award_batch

    batch = points_award_batch(
        awards=[Award(employee.pk, 5000, "Launch")], awarded_by_id=hr_staff.pk, source="form", batch_id="b"
    ).batch
    client.force_login(second_hr)
    decide = reverse("admin:points_awardbatch_decide", args=[batch.pk])
    page = client.post(decide, {"reject": "1", "note": " "})
    assert page.status_code == 200 and "Give a reason" in page.content.decode()
    client.post(decide, {"reject": "1", "note": "Should be 500"})
    batch.refresh_from_db()
    assert (batch.status, batch.decision_note, balance(employee)) == ("rejected", "Should be 500", 0)


def test_catalog_managers_cannot_approve(client, hr_staff, employee, catalog_manager):
    from points.services import Award, points_award_batch

    batch = points_award_batch(
        awards=[Award(employee.pk, 5000, "Launch")], awarded_by_id=hr_staff.pk, source="form", batch_id="b"
    ).batch
    client.force_login(catalog_manager)
    assert client.post(reverse("admin:points_awardbatch_decide", args=[batch.pk]), {"approve": "1"}).status_code == 403
    assert balance(employee) == 0


# --- Budgets ------------------------------------------------------------------------------------
def test_a_superuser_sets_budgets_and_an_overlapping_period_is_refused(hr, employee):
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    add = reverse("admin:points_pointsbudget_add")
    form = {
        "starts_on": "2030-01-01",
        "ends_on": "2030-01-31",
        "points": "50000",
        "note": "January",
        "limits-TOTAL_FORMS": "0",
        "limits-INITIAL_FORMS": "0",
    }
    assert client.post(add, form).status_code == 302
    page = client.post(add, {**form, "starts_on": "2030-01-15", "ends_on": "2030-02-15"})
    assert page.status_code == 200
    assert "overlaps the budget of 50,000 points, 1 Jan 2030 to 31 Jan 2030" in page.content.decode()
    assert page.context["adminform"].form["starts_on"].value() == "2030-01-15"
    assert PointsBudget.objects.count() == 1
    entry = AuditEntry.objects.get(action="points.pointsbudget_add")
    assert entry.actor_email == "root@example.com" and entry.after["points"] == 50000
    # HR sees the budgets, but cannot change them.
    assert hr.get(reverse("admin:points_pointsbudget_changelist")).status_code == 200
    assert hr.post(add, form).status_code == 403


def test_hr_sees_a_budgets_limits_with_each_giver_once_and_unlinked(hr, hr_staff):
    budget = PointsBudget.objects.create(
        starts_on=datetime.date(2030, 1, 1), ends_on=datetime.date(2030, 1, 31), points=9000
    )
    budget.limits.create(giver=hr_staff, points=2000)

    html = hr.get(reverse("admin:points_pointsbudget_change", args=[budget.pk])).content.decode()

    headings = re.findall(r'<th class="column-(\w+)', html)
    assert headings.count("giver_shown") == 1, headings
    assert reverse("admin:accounts_user_change", args=[hr_staff.pk]) not in html


def test_an_award_over_the_budget_is_refused_in_the_admin_with_the_numbers(hr, employee):
    today = timezone.localdate()
    PointsBudget.objects.create(starts_on=today, ends_on=today + datetime.timedelta(days=30), points=500)
    response = hr.post(
        reverse("admin:points_employee_award", args=[employee.pk]),
        {"amount": "600", "reason": "Launch", "key": uuid.uuid4()},
    )
    assert "500 points; 0 are awarded, so 500 are left and 600 cannot be awarded" in messages_of(response)[-1]
    assert balance(employee) == 0


# --- API ----------------------------------------------------------------------------------------
@pytest.fixture
def hr_client(api_as, hr_staff):
    return api_as(hr_staff)


def test_the_api_reverses_once_per_key_and_says_what_is_reversible(hr_client, award, employee, api_as):
    url = f"/api/v1/awards/{award.pk}/reversals"
    assert hr_client.get(url).json() == {
        "award_points": 1000,
        "reversed": 0,
        "balance": 1000,
        "expired": 0,
        "reversible": 1000,
    }
    body = {"amount": 300, "reason": "Typo"}
    first = hr_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = hr_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["transaction_type"] == "reversed" and first.json()["reverses_id"] == award.pk
    too_much = hr_client.post(url, {"amount": 800, "reason": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert too_much.status_code == 409
    assert too_much.json()["error"]["code"] == "reversal_too_large"
    assert too_much.json()["error"]["details"]["reversible"] == 700
    assert balance(employee) == 700
    # The employee sees the correction and who made it.
    rows = api_as(employee).get("/api/v1/me/transactions").json()["results"]
    assert [(r["transaction_type"], r["awarded_by_name"]) for r in rows][0][0] == "reversed"
    assert rows[0]["awarded_by_name"] == rows[1]["awarded_by_name"] == hr_client_name(award)


def hr_client_name(award) -> str:
    return award.awarded_by.get_full_name()


@pytest.mark.parametrize(
    ("body", "status"),
    [({"amount": 0, "reason": "x"}, 400), ({"amount": "5", "reason": "x"}, 400), ([], 400), ({"amount": 5}, 400)],
)
def test_bad_reversal_input_is_a_400_that_changes_nothing(hr_client, award, employee, body, status):
    response = hr_client.post(f"/api/v1/awards/{award.pk}/reversals", body, format="json")
    assert response.status_code == status and "error" in response.json()
    assert balance(employee) == 1000


def test_an_unknown_award_is_a_404(hr_client):
    for award_id in ("nope", "9" * 400):
        assert (
            hr_client.post(
                f"/api/v1/awards/{award_id}/reversals", {"amount": 1, "reason": "x"}, format="json"
            ).status_code
            == 404
        )


def test_the_api_makes_large_awards_wait_and_another_hr_user_approves(api_as, hr_staff, second_hr, employee):
    created = api_as(hr_staff).post(
        "/api/v1/awards", {"user_id": employee.pk, "amount": 2000, "reason": "Launch"}, format="json"
    )
    assert created.status_code == 202 and created.json()["status"] == "pending"
    request_id = created.json()["id"]
    own = api_as(hr_staff).post(f"/api/v1/award-requests/{request_id}/approve")
    assert own.status_code == 403 and own.json()["error"]["code"] == "self_approval"
    waiting = api_as(second_hr).get("/api/v1/award-requests", {"status": "pending"}).json()["results"]
    assert [r["id"] for r in waiting] == [request_id]
    assert api_as(second_hr).get("/api/v1/award-requests", {"status": "nope"}).status_code == 400
    first = api_as(second_hr).post(f"/api/v1/award-requests/{request_id}/approve")
    again = api_as(second_hr).post(f"/api/v1/award-requests/{request_id}/approve")
    assert (first.status_code, first.json()["decided_now"]) == (200, True)
    assert (again.status_code, again.json()["decided_now"]) == (200, False)
    assert first.json()["transactions"][0]["points_amount"] == 2000
    reject = api_as(second_hr).post(f"/api/v1/award-requests/{request_id}/reject", {"note": "x"}, format="json")
    assert reject.status_code == 409 and reject.json()["error"]["code"] == "award_request_decided"
    assert balance(employee) == 2000


def test_employees_cannot_see_or_decide_award_requests(api_as, employee):
    client = api_as(employee)
    assert client.get("/api/v1/award-requests").status_code == 403
    assert client.post("/api/v1/award-requests/x/approve").status_code == 403


def test_hr_role_can_approve(hr_staff):
    assert hr_staff.has_perm("points.approve_award")
    assert Group.objects.get(name="HR").permissions.filter(codename="approve_award").exists()
