"""The portal's side of an order's life: the confirmation asks what the product needs, keeps
what was typed on a refusal, remembers the last address; the order shows its timeline and code."""

import re

import pytest
from django.urls import reverse

from orders.models import Order
from orders.services import order_redeem, order_status_change, voucher_codes_import
from points.models import UserPoints
from tests.factories import ProductFactory, UserFactory
from tests.orders.fulfilment import ADDRESS, DESK, hoodie_with_sizes, pickup_order, shipped_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, employee, give_points):
    give_points(employee, 5000)
    client.force_login(employee)
    return client


def confirm_page(client, product) -> str:
    return client.get(reverse("orders:redeem", kwargs={"product_id": product.pk})).content.decode()


def confirm(client, product, **fields):
    html = confirm_page(client, product)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    data = {"idempotency_key": key, "expected_points_cost": product.points_cost, **fields}
    return client.post(reverse("orders:redeem", kwargs={"product_id": product.pk}), data)


def test_the_confirmation_asks_a_shipped_product_for_its_size_and_address_only(signed_in):
    hoodie, _sizes = hoodie_with_sizes(S=0, M=2)

    html = confirm_page(signed_in, hoodie)

    assert 'name="option_id"' in html and 'name="delivery_address"' in html
    assert 'name="pickup_location"' not in html and 'name="note"' not in html
    assert re.search(r'<option value="[^"]+" disabled>S \(sold out\)</option>', html)
    assert "M (only 2 left)" in html


def test_the_confirmation_asks_a_digital_product_nothing_but_its_question(signed_in):
    product = ProductFactory(delivery_method="digital", note_prompt="Which charity should receive it?")

    html = confirm_page(signed_in, product)

    assert "Which charity should receive it?" in html and 'name="note"' in html
    assert 'name="delivery_address"' not in html and 'name="pickup_location"' not in html
    assert 'name="option_id"' not in html


def test_a_refused_confirmation_keeps_what_was_typed_and_charges_nothing(signed_in, employee):
    hoodie, sizes = hoodie_with_sizes(M=2)

    response = confirm(signed_in, hoodie, delivery_address="12 Harbour Street")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose an option of “Hoodie”." in html
    assert "12 Harbour Street</textarea>" in html
    assert not Order.objects.exists()
    assert UserPoints.objects.get(pk=employee.pk).current_points == 5000


def test_an_option_that_sold_out_meanwhile_asks_for_another(signed_in, give_points):
    hoodie, sizes = hoodie_with_sizes(S=1, M=2)
    other = UserFactory()
    give_points(other, 1000)
    html = confirm_page(signed_in, hoodie)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    shipped_order(other, hoodie, option_id=sizes["S"])  # the last S goes while the page is open

    response = signed_in.post(
        reverse("orders:redeem", kwargs={"product_id": hoodie.pk}),
        {"idempotency_key": key, "expected_points_cost": 300, "option_id": sizes["S"], "delivery_address": ADDRESS},
    )

    html = response.content.decode()
    assert "“Hoodie” in S is out of stock; choose another option." in html
    assert "S (sold out)" in html
    assert Order.objects.count() == 1


def test_a_confirmed_order_shows_its_size_address_and_timeline(signed_in, employee):
    hoodie, sizes = hoodie_with_sizes(M=2)

    response = confirm(signed_in, hoodie, option_id=sizes["M"], delivery_address=ADDRESS)
    page = signed_in.get(response["Location"]).content.decode()

    assert 'data-testid="order-option">M<' in page
    assert "12 Harbour Street<br>Bristol BS1 4RN" in page
    assert 'data-testid="order-status">Placed<' in page
    assert "Cancel this order" in page


def test_the_next_confirmation_remembers_the_last_address_and_desk(signed_in, employee):
    shipped_order(employee, ProductFactory(delivery_method="shipped"))
    pickup_order(employee, ProductFactory(delivery_method="pickup"))

    shipped_page = confirm_page(signed_in, ProductFactory(delivery_method="shipped"))
    pickup_page = confirm_page(signed_in, ProductFactory(delivery_method="pickup"))

    assert "Emma Foster\n12 Harbour Street\nBristol BS1 4RN</textarea>" in shipped_page
    assert f'value="{DESK}"' in pickup_page


def test_the_employee_cancels_from_the_order_page_and_a_second_click_changes_nothing(signed_in, employee):
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=300).pk)
    cancel = reverse("orders:order_cancel", kwargs={"order_id": order.pk})

    first = signed_in.post(cancel, {"reason": "Ordered by mistake"}, follow=True)
    second = signed_in.post(cancel, follow=True)

    assert f"Order {order.short_number} is cancelled: 300 points are back in your balance." in first.content.decode()
    assert f"Order {order.short_number} was already cancelled" in second.content.decode()
    page = second.content.decode()
    assert "Ordered by mistake" in page and "Cancel this order" not in page
    assert UserPoints.objects.get(pk=employee.pk).current_points == 5000


def test_nobody_cancels_someone_elses_order_from_the_portal(client, employee, give_points):
    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory().pk)
    client.force_login(UserFactory())

    response = client.post(reverse("orders:order_cancel", kwargs={"order_id": order.pk}))

    assert response.status_code == 404
    assert Order.objects.get(pk=order.pk).status == "Placed"


def test_a_processing_order_offers_no_cancel_and_a_forced_one_is_refused(signed_in, employee, fulfilment_staff):
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory().pk)
    order_status_change(order_ids=[order.pk], to_status="Processing", changed_by_id=fulfilment_staff.pk)

    page = signed_in.get(order.get_absolute_url()).content.decode()
    forced = signed_in.post(reverse("orders:order_cancel", kwargs={"order_id": order.pk}), follow=True)

    assert "Cancel this order" not in page
    assert "can no longer be cancelled" in forced.content.decode()
    assert Order.objects.get(pk=order.pk).status == "Processing"


def test_a_digital_order_shows_its_code_to_its_employee(signed_in, employee, fulfilment_staff):
    card = ProductFactory(delivery_method="digital")
    voucher_codes_import(product_id=card.pk, codes=["https://gift.example/r/Q7"], added_by_id=fulfilment_staff.pk)
    order = order_redeem(user_id=employee.pk, product_id=card.pk)

    page = signed_in.get(order.get_absolute_url()).content.decode()

    assert '<a href="https://gift.example/r/Q7" rel="noopener noreferrer" target="_blank">' in page
    assert "Code handed out" in page
    german = signed_in.get(order.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Code handed out" not in german and "Code ausgegeben" in german


def test_the_product_page_says_which_options_are_left(signed_in):
    hoodie, _sizes = hoodie_with_sizes(S=0, M=2, L=9)

    page = signed_in.get(hoodie.get_absolute_url()).content.decode()

    assert "Shipped to an address" in page
    assert re.search(r"option-chip-out\">S<", page)
    assert "M · 2 left" in page


def test_a_confirmation_sent_again_with_another_size_points_to_the_order_it_placed(signed_in, employee):
    hoodie, sizes = hoodie_with_sizes(S=2, M=2)
    html = confirm_page(signed_in, hoodie)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    url = reverse("orders:redeem", kwargs={"product_id": hoodie.pk})
    form = {"idempotency_key": key, "expected_points_cost": 300, "delivery_address": ADDRESS}
    signed_in.post(url, {**form, "option_id": sizes["S"]})

    again = signed_in.post(url, {**form, "option_id": sizes["M"]}, follow=True)

    order = Order.objects.get()
    assert f"That confirmation already placed order {order.short_number}." in again.content.decode()
    assert (Order.objects.count(), order.option_id) == (1, sizes["S"])
