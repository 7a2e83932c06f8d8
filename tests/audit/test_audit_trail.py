"""Every change staff make through the admin or the API is in the audit trail, with who, when,
what and the values before and after; Django's "Recent actions" shows it too."""

import uuid

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.admin import AuditedAdminMixin
from audit.models import AuditEntry
from orders.services import order_redeem
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_model_admin_records_its_changes():
    """The site adds the mixin to every ModelAdmin, the libraries' too: none can be forgotten."""
    assert admin.site._registry
    assert [type(a).__name__ for a in admin.site._registry.values() if not isinstance(a, AuditedAdminMixin)] == []


def test_an_award_in_the_admin_is_in_the_audit_log_and_in_recent_actions(hr, hr_staff, employee):
    hr.post(
        reverse("admin:points_employee_award", args=[employee.pk]),
        {"amount": "300", "reason": "Launch", "key": uuid.uuid4()},
    )
    entry = AuditEntry.objects.get(action="points.award")
    assert (entry.actor_id, entry.actor_email, entry.source, entry.employee_id) == (
        hr_staff.pk,
        hr_staff.email,
        "admin",
        employee.pk,
    )
    assert entry.after["points"] == 300 and entry.after["reason"] == "Launch" and entry.after["balance_after"] == 300
    assert LogEntry.objects.filter(user=hr_staff).count() == 1
    index = hr.get(reverse("admin:index")).content.decode()
    assert "Recent actions" in index and "Earned 300 points" in index


def test_a_product_edit_records_the_values_before_and_after(client, catalog_manager):
    product = ProductFactory(name="Mug", points_cost=100, stock_quantity=5)
    client.force_login(catalog_manager)
    page = client.get(reverse("admin:shop_product_change", args=[product.pk]))
    form = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    form.update(
        name="Mug",
        description=product.description,
        category=product.category,
        points_cost="150",
        stock_quantity="7",
        stock_seen="5",
        delivery_method=product.delivery_method,
        is_active="on",
        option_label="",
        note_prompt="",
        _save="Save",
    )
    form.pop("image", None)
    form["initial-stock_quantity"] = "5"  # the stock the editor saw
    response = client.post(reverse("admin:shop_product_change", args=[product.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="shop.product_change")
    assert entry.before == {"points_cost": 100, "stock_quantity": 5}
    assert entry.after == {"points_cost": 150, "stock_quantity": 7}
    assert entry.actor_id == catalog_manager.pk
    # One entry per change: the admin's own log does not repeat the service's.
    assert LogEntry.objects.filter(object_id=product.pk).count() == 1


def test_bulk_stock_and_activation_actions_record_each_product(client, catalog_manager):
    products = [ProductFactory(stock_quantity=3), ProductFactory(stock_quantity=4)]
    client.force_login(catalog_manager)
    changelist = reverse("admin:shop_product_changelist")
    ids = [p.pk for p in products]
    client.post(changelist, {"action": "deactivate", "_selected_action": ids})
    entries = AuditEntry.objects.filter(action="shop.product_change").order_by("object_id")
    assert [(e.object_id, e.before, e.after) for e in entries] == sorted(
        (p.pk, {"is_active": True}, {"is_active": False}) for p in products
    )


def test_a_role_change_records_the_groups_before_and_after_and_never_a_password(employee):
    root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    url = reverse("admin:accounts_user_change", args=[employee.pk])
    hr = Group.objects.get_or_create(name="HR")[0]
    form = {
        "email": employee.email,
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "is_active": "on",
        "is_staff": "on",
        "groups": [hr.pk],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "_save": "Save",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action="accounts.user_change")
    assert entry.before["groups"] == [] and entry.after["groups"] == ["HR"]
    assert entry.before["is_staff"] is False and entry.after["is_staff"] is True

    changed = client.post(
        reverse("admin:auth_user_password_change", args=[employee.pk]),
        {"password1": "A-new-passw0rd-2026", "password2": "A-new-passw0rd-2026", "usable_password": "true"},
    )
    assert changed.status_code == 302, changed.content.decode()[-3000:]
    changes = list(AuditEntry.objects.filter(action="accounts.user_change").values_list("before", "after"))
    assert "A-new-passw0rd-2026" not in str(changes)
    assert ({"password": "…"}, {"password": "changed"}) in changes


def test_fulfilment_steps_and_employees_added_are_recorded(fulfilment_staff, hr, hr_staff, employee, give_points):
    from orders.services import order_status_change

    give_points(employee, 500)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=100).pk)

    order_status_change(order_ids=[order.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)
    entry = AuditEntry.objects.get(action="orders.status_change")
    assert (entry.before, entry.after["status"], entry.employee_id) == ({"status": "Placed"}, "Processing", employee.pk)

    added = hr.post(reverse("admin:points_employee_add"), {"email": "New.Person@Example.com", "first_name": "New"})
    assert added.status_code == 302, added.content.decode()[-2000:]
    added = AuditEntry.objects.get(action="accounts.employee_add")
    assert (added.actor_id, added.after["email"]) == (hr_staff.pk, "new.person@example.com")


def test_the_api_records_its_source(api_as, hr_staff, employee):
    api_as(hr_staff).post("/api/v1/awards", {"user_id": employee.pk, "amount": 5, "reason": "API"}, format="json")
    entry = AuditEntry.objects.get(action="points.award")
    assert (entry.source, entry.actor_id) == ("api", hr_staff.pk)


def test_the_audit_log_filters_by_object_and_employee_and_exports_csv(hr, hr_staff, employee, give_points):
    give_points(employee, 10)
    product = ProductFactory(name="X")
    log = reverse("admin:audit_auditentry_changelist")
    about = hr.get(log, {"employee": employee.pk})
    assert about.context["cl"].result_count == AuditEntry.objects.filter(employee=employee).count() >= 1
    export = hr.get(reverse("admin:audit_auditentry_export"), {"action": "points.award"})
    text = b"".join(export.streaming_content).decode()
    lines = text.splitlines()
    assert lines[0] == "\ufeffat,actor,source,action,object_type,object_id,object,before,after"  # BOM: Excel
    assert len(lines) == 1 + AuditEntry.objects.filter(action="points.award").count()
    assert product.pk not in text


def test_hr_reads_the_log_and_catalog_managers_do_not(hr, client, catalog_manager):
    assert hr.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    other = Client()
    other.force_login(catalog_manager)
    assert other.get(reverse("admin:audit_auditentry_changelist")).status_code == 403


def test_each_objects_history_is_its_audit_trail(hr, hr_staff, employee, give_points, client, catalog_manager):
    give_points(employee, 75, reason="Helped a colleague")
    page = hr.get(reverse("admin:points_employee_history", args=[employee.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Awarded points" in html and "Helped a colleague" in html

    product = ProductFactory(name="Mug", stock_quantity=3)
    from shop.services import product_stock_set

    product_stock_set(product_ids=[product.pk], quantity=9)
    other = Client()
    other.force_login(catalog_manager)
    html = other.get(reverse("admin:shop_product_history", args=[product.pk])).content.decode()
    assert "stock quantity: 3 → 9" in html


@pytest.mark.django_db
def test_the_name_kept_for_an_object_is_in_the_companys_language_whoever_acted(employee, give_points):
    """The log's names are a record, written once: one German user's change must not leave
    "Erhalten 1.000 Punkte" for every English reader (and in the CSV)."""
    with translation.override("de"):
        give_points(employee, 1000)

    names = set(AuditEntry.objects.values_list("object_repr", flat=True))
    assert any(name.startswith("Earned 1,000 points") for name in names), names
    assert not any("Punkte" in name for name in names), names
