"""The audit log as HR reads it: what was done in words, the changes as "field: before → after"
with the fields' names, no raw ids or bookkeeping, and pages of a sensible length."""

import datetime
import re

import pytest
from django.urls import reverse

from audit.admin import AuditEntryAdmin
from audit.models import AuditEntry
from audit.readable import action_label, change_lines
from points.budgets import BudgetChanges, budget_save
from points.models import PointsBudget
from shop.services import product_stock_set
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

LOG = "admin:audit_auditentry_changelist"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(
    ("action", "object_type", "label"),
    [
        # Derived from the model's verbose name and the verb: no table to keep.
        ("points.pointsbudget_change", "points.pointsbudget", "Changed a budget"),
        ("shop.product_add", "shop.product", "Added a product"),
        ("shop.option_delete", "shop.productoption", "Deleted a product option"),
        ("accounts.employee_add", "accounts.user", "Added an employee"),
        ("accounts.user_change", "accounts.user", "Changed a user"),
        ("authtoken.tokenproxy_add", "authtoken.tokenproxy", "Added a token"),
        # The domain's own verbs.
        ("points.award", "points.pointstransaction", "Awarded points"),
        ("points.award_request", "points.awardbatch", "Asked for an award"),
        ("points.award_approve", "points.awardbatch", "Approved an award request"),
        ("points.reverse", "points.pointstransaction", "Reversed an award"),
        ("orders.status_change", "orders.order", "Changed an order's status"),
        # An action nobody named yet still reads as words, never as code.
        ("shop.widget_frobnicate", "shop.product", "Widget frobnicate (product)"),
    ],
)
def test_each_action_reads_as_what_was_done(action, object_type, label):
    assert action_label(action=action, object_type=object_type) == label


def test_changes_read_as_field_before_and_after_with_the_fields_names():
    entry = AuditEntry(
        action="points.pointsbudget_change",
        object_type="points.pointsbudget",
        object_id="7",
        before={"points": 50000, "ends_on": "2030-01-31", "note": ""},
        after={"points": 60000, "ends_on": "2030-02-28", "note": "More for the launch"},
    )
    assert [str(line) for line in change_lines(entry)] == [
        "points: 50,000 → 60,000",
        "ends on: 31 Jan 2030 → 28 Feb 2030",
        "note: — → More for the launch",
    ]


def test_ids_and_bookkeeping_are_not_shown_raw(hr, employee, give_points):
    award = give_points(employee, 75, reason="Helped a colleague")
    entry = AuditEntry.objects.get(action="points.award")
    assert "request" in entry.after  # the request's id: kept in the log (and its export), not shown
    assert [str(line) for line in change_lines(entry)] == [
        "points: 75",
        "reason: Helped a colleague",
        "new balance: 75",
    ]

    html = hr.get(reverse(LOG)).content.decode()
    text = _text(html)
    assert "Awarded points" in text and "points: 75" in text and "new balance: 75" in text
    assert "points.award" not in text and "balance_after" not in text and "points.pointstransaction" not in text
    assert award.pk not in text  # the object is a link, not its id
    assert reverse("admin:points_pointstransaction_change", args=[award.pk]) in html


def test_a_value_that_is_an_id_is_left_out():
    entry = AuditEntry(
        action="points.reverse",
        object_type="points.pointstransaction",
        object_id="x",
        before={"balance": 900, "reversible": 900},
        after={"balance": 800, "reversed": 100, "award": "0b7c6f0e-2a7e-4c3b-9a55-3f1f0a3c9d11", "reason": "Typo"},
    )
    lines = [str(line) for line in change_lines(entry)]
    assert lines == ["balance: 900 → 800", "reversible: 900", "reversed: 100", "reason: Typo"]


def test_the_log_shows_fifty_a_page_and_filters_by_who_through_what_and_when(hr, hr_staff):
    product = ProductFactory(name="Mug", stock_quantity=0)
    for quantity in range(1, 61):
        product_stock_set(product_ids=[product.pk], quantity=quantity)
    assert AuditEntryAdmin.list_per_page == 50
    budget_save(
        budget_id=None,
        starts_on=datetime.date(2030, 1, 1),
        ends_on=datetime.date(2030, 1, 31),
        points=5000,
        note="",
        limit_edits=[],
        saved_by_id=hr_staff.pk,
        changes=BudgetChanges(before={}, after={"points": 5000}),
    )
    page = hr.get(reverse(LOG))
    assert len(page.context["cl"].result_list) == 50
    assert page.context["cl"].paginator.num_pages == 2
    filters = [spec.title for spec in page.context["cl"].filter_specs]
    assert {"who", "through", "when", "what was done"} <= set(filters)
    text = _text(page.content.decode())
    assert "Changed a product" in text and "stock quantity: 59 → 60" in text

    mine = hr.get(reverse(LOG), {"actor": hr_staff.pk})
    assert [entry.action for entry in mine.context["cl"].result_list] == ["points.pointsbudget_add"]
    by_action = hr.get(reverse(LOG), {"action": "points.pointsbudget_add"})
    assert by_action.context["cl"].result_count == 1
    assert "Added a budget" in _text(by_action.content.decode())


