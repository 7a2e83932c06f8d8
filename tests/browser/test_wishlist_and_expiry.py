"""Browser walks of the wishlist (desktop and phone) and of the expiry notice on My points."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from points.expiry import expiry_rule
from shop.models import WishlistItem
from tests.browser.walks import no_sideways_scroll, signed_in
from tests.factories import DEFAULT_PASSWORD, ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_on_a_360_px_phone_every_section_of_the_main_menu_is_in_sight(browser, live_server, employee):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto("/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(links).to_have_text(["Catalog", "Wishlist", "My orders", "My points", "Recognition"])
    for link in links.all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, link.inner_text()
    context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_employee_saves_products_and_sees_what_each_still_needs(
    browser, live_server, employee, give_points, viewport
):
    give_points(employee, 500)
    ProductFactory(name="Yoga mat", points_cost=350, stock_quantity=10)
    ProductFactory(name="Noise-cancelling headphones", points_cost=2400, stock_quantity=0)
    context, page = signed_in(browser, live_server, employee, viewport)

    page.get_by_role("button", name="Save Yoga mat to your wishlist").click()
    expect(page.get_by_role("button", name="Remove Yoga mat from your wishlist")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("link", name=re.compile("Noise-cancelling headphones")).click()
    page.get_by_role("button", name="Save Noise-cancelling headphones to your wishlist").click()
    expect(page.get_by_text("Saved to your wishlist")).to_be_visible()
    assert no_sideways_scroll(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Wishlist").click()
    items = page.get_by_test_id("wishlist-item")
    expect(items).to_have_count(2)
    expect(items.filter(has_text="Yoga mat")).to_contain_text("You can have it now")
    expect(items.filter(has_text="Noise-cancelling headphones")).to_contain_text("1,900 more points to go")
    expect(items.filter(has_text="Noise-cancelling headphones")).to_contain_text("Out of stock")
    assert no_sideways_scroll(page)

    items.filter(has_text="Yoga mat").get_by_role("button", name="Remove Yoga mat from your wishlist").click()
    expect(page.get_by_test_id("wishlist-item")).to_have_count(1)
    assert WishlistItem.objects.filter(user=employee).count() == 1
    context.close()


def test_a_double_click_on_the_heart_saves_once(page, sign_in, employee):
    ProductFactory(name="Yoga mat", points_cost=350)
    sign_in(employee)

    page.get_by_role("button", name="Save Yoga mat to your wishlist").dblclick()

    expect(page.get_by_role("button", name="Remove Yoga mat from your wishlist")).to_be_visible()
    assert WishlistItem.objects.filter(user=employee).count() == 1


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_my_points_says_what_expires_when(browser, live_server, employee, give_points, settings, viewport):
    settings.POINTS_EXPIRY_MONTHS, settings.POINTS_EXPIRY_STARTS = 12, datetime.date(2000, 1, 1)
    give_points(employee, 1200, "Launch bonus")
    give_points(employee, 300, "Thanks for the offsite")
    last_day = expiry_rule().expires_on(datetime.datetime.now(datetime.UTC))
    context, page = signed_in(browser, live_server, employee, viewport)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My points").click()

    expect(page.get_by_test_id("expiry-next")).to_have_text(
        f"1,500 points expire on {last_day.day} {last_day:%b %Y}. Points are spent oldest first, so those go first."
    )
    lots = page.get_by_test_id("lots-table").locator("tbody tr")
    expect(lots).to_have_count(2)
    expect(lots.first).to_contain_text("Launch bonus")
    assert no_sideways_scroll(page)
    context.close()
