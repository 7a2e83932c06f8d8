import re

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import Order
from orders.services import order_redeem
from points.models import UserPoints
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, employee):
    client.force_login(employee)
    return client


def redeem_url(product):
    return reverse("orders:redeem", kwargs={"product_id": product.pk})


def confirm_key(client, product) -> str:
    html = client.get(redeem_url(product)).content.decode()
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def confirmation(key: str, product) -> dict:
    """What the confirmation form sends: its one-time key and the price it showed."""
    return {"idempotency_key": key, "expected_points_cost": product.points_cost}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_confirmation_shows_cost_and_the_balance_afterwards(signed_in, employee, product, give_points):
    give_points(employee, 1000)

    response = signed_in.get(redeem_url(product))

    html = response.content.decode()
    assert "Redeem Hoodie?" in html
    assert "300 points" in html
    assert "<strong>700 points</strong>" in html
    assert "Confirm redemption" in html


def test_confirming_redeems_and_shows_the_order(signed_in, employee, product, give_points):
    give_points(employee, 1000)

    response = signed_in.post(redeem_url(product), confirmation(confirm_key(signed_in, product), product), follow=True)

    order = Order.objects.get()
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert messages_of(response) == [f"Done! Order {order.short_number} is yours."]
    assert UserPoints.objects.get(pk=employee.pk).current_points == 700
    assert "700</strong> pts" in response.content.decode()


def test_a_resubmitted_confirmation_redeems_once(signed_in, employee, product, give_points):
    give_points(employee, 1000)
    key = confirm_key(signed_in, product)

    first = signed_in.post(redeem_url(product), confirmation(key, product))
    second = signed_in.post(redeem_url(product), confirmation(key, product))

    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"] == Order.objects.get().get_absolute_url()
    assert UserPoints.objects.get(pk=employee.pk).current_points == 700


def test_redeeming_without_enough_points_shows_a_message_and_changes_nothing(signed_in, employee, product, give_points):
    give_points(employee, 100)

    response = signed_in.post(redeem_url(product), confirmation("k1", product), follow=True)

    assert response.redirect_chain[-1][0] == product.get_absolute_url()
    assert messages_of(response) == ["You need 300 points but have 100: 200 more to go."]
    assert not Order.objects.exists()


def test_redeeming_an_out_of_stock_product_shows_a_message(signed_in, employee, give_points):
    give_points(employee, 1000)
    sold_out = ProductFactory(name="Cap", stock_quantity=0)

    response = signed_in.post(redeem_url(sold_out), confirmation("k1", sold_out), follow=True)

    assert messages_of(response) == ["“Cap” is out of stock."]
    assert UserPoints.objects.get(pk=employee.pk).current_points == 1000


def test_the_confirmation_page_explains_why_it_cannot_redeem(signed_in, employee, product, give_points):
    give_points(employee, 100)

    html = signed_in.get(redeem_url(product)).content.decode()

    assert "You need 200 more points, so you cannot redeem this now." in html
    assert "Confirm redemption" not in html


def test_redeeming_an_inactive_product_is_a_404(signed_in, employee, give_points):
    give_points(employee, 1000)
    retired = ProductFactory(is_active=False)

    assert signed_in.post(redeem_url(retired), {"idempotency_key": "k1"}).status_code == 404
    assert not Order.objects.exists()


def test_a_confirmation_without_its_key_asks_to_confirm_again(signed_in, employee, product, give_points):
    give_points(employee, 1000)

    response = signed_in.post(redeem_url(product), {}, follow=True)

    assert messages_of(response) == ["That confirmation has expired. Please confirm the redemption again."]
    assert not Order.objects.exists()


def test_the_redemption_form_is_protected_against_csrf(employee, product, give_points):
    give_points(employee, 1000)
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)

    assert client.post(redeem_url(product), {"idempotency_key": "k1"}).status_code == 403
    assert not Order.objects.exists()


def test_my_orders_lists_only_mine_newest_first(signed_in, employee, give_points):
    colleague = UserFactory()
    give_points(employee, 1000)
    give_points(colleague, 1000)
    mug, cap = ProductFactory(name="Mug"), ProductFactory(name="Cap")
    order_redeem(user_id=employee.pk, product_id=mug.pk)
    order_redeem(user_id=employee.pk, product_id=cap.pk)
    order_redeem(user_id=colleague.pk, product_id=mug.pk)

    response = signed_in.get(reverse("orders:order_list"))

    assert [o.product.name for o in response.context["page"]] == ["Cap", "Mug"]


def test_order_detail_shows_my_order_and_hides_anyone_elses(signed_in, employee, product, give_points):
    colleague = UserFactory()
    give_points(employee, 1000)
    give_points(colleague, 1000)
    mine = order_redeem(user_id=employee.pk, product_id=product.pk)
    theirs = order_redeem(user_id=colleague.pk, product_id=product.pk)

    assert mine.short_number in signed_in.get(mine.get_absolute_url()).content.decode()
    assert signed_in.get(theirs.get_absolute_url()).status_code == 404


def test_ordering_the_same_product_again_minutes_later_asks_first(signed_in, employee, product, give_points):
    give_points(employee, 1000)
    signed_in.post(redeem_url(product), confirmation(confirm_key(signed_in, product), product))
    first = Order.objects.get()

    again = signed_in.post(redeem_url(product), confirmation(confirm_key(signed_in, product), product))

    html = again.content.decode()
    assert again.status_code == 200
    assert "You ordered Hoodie" in html and first.short_number in html
    assert "Order another" in html
    assert Order.objects.count() == 1
    assert UserPoints.objects.get(pk=employee.pk).current_points == 700


def test_confirming_the_repeat_places_the_second_order(signed_in, employee, product, give_points):
    give_points(employee, 1000)
    signed_in.post(redeem_url(product), confirmation(confirm_key(signed_in, product), product))
    key = confirm_key(signed_in, product)

    asked = signed_in.post(redeem_url(product), confirmation(key, product))
    placed = signed_in.post(redeem_url(product), {**confirmation(key, product), "repeat": "True"})

    assert asked.status_code == 200
    assert placed.status_code == 302
    assert Order.objects.count() == 2
    assert UserPoints.objects.get(pk=employee.pk).current_points == 400
