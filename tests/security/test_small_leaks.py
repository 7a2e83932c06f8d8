"""The smaller leaks of issue 13, finding 8, each closed."""

import pytest
from django.urls import reverse

from orders.services import order_redeem
from shop.models import Product
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home_category(db):
    """The product forms choose “Home” from the managed list of categories."""
    from shop.services import category_create

    category_create(name="Home")


def test_a_product_form_without_the_stock_it_showed_does_not_overwrite_the_stock(client, catalog_manager, give_points):
    product = ProductFactory(name="Mug", stock_quantity=5, points_cost=10)
    buyer = UserFactory()
    give_points(buyer, 100)
    order_redeem(user_id=buyer.pk, product_id=product.pk)  # stock is now 4
    client.force_login(catalog_manager)

    response = client.post(
        reverse("admin:shop_product_change", args=[product.pk]),
        {
            "name": "Mug",
            "category": "Home",
            "description": "",
            "points_cost": 10,
            "stock_quantity": 50,
            "delivery_method": "shipped",
        },
    )

    assert Product.objects.get(pk=product.pk).stock_quantity == 4
    assert "reload the page" in " ".join(response.context["adminform"].form.errors["stock_quantity"])


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/orders", "/api/v1/me/transactions"])
def test_personal_api_answers_are_not_stored_by_caches(employee_api, path):
    response = employee_api.get(path)

    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_options_on_orders_does_not_advertise_server_fields_as_inputs(employee_api):
    response = employee_api.options("/api/v1/orders")

    text = response.content.decode()
    assert "points_used" not in text
    assert '"status"' not in text


def test_an_order_in_the_admin_has_no_dead_links_for_hr(client, hr_staff, employee, product, give_points):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=product.pk)
    client.force_login(hr_staff)

    html = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert "View on site" not in html
    assert reverse("admin:shop_product_change", args=[product.pk]) not in html
    assert "Hoodie" in html


def test_a_ledger_row_in_the_admin_has_no_dead_links_for_hr(client, hr_staff, employee, give_points):
    row = give_points(employee, 10)
    client.force_login(hr_staff)

    response = client.get(reverse("admin:points_pointstransaction_change", args=[row.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert employee.email in html
    assert reverse("admin:accounts_user_change", args=[employee.pk]) not in html
