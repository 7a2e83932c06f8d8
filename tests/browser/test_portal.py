import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from points.models import UserPoints
from tests.factories import DEFAULT_PASSWORD, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalog():
    return [
        ProductFactory(name="Noise-cancelling headphones", category="Tech", points_cost=2400, stock_quantity=3),
        ProductFactory(name="Yoga mat", category="Wellbeing", points_cost=350, stock_quantity=10),
        ProductFactory(name="Insulated bottle", category="Home", points_cost=200, stock_quantity=1),
    ]


def test_a_signed_out_visitor_signs_in_and_lands_where_they_were_going(page, sign_in, employee):
    sign_in(employee, next_path="/points/")

    expect(page).to_have_url(re.compile(r"/points/$"))
    expect(page.get_by_role("heading", name="My points")).to_be_visible()


def test_a_wrong_password_is_explained(page, employee):
    page.goto("/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("That e-mail address and password do not match.")


def test_an_employee_finds_a_product_redeems_it_and_sees_the_order(page, sign_in, employee, give_points, catalog):
    give_points(employee, 1000)
    sign_in(employee)
    expect(page.get_by_test_id("header-balance")).to_contain_text("1,000")

    page.get_by_label("Search").fill("yoga")
    page.get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(r"q=yoga"))
    expect(page.get_by_test_id("product-grid").get_by_role("listitem")).to_have_count(1)

    page.get_by_role("link", name=re.compile("Yoga mat")).click()
    page.get_by_role("link", name="Redeem for 350 points").click()
    expect(page.get_by_test_id("balance-after")).to_have_text("650 points")
    page.get_by_role("button", name="Confirm redemption").click()

    expect(page.get_by_role("status")).to_contain_text("Done! Order")
    expect(page.get_by_test_id("header-balance")).to_contain_text("650")
    order = Order.objects.get()
    expect(page.get_by_test_id("order-number")).to_have_text(order.short_number)

    page.get_by_role("link", name="My orders", exact=True).click()
    expect(page.get_by_test_id("order-table")).to_contain_text("Yoga mat")
    page.get_by_role("link", name="My points", exact=True).click()
    expect(page.get_by_test_id("history-table")).to_contain_text("Redeemed Yoga mat")


def test_filters_stay_in_the_url_and_survive_a_reload(page, sign_in, employee, give_points, catalog):
    give_points(employee, 400)
    sign_in(employee)

    # Each filter applies as it changes (no Apply button with JavaScript on).
    expect(page.get_by_role("button", name="Apply")).to_be_hidden()
    page.get_by_label("Only what I can afford").check()
    expect(page).to_have_url(re.compile(r"affordable=true$"))
    page.get_by_label("Sort by").select_option("-points")
    expect(page).to_have_url(re.compile(r"/\?sort=-points&affordable=true$"))
    page.reload()

    cards = page.get_by_test_id("product-grid").get_by_role("listitem")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Yoga mat")
    expect(cards.last).to_contain_text("Insulated bottle")
    expect(page.get_by_label("Only what I can afford")).to_be_checked()


def test_without_enough_points_the_button_says_how_many_more_are_needed(page, sign_in, employee, give_points, catalog):
    give_points(employee, 1000)
    sign_in(employee)

    page.get_by_role("link", name=re.compile("Noise-cancelling headphones")).click()

    expect(page.get_by_role("button", name="Redeem")).to_be_disabled()
    expect(page.get_by_test_id("redeem-blocker")).to_have_text("You need 1,400 more points")
    assert not Order.objects.exists()


def test_a_double_click_on_confirm_redeems_once(page, sign_in, employee, give_points, catalog):
    give_points(employee, 1000)
    sign_in(employee)
    page.goto(f"/products/{catalog[2].pk}/redeem/")

    page.get_by_role("button", name="Confirm redemption").dblclick()

    expect(page.get_by_role("status")).to_contain_text("Done! Order")
    assert Order.objects.count() == 1
    assert UserPoints.objects.get(pk=employee.pk).current_points == 800


def test_the_catalog_works_on_a_phone(browser, live_server, employee, give_points, catalog):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 780}, is_mobile=True)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_test_id("product-grid").get_by_role("listitem")).to_have_count(3)
    no_sideways_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways_scroll
    context.close()


def test_without_javascript_the_apply_button_applies_the_filters(browser, live_server, employee, catalog):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Only in stock").check()
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"in_stock=true"))
    context.close()


def test_on_a_phone_the_filters_fold_behind_one_button_and_my_orders_stack(
    browser, live_server, employee, give_points, catalog
):
    from orders.services import order_redeem
    from shop.models import Product

    give_points(employee, 2000)
    for product in Product.objects.filter(points_cost__lte=400)[:2]:
        order_redeem(user_id=employee.pk, product_id=product.pk)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto("/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_label("Search")).to_be_visible()
    expect(page.get_by_label("Sort by")).to_be_hidden()
    page.get_by_text("Filters", exact=True).click()
    expect(page.get_by_label("Sort by")).to_be_visible()
    page.get_by_label("Only in stock").check()
    expect(page).to_have_url(re.compile(r"in_stock=true"))
    expect(page.locator("summary")).to_have_text("Filters (1)")

    page.goto("/orders/")
    table = page.get_by_test_id("order-table")
    expect(table).to_be_visible()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('.table-wrap').scrollWidth - document.querySelector('.table-wrap').clientWidth]"
    )
    assert widths[0] <= widths[1] and widths[2] == 0, widths
    expect(page.locator("[data-testid=order-table] td[data-label=Status]").first).to_be_visible()
    context.close()
