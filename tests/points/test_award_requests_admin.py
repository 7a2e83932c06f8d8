"""HR's award requests screen: it opens on what waits for a decision, says who each request is
for and why, and the approve page shows the balances and the budget the decision draws on."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from points.models import PointsBudget, PointsBudgetLimit
from points.services import Award, points_award_batch
from tests.awards import points_award
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:points_awardbatch_changelist"


@pytest.fixture(autouse=True)
def _approval_above_1000(settings):
    settings.POINTS_APPROVAL_ABOVE = 1000


def _ask(by, *awards, key):
    return points_award_batch(
        awards=[Award(*award) for award in awards], awarded_by_id=by.pk, source="form", batch_id=key
    )


def _budget(points):
    today = timezone.localdate()
    return PointsBudget.objects.create(
        starts_on=today.replace(day=1), ends_on=today + datetime.timedelta(days=1), points=points
    )


def test_the_request_list_opens_on_what_waits_and_all_is_one_click_away(hr, hr_staff, employee):
    applied = _ask(hr_staff, (employee.pk, 200, "Small thanks"), key="a").batch
    waiting = _ask(hr_staff, (employee.pk, 1500, "Launch"), key="w").batch
    assert (applied.status, waiting.status) == ("applied", "pending")

    page = hr.get(reverse(CHANGELIST))
    assert [batch.pk for batch in page.context["cl"].result_list] == [waiting.pk]
    html = page.content.decode()
    assert 'href="?status__exact=all"' in html and ">All</a>" in html

    everything = hr.get(reverse(CHANGELIST), {"status__exact": "all"})
    assert {batch.pk for batch in everything.context["cl"].result_list} == {applied.pk, waiting.pk}
    # Links made for Django's own status filter still mean the same.
    assert [b.pk for b in hr.get(reverse(CHANGELIST), {"status__exact": "applied"}).context["cl"].result_list] == [
        applied.pk
    ]


def test_each_request_names_its_recipient_and_reason(hr, hr_staff, employee):
    _ask(hr_staff, (employee.pk, 1500, "Launch of the new shop"), key="one")
    people = [UserFactory(email=f"p{i}@example.com", first_name=f"P{i}", last_name="Doe") for i in range(3)]
    _ask(hr_staff, *[(p.pk, 2000, "Quarterly bonus") for p in people], key="same")
    _ask(hr_staff, (people[0].pk, 2000, "Quarterly bonus"), (people[1].pk, 1200, "Mentoring"), key="mixed")

    html = hr.get(reverse(CHANGELIST)).content.decode()
    rows = re.findall(r"<tr>.*?</tr>", html, flags=re.S)[1:]
    text = [re.sub(r"<[^>]+>", " ", row) for row in rows]
    text = [" ".join(row.split()) for row in text]
    # Newest first.
    assert "2 employees" in text[0] and "Quarterly bonus; Mentoring" in text[0]
    assert "3 employees" in text[1] and "Quarterly bonus" in text[1] and "Quarterly bonus;" not in text[1]
    assert f"{employee.get_full_name()}" in text[2] and "Launch of the new shop" in text[2]


def test_the_request_list_costs_the_same_queries_for_more_requests(hr, hr_staff, employee):
    _ask(hr_staff, (employee.pk, 1500, "Launch"), key="k0")
    with CaptureQueriesContext(connection) as one:
        hr.get(reverse(CHANGELIST))
    for n in range(1, 6):
        person = UserFactory(email=f"q{n}@example.com")
        _ask(hr_staff, (person.pk, 1500, "Launch"), key=f"k{n}")
    with CaptureQueriesContext(connection) as six:
        hr.get(reverse(CHANGELIST))
    assert len(six) == len(one)


def test_the_approve_page_shows_each_balance_and_the_budget_this_period(client, hr_staff, second_hr, employee):
    _budget(10_000)
    points_award(user_id=employee.pk, amount=1000, reason="Welcome", awarded_by_id=hr_staff.pk)
    other = UserFactory(email="other@example.com", first_name="Otto", last_name="Other")
    batch = _ask(hr_staff, (employee.pk, 1500, "Launch"), (other.pk, 2000, "Launch"), key="b").batch

    client.force_login(second_hr)
    html = client.get(reverse("admin:points_awardbatch_change", args=[batch.pk])).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    # Each recipient: their balance now, and after approval.
    assert "employee@example.com 1,500 Launch 1,000 2,500" in text
    assert "other@example.com 2,000 Launch 0 2,000" in text
    # The period's budget: used, left, and what approving would leave.
    assert "1,000 of 10,000 points used, 9,000 left" in text
    assert "Approving leaves 5,500" in text
    assert "waiting ask" not in text

    _ask(hr_staff, (other.pk, 1200, "Mentoring"), key="c")
    html = client.get(reverse("admin:points_awardbatch_change", args=[batch.pk])).content.decode()
    assert "1 other request waiting asks for 1,200 points more, not counted above." in html


def test_the_approve_page_warns_when_approving_would_go_over_the_budget_or_limit(client, hr_staff, second_hr, employee):
    budget = _budget(10_000)
    PointsBudgetLimit.objects.create(budget=budget, giver=hr_staff, points=2000)
    batch = _ask(hr_staff, (employee.pk, 1500, "Launch"), key="b").batch
    PointsBudgetLimit.objects.filter(budget=budget).update(points=1200)  # lowered since the request

    client.force_login(second_hr)
    html = client.get(reverse("admin:points_awardbatch_change", args=[batch.pk])).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert re.search(rf"{re.escape(hr_staff.email)}’s limit for [^:]+: 0 of 1,200 points used, 1,200 left", text)
    assert "Approving would go 300 points over it, so it would be refused." in text


def test_the_approve_page_says_when_no_budget_is_set(client, hr_staff, second_hr, employee):
    batch = _ask(hr_staff, (employee.pk, 1500, "Launch"), key="b").batch
    client.force_login(second_hr)
    html = client.get(reverse("admin:points_awardbatch_change", args=[batch.pk])).content.decode()
    assert "No budget is set for this period." in html


def test_the_reason_for_rejecting_sits_with_reject_not_between_approve_and_its_request(
    client, hr_staff, second_hr, employee
):
    batch = _ask(hr_staff, (employee.pk, 1500, "Launch"), key="b").batch
    client.force_login(second_hr)
    html = client.get(reverse("admin:points_awardbatch_change", args=[batch.pk])).content.decode()
    forms = re.findall(r"<form[^>]*>.*?</form>", html, flags=re.S)
    approve = [form for form in forms if 'name="approve"' in form]
    reject = [form for form in forms if 'name="reject"' in form]
    assert len(approve) == len(reject) == 1 and approve != reject
    assert 'name="note"' not in approve[0] and 'name="note"' in reject[0]
    assert reject[0].index('name="note"') < reject[0].index('name="reject"')
    # The table of awards comes straight before the approval.
    assert html.index('id="award-lines"') < html.index('name="approve"') < html.index('name="note"')

    # The reject form still refuses an empty reason, and keeps the approve form on the page.
    page = client.post(reverse("admin:points_awardbatch_decide", args=[batch.pk]), {"reject": "1", "note": " "})
    assert page.status_code == 200 and "Give a reason" in page.content.decode()
    assert 'name="approve"' in page.content.decode()
