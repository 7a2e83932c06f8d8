"""The price the employee confirmed is the price charged (issue 13, finding 2)."""

import re

import pytest
from django.urls import reverse

from orders.models import Order
from points.models import UserPoints
from shop.services import product_update

pytestmark = pytest.mark.django_db


def confirmation_fields(client, product) -> dict[str, str]:
    html = client.get(reverse("orders:redeem", kwargs={"product_id": product.pk})).content.decode()
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html)) | {"csrfmiddlewaretoken": ""}


def balance(user) -> int:
    return UserPoints.objects.get(pk=user.pk).current_points


def test_a_price_raised_after_the_confirmation_page_charges_nothing_and_asks_again(
    client, employee, product, give_points
):
    give_points(employee, 1000)
    client.force_login(employee)
    fields = confirmation_fields(client, product)
    assert fields["expected_points_cost"] == "300"
    product_update(product_id=product.pk, changes={"points_cost": 480})

    response = client.post(reverse("orders:redeem", kwargs={"product_id": product.pk}), fields, follow=True)

    assert not Order.objects.exists()
    assert balance(employee) == 1000
    html = response.content.decode()
    assert "The price of “Hoodie” changed from 300 to 480 points" in html
    # Asked again, on the confirmation page with the new price.
    assert response.redirect_chain[-1][0] == reverse("orders:redeem", kwargs={"product_id": product.pk})
    assert 'name="expected_points_cost" value="480"' in html


def test_a_confirmation_without_the_price_it_showed_is_not_charged(client, employee, product, give_points):
    give_points(employee, 1000)
    client.force_login(employee)
    fields = confirmation_fields(client, product)
    del fields["expected_points_cost"]

    client.post(reverse("orders:redeem", kwargs={"product_id": product.pk}), fields)

    assert not Order.objects.exists()


def test_the_api_answers_409_price_changed_with_the_current_price(employee_api, employee, product, give_points):
    give_points(employee, 1000)
    product_update(product_id=product.pk, changes={"points_cost": 480})

    response = employee_api.post(
        "/api/v1/orders", {"product_id": product.pk, "expected_points_cost": 300}, format="json"
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "price_changed"
    assert error["details"]["points_cost"] == 480
    assert error["details"]["expected_points_cost"] == 300
    assert balance(employee) == 1000
    assert not Order.objects.exists()


def test_the_api_charges_when_the_expected_price_is_the_price(employee_api, employee, product, give_points):
    give_points(employee, 1000)

    response = employee_api.post(
        "/api/v1/orders", {"product_id": product.pk, "expected_points_cost": 300}, format="json"
    )

    assert response.status_code == 201
    assert balance(employee) == 700


@pytest.mark.parametrize("value", ["300", 300.0, True, -1, None])
def test_the_expected_price_is_a_json_integer(employee_api, employee, product, give_points, value):
    give_points(employee, 1000)

    response = employee_api.post(
        "/api/v1/orders", {"product_id": product.pk, "expected_points_cost": value}, format="json"
    )

    assert response.status_code == 400
    assert "expected_points_cost" in response.json()["error"]["details"]
    assert not Order.objects.exists()