def test_an_objects_history_reads_the_same_and_is_paginated(client, catalog_manager):
    product = ProductFactory(name="Mug", stock_quantity=0)
    for quantity in range(1, 61):
        product_stock_set(product_ids=[product.pk], quantity=quantity)
    client.force_login(catalog_manager)
    url = reverse("admin:shop_product_history", args=[product.pk])
    first = client.get(url)
    text = _text(first.content.decode())
    assert "Changed a product" in text and "stock quantity: 59 → 60" in text
    assert "shop.product_change" not in text
    assert first.content.decode().count("<tr") == 1 + 50
    second = _text(client.get(url, {"p": "2"}).content.decode())
    assert "stock quantity: 0 → 1" in second and "Added a product" in second


def test_the_detail_of_an_entry_is_readable_too(hr, hr_staff):
    budget = PointsBudget.objects.create(
        starts_on=datetime.date(2031, 1, 1), ends_on=datetime.date(2031, 1, 31), points=100
    )
    budget_save(
        budget_id=budget.pk,
        starts_on=budget.starts_on,
        ends_on=budget.ends_on,
        points=200,
        note="",
        limit_edits=[],
        saved_by_id=hr_staff.pk,
        changes=BudgetChanges(before={"points": 100}, after={"points": 200}),
    )
    entry = AuditEntry.objects.get(action="points.pointsbudget_change")
    text = _text(hr.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).content.decode())
    assert "Changed a budget" in text and "points: 100 → 200" in text
    assert "points.pointsbudget" not in text


def test_every_action_the_apps_record_has_words_of_its_own():
    """An action a service records reads as words HR would use, not as its code humanised: a new
    business step without a label fails here, not on HR's screen."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    apps = ["accounts", "notifications", "orders", "points", "programme", "recognition", "shop"]
    recorded = set()
    for app in apps:
        for source in (root / app).rglob("*.py"):
            for call in re.findall(r"action=([^\n]+)", source.read_text()):
                recorded |= set(re.findall(rf'"((?:{"|".join(apps)})\.[a-z_]+)"', call))
    assert "points.award" in recorded and "recognition.give" in recorded
    for action in sorted(recorded):
        step = action.partition(".")[2]
        assert action_label(action=action) != step.replace("_", " ").capitalize(), action


@pytest.mark.parametrize("typed", ["2026-02-30", "0000-00-00", "2026-12-24", "9999-12-31T23:59:59+00:00"])
def test_text_that_looks_like_a_date_reads_as_typed_and_never_breaks_the_log(hr_staff, client, typed):
    """A product named like a day (or like no day at all) is text: the log shows it as typed."""
    product = ProductFactory(name="Mug")
    AuditEntry.objects.create(
        actor_email="kai@example.com",
        source="admin",
        action="shop.product_change",
        object_type="shop.product",
        object_id=product.pk,
        object_repr="Mug",
        before={"name": "Mug"},
        after={"name": typed},
    )
    client.force_login(hr_staff)
    client.cookies["tz"] = "Pacific/Kiritimati"

    log = client.get(reverse(LOG))

    assert log.status_code == 200
    assert f"name: Mug → {typed}" in _text(log.text)


@pytest.mark.parametrize("recorded", ["2026-02-30", "2026-13-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"])
def test_a_recorded_value_of_no_known_field_that_is_no_real_moment_reads_as_recorded(recorded):
    """No such day, or a moment past the calendar's end in the reader's zone: shown as recorded."""
    from django.utils import timezone

    entry = AuditEntry(action="x.y_change", object_type="", object_id="x", before={}, after={"when": recorded})
    with timezone.override("Pacific/Kiritimati"):
        assert [str(line) for line in change_lines(entry)] == [f"when: {recorded}"]
