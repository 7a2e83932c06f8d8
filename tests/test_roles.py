"""Who may do what in the admin."""

import pytest
from django.urls import reverse

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_the_roles_have_exactly_the_permissions_they_need():
    from django.contrib.auth.models import Group

    def codenames(name):
        return sorted(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert codenames("HR") == [
        "add_allowanceoverride",
        "add_companyvalue",
        "add_employee",
        "add_milestonedates",
        "add_milestonerule",
        "approve_award",
        "award_points",
        "change_allowanceoverride",
        "change_allowancepolicy",
        "change_companyvalue",
        "change_milestonedates",
        "change_milestonerule",
        "delete_allowanceoverride",
        "delete_emailsuppression",
        "moderate_recognition",
        "resend_notification",
        "view_allowanceoverride",
        "view_allowancepolicy",
        "view_auditentry",
        "view_awardbatch",
        "view_companyvalue",
        "view_emailsuppression",
        "view_employee",
        "view_milestonedates",
        "view_milestonerule",
        "view_notification",
        "view_order",
        "view_pointsbudget",
        "view_pointsbudgetlimit",
        "view_pointstransaction",
        "view_recognition",
    ]
    assert codenames("Catalog managers") == [
        "add_category",
        "add_product",
        "add_productoption",
        "change_product",
        "change_productoption",
        "view_category",
        "view_product",
        "view_productoption",
    ]
    assert codenames("Fulfilment") == ["add_vouchercode", "fulfil_order", "view_fulfilmentorder", "view_vouchercode"]


def test_hr_cannot_change_products(client, hr_staff):
    product = ProductFactory()
    client.force_login(hr_staff)

    assert client.get(reverse("admin:shop_product_changelist")).status_code == 403
    change = reverse("admin:shop_product_change", args=[product.pk])
    assert client.post(change, {"name": "Hacked", "points_cost": 1, "stock_quantity": 1}).status_code == 403
    assert type(product).objects.get(pk=product.pk).name == product.name


def test_a_catalog_manager_cannot_award_points_or_see_balances(client, catalog_manager, employee):
    client.force_login(catalog_manager)

    assert client.get(reverse("admin:points_employee_changelist")).status_code == 403
    award = reverse("admin:points_employee_award", args=[employee.pk])
    assert client.post(award, {"amount": 100, "reason": "Self-service"}).status_code == 403
    assert client.get(reverse("admin:points_employee_award_file")).status_code == 403
    assert client.get(reverse("admin:points_pointstransaction_changelist")).status_code == 403


def test_a_plain_employee_cannot_enter_the_admin(client, employee):
    client.force_login(employee)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_nobody_edits_the_ledger_or_orders_in_the_admin(client, hr_staff, employee, give_points):
    row = give_points(employee, 10)
    client.force_login(hr_staff)

    change = reverse("admin:points_pointstransaction_change", args=[row.pk])
    assert client.get(change).status_code == 200  # viewable
    assert client.post(change, {"points_amount": 999}).status_code == 403
    assert client.post(reverse("admin:points_pointstransaction_delete", args=[row.pk])).status_code == 403
    assert client.get(reverse("admin:points_pointstransaction_add")).status_code == 403
