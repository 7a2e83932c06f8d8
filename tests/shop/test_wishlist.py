"""The wishlist: saving and removing products (portal, API), what the page says about each, and
the two messages ("available again", "within your points"): once per product, person and event,
none for withdrawn products, no storm."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_preferences_set, notifications_send
from orders.services import order_cancel, order_redeem
from shop.exceptions import ProductUnavailable, WishlistFull
from shop.models import WishlistItem
from shop.services import (
    catalog_write,
    product_active_set,
    product_option_create,
    product_option_update,
    product_stock_set,
    product_update,
)
from shop.wishlist import WISHLIST_MAX, wishlist_add, wishlist_remove
from tests.awards import points_award
from tests.factories import ProductFactory, UserFactory


def _told(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("id").values_list("title", flat=True))


# --- Saving and removing -----------------------------------------------------------------------
@pytest.mark.django_db
def test_saving_twice_keeps_one_entry_and_removing_twice_is_harmless(employee, product):
    first, created = wishlist_add(user_id=employee.pk, product_id=product.pk)
    again, created_again = wishlist_add(user_id=employee.pk, product_id=product.pk)

    assert created and not created_again and first.pk == again.pk
    assert wishlist_remove(user_id=employee.pk, product_id=product.pk) is True
    assert wishlist_remove(user_id=employee.pk, product_id=product.pk) is False
    assert not WishlistItem.objects.exists()


@pytest.mark.django_db
def test_only_offered_products_can_be_saved(employee):
    withdrawn = ProductFactory(is_active=False)

    for product_id in (withdrawn.pk, "no-such-product", "x" * 5000):
        with pytest.raises(ProductUnavailable):
            wishlist_add(user_id=employee.pk, product_id=product_id)
    assert not WishlistItem.objects.exists()


@pytest.mark.django_db
def test_a_wishlist_has_a_limit(employee, settings):
    products = [ProductFactory() for _ in range(WISHLIST_MAX)]
    for product in products:
        wishlist_add(user_id=employee.pk, product_id=product.pk)

    with pytest.raises(WishlistFull, match=f"at most {WISHLIST_MAX}"):
        wishlist_add(user_id=employee.pk, product_id=ProductFactory().pk)
    wishlist_add(user_id=employee.pk, product_id=products[0].pk)  # one already there is fine


# --- The portal --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_heart_saves_and_removes_and_says_which_it_will_do(client, employee, product):
    client.force_login(employee)
    url = f"/wishlist/{product.pk}/"

    catalog = client.get("/").content.decode()
    assert 'aria-pressed="false"' in catalog and f"Save {product.name} to your wishlist" in catalog

    response = client.post(url, {"wish": "add", "next": "/"}, follow=True)
    client.post(url, {"wish": "add", "next": "/"})  # a double click
    assert response.redirect_chain == [("/", 302)]
    assert "Saved to your wishlist" in response.content.decode()
    assert WishlistItem.objects.filter(user=employee).count() == 1
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page and "On your wishlist" in page

    client.post(url, {"wish": "remove", "next": product.get_absolute_url()})
    client.post(url, {"wish": "remove"})
    assert not WishlistItem.objects.exists()


@pytest.mark.django_db
def test_the_heart_goes_back_only_to_this_site_and_refuses_what_it_does_not_know(client, employee, product):
    client.force_login(employee)

    outside = client.post(f"/wishlist/{product.pk}/", {"wish": "add", "next": "https://evil.example/"})
    unknown = client.post(f"/wishlist/{product.pk}/", {"wish": "toggle"}, follow=True)
    missing = client.post("/wishlist/nope/", {"wish": "add"}, follow=True)
    fetched = client.get(f"/wishlist/{product.pk}/")

    assert outside.status_code == 302 and outside["Location"] == "/wishlist/"
    assert "Choose whether to save" in unknown.content.decode()
    assert "This product is not available." in missing.content.decode()
    assert fetched.status_code == 405
    assert WishlistItem.objects.count() == 1


@pytest.mark.django_db
def test_the_wishlist_page_says_what_each_product_still_needs(client, employee):
    points_award(user_id=employee.pk, amount=500, reason="Launch")
    cheap = ProductFactory(name="Mug", points_cost=300)
    dear = ProductFactory(name="Headphones", points_cost=1200)
    gone = ProductFactory(name="Old hoodie", points_cost=100)
    for product in (cheap, dear, gone):
        wishlist_add(user_id=employee.pk, product_id=product.pk)
    product_active_set(product_ids=[gone.pk], is_active=False)
    client.force_login(employee)

    html = client.get("/wishlist/").content.decode()

    assert "You can have it now" in html
    assert "700 more points to go" in html
    assert "No longer offered" in html
    assert html.count('data-testid="wishlist-item"') == 3
    assert html.count(">Redeem</a>") == 1 and f"/products/{cheap.pk}/redeem/" in html


@pytest.mark.django_db
def test_an_empty_wishlist_says_how_to_fill_it(client, employee):
    client.force_login(employee)

    assert 'data-testid="wishlist-empty"' in client.get("/wishlist/").content.decode()


# --- Available again ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_wishers_hear_once_when_a_sold_out_product_is_restocked(employee):
    other = UserFactory()
    bystander = UserFactory()
    product = ProductFactory(name="Hoodie", stock_quantity=0)
    for user in (employee, other):
        wishlist_add(user_id=user.pk, product_id=product.pk)

    product_stock_set(product_ids=[product.pk], quantity=5)
    product_stock_set(product_ids=[product.pk], quantity=9)  # more of what is there: no news

    assert _told(employee, "wish_in_stock") == ["“Hoodie” is available again"]
    assert _told(other, "wish_in_stock") == ["“Hoodie” is available again"]
    assert _told(bystander, "wish_in_stock") == []
    message = Notification.objects.filter(kind="wish_in_stock").first()
    assert message.link == product.get_absolute_url() and message.topic == "wishlist"


@pytest.mark.django_db
def test_a_product_flickering_in_and_out_of_stock_tells_once_a_day(employee):
    product = ProductFactory(stock_quantity=0)
    wishlist_add(user_id=employee.pk, product_id=product.pk)

    for quantity in (1, 0, 1, 0, 1):
        product_stock_set(product_ids=[product.pk], quantity=quantity)
    assert len(_told(employee, "wish_in_stock")) == 1

    WishlistItem.objects.update(told_in_stock_at=timezone.now() - datetime.timedelta(hours=25))
    product_stock_set(product_ids=[product.pk], quantity=0)
    product_stock_set(product_ids=[product.pk], quantity=2)
    assert len(_told(employee, "wish_in_stock")) == 2


@pytest.mark.django_db
def test_a_cancellation_that_returns_the_last_unit_tells_the_wishers(employee):
    buyer = UserFactory()
    points_award(user_id=buyer.pk, amount=100, reason="Launch")
    product = ProductFactory(points_cost=100, stock_quantity=1)
    order = order_redeem(user_id=buyer.pk, product_id=product.pk)
    wishlist_add(user_id=employee.pk, product_id=product.pk)

    order_cancel(order_id=order.pk, cancelled_by_id=buyer.pk)

    assert len(_told(employee, "wish_in_stock")) == 1


@pytest.mark.django_db
def test_an_option_restocked_brings_its_product_back(employee):
    product = ProductFactory(stock_quantity=0)
    option = product_option_create(product_id=product.pk, name="M", stock_quantity=0)
    wishlist_add(user_id=employee.pk, product_id=product.pk)

    product_option_update(option_id=option.pk, changes={"stock_quantity": 3}, stock_seen=0)

    assert len(_told(employee, "wish_in_stock")) == 1


@pytest.mark.django_db
def test_nothing_is_said_of_a_product_withdrawn_since(employee):
    product = ProductFactory(stock_quantity=0)
    wishlist_add(user_id=employee.pk, product_id=product.pk)
    product_active_set(product_ids=[product.pk], is_active=False)

    product_stock_set(product_ids=[product.pk], quantity=5)
    assert _told(employee, "wish_in_stock") == []

    product_active_set(product_ids=[product.pk], is_active=True)  # offered again, in stock: news
    assert len(_told(employee, "wish_in_stock")) == 1


@pytest.mark.django_db
def test_a_stock_edit_in_the_admin_form_tells_too(employee):
    product = ProductFactory(stock_quantity=0)
    wishlist_add(user_id=employee.pk, product_id=product.pk)

    product_update(product_id=product.pk, changes={"stock_quantity": 4}, stock_seen=0)

    assert len(_told(employee, "wish_in_stock")) == 1


@pytest.mark.django_db
def test_no_catalog_write_can_forget_to_name_the_products_it_may_bring_back():
    with pytest.raises(TypeError, match="products"):
        catalog_write()


# --- Within your points ------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_award_that_first_covers_a_wished_price_tells_once(employee):
    mug = ProductFactory(name="Mug", points_cost=300)
    wishlist_add(user_id=employee.pk, product_id=mug.pk)

    points_award(user_id=employee.pk, amount=200, reason="One")  # not enough yet
    points_award(user_id=employee.pk, amount=200, reason="Two")  # 400: covers 300
    points_award(user_id=employee.pk, amount=200, reason="Three")  # covered already

    assert _told(employee, "wish_affordable") == ["You have enough points for “Mug”"]
    message = Notification.objects.get(kind="wish_affordable")
    assert "Your balance is now 400 points and “Mug” costs 300." in message.body
    assert message.link == mug.get_absolute_url()


@pytest.mark.django_db
def test_one_credit_covering_several_wishes_is_one_message(employee):
    names = ["Mug", "Bottle", "Headphones"]
    for name, cost in zip(names, (300, 250, 5000), strict=True):
        wishlist_add(user_id=employee.pk, product_id=ProductFactory(name=name, points_cost=cost).pk)
    gone = ProductFactory(name="Withdrawn", points_cost=100)
    wishlist_add(user_id=employee.pk, product_id=gone.pk)
    product_active_set(product_ids=[gone.pk], is_active=False)

    points_award(user_id=employee.pk, amount=1000, reason="Launch")

    assert _told(employee, "wish_affordable") == ["You have enough points for 2 things on your wishlist"]
    body = Notification.objects.get(kind="wish_affordable").body
    assert "Bottle: 250 points" in body and "Mug: 300 points" in body
    assert "Headphones" not in body and "Withdrawn" not in body


@pytest.mark.django_db
def test_a_refund_that_brings_the_balance_back_up_tells_too_but_not_twice_a_day(employee):
    points_award(user_id=employee.pk, amount=300, reason="Launch")
    mug = ProductFactory(name="Mug", points_cost=300)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=200).pk)
    wishlist_add(user_id=employee.pk, product_id=mug.pk)

    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(points_cost=200).pk)
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    assert _told(employee, "wish_affordable") == ["You have enough points for “Mug”"]


@pytest.mark.django_db
def test_a_wisher_who_turned_wishlist_mail_off_keeps_the_message_without_the_mail(employee, settings):
    settings.NOTIFICATIONS_SEND_ON_COMMIT = "off"
    notification_preferences_set(user_id=employee.pk, awards_email=True, orders_email=True, wishlist_email=False)
    wishlist_add(user_id=employee.pk, product_id=ProductFactory(name="Mug", points_cost=300).pk)

    points_award(user_id=employee.pk, amount=300, reason="Launch")
    notifications_send()

    assert _told(employee, "wish_affordable") == ["You have enough points for “Mug”"]
    assert mail.outbox and all("Mug" not in message.subject for message in mail.outbox)
    assert Notification.objects.get(kind="wish_affordable").email_status == "skipped"


# --- The API -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_api_saves_lists_and_removes_idempotently(employee_api, employee):
    points_award(user_id=employee.pk, amount=100, reason="Launch")
    product = ProductFactory(name="Mug", points_cost=300)
    url = f"/api/v1/me/wishlist/{product.pk}"

    first = employee_api.put(url)
    again = employee_api.put(url)
    listed = employee_api.get("/api/v1/me/wishlist")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["product"]["id"] == product.pk
    (entry,) = listed.json()
    assert (entry["affordable"], entry["missing_points"], entry["offered"]) == (False, 200, True)
    assert employee_api.delete(url).status_code == 204
    assert employee_api.delete(url).status_code == 204
    assert employee_api.get("/api/v1/me/wishlist").json() == []


@pytest.mark.django_db
def test_the_api_refuses_what_cannot_be_saved_in_its_error_shape(employee_api):
    withdrawn = ProductFactory(is_active=False)

    for product_id in (withdrawn.pk, "nope"):
        response = employee_api.put(f"/api/v1/me/wishlist/{product_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "product_unavailable"


@pytest.mark.django_db
def test_each_person_sees_and_changes_only_their_own_wishlist(api_as, employee, product):
    other = UserFactory()
    wishlist_add(user_id=other.pk, product_id=product.pk)

    mine = api_as(employee)
    assert mine.get("/api/v1/me/wishlist").json() == []
    assert mine.delete(f"/api/v1/me/wishlist/{product.pk}").status_code == 204
    assert WishlistItem.objects.filter(user=other).count() == 1


# --- What catalog managers and HR see ----------------------------------------------------------
@pytest.mark.django_db
def test_the_products_list_shows_how_many_wish_for_each(client, catalog_manager):
    product = ProductFactory(name="Hoodie")
    for _ in range(3):
        wishlist_add(user_id=UserFactory().pk, product_id=product.pk)
    client.force_login(catalog_manager)

    html = client.get("/admin/shop/product/", {"o": "6"}).content.decode()

    assert "Wished by" in html
    assert '<td class="field-wished_by">3</td>' in html


@pytest.mark.django_db
def test_the_dashboard_lists_the_most_wished_products(hr):
    hoodie, mug = ProductFactory(name="Hoodie", stock_quantity=0), ProductFactory(name="Mug")
    for _ in range(3):
        wishlist_add(user_id=UserFactory().pk, product_id=hoodie.pk)
    wishlist_add(user_id=UserFactory().pk, product_id=mug.pk)

    html = hr.get("/admin/programme/").content.decode()
    rows = b"".join(hr.get("/admin/programme/", {"export": "wished"}).streaming_content).decode().splitlines()

    assert html.index("Hoodie") < html.index("Mug")
    assert rows[0] == "\ufeffproduct_id,product,wished_by,stock,offered"
    assert rows[1] == f'"{hoodie.pk}","Hoodie",3,0,"yes"'


@pytest.mark.django_db
def test_catalog_managers_see_what_is_wished_for_and_none_of_the_points(client, catalog_manager):
    hoodie = ProductFactory(name="Hoodie", stock_quantity=0)
    wishlist_add(user_id=UserFactory().pk, product_id=hoodie.pk)
    client.force_login(catalog_manager)

    page = client.get("/admin/programme/")
    html = page.content.decode()
    wished = client.get("/admin/programme/", {"export": "wished"})
    months = client.get("/admin/programme/", {"export": "months"})

    assert page.status_code == 200 and "Catalog dashboard" in html
    assert 'id="wished-table"' in html and "Hoodie" in html and 'id="products-table"' in html
    assert 'id="figure-awarded"' not in html and 'id="months-table"' not in html and 'id="givers-table"' not in html
    assert "programme-chart-data" not in html
    assert wished.status_code == 200
    assert months.status_code == 403


# --- Found by the attack round -------------------------------------------------------------------
@pytest.mark.django_db
def test_one_restock_of_many_wished_products_is_one_message_per_person(employee):
    other = UserFactory()
    products = [ProductFactory(name=f"Thing {i:02d}", stock_quantity=0) for i in range(30)]
    for product in products:
        wishlist_add(user_id=employee.pk, product_id=product.pk)
    wishlist_add(user_id=other.pk, product_id=products[0].pk)

    product_stock_set(product_ids=[p.pk for p in products], quantity=5)

    assert _told(employee, "wish_in_stock") == ["30 things on your wishlist are available again"]
    assert _told(other, "wish_in_stock") == ["“Thing 00” is available again"]
    body = Notification.objects.get(recipient=employee, kind="wish_in_stock").body
    assert body.count("•") == 10 and "…and 20 more on your wishlist." in body
    assert not WishlistItem.objects.filter(told_in_stock_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_product_redeemed_leaves_the_wishlist_and_its_cancellation_announces_nothing(employee):
    hoodie = ProductFactory(name="Hoodie", points_cost=300)
    points_award(user_id=employee.pk, amount=300, reason="Launch")
    wishlist_add(user_id=employee.pk, product_id=hoodie.pk)
    Notification.objects.filter(kind="wish_affordable").delete()

    order = order_redeem(user_id=employee.pk, product_id=hoodie.pk)
    assert not WishlistItem.objects.filter(user=employee).exists()
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    assert _told(employee, "wish_affordable") == []


@pytest.mark.django_db
def test_a_message_names_at_most_ten_products_and_keeps_its_ending(employee):
    for i in range(40):
        wishlist_add(user_id=employee.pk, product_id=ProductFactory(name=f"Thing {i:02d}", stock_quantity=0).pk)

    points_award(user_id=employee.pk, amount=1000, reason="Launch")

    body = Notification.objects.get(kind="wish_affordable").body
    assert body.count("•") == 10 and "…and 30 more on your wishlist." in body
    assert body.endswith("Some are out of stock for now: we will tell you when they are back.")
