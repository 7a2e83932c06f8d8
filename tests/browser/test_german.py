"""The portal once in German, in Chromium at both widths, over the demo data: German's long words
fit every page (no sideways scrolling), axe-core finds nothing serious, no English heading is left,
and numbers and dates are written the German way. Choosing English in the footer switches back."""

import re

import pytest
from playwright.sync_api import expect

from demo.data import demo_seed
from demo.users import DEMO_USERS
from orders.models import Order
from tests.browser.walks import VIEWPORTS, no_sideways_scroll, serious_findings

pytestmark = pytest.mark.django_db(transaction=True)

EMPLOYEE = next(user for user in DEMO_USERS if user.email == "employee@awsomeshop.local")
# The English headings of the pages walked: none may be left on a German page.
ENGLISH = re.compile(
    r"\b(Catalog|Wishlist|My orders|My points|Recognition|Notifications|E-mail settings|Your balance|"
    r"Sign out|Redeem|Order another one|Confirm redemption|Timeline|History|points)\b"
)


@pytest.fixture
def demo():
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import roles_sync

    # The data migrations made the roles; a transactional test's flush removes them.
    roles_sync(group_model=Group, permission_model=Permission)
    demo_seed()


WORDS_OF_THE_PAGE = (
    "h1, h2, nav, button, label, th, dt, .stat-label, .badge, .status, .help, .muted:not(.recognition-added)"
)


def _german_pages(order: Order) -> list[str]:
    return [
        "/",
        f"/products/{order.product_id}/",
        f"/products/{order.product_id}/redeem/",
        "/wishlist/",
        "/orders/",
        f"/orders/{order.pk}/",
        "/points/",
        "/notifications/",
        "/notifications/preferences/",
        "/recognition/",
        "/recognition/give/",
        f"/recognition/people/{order.user_id}/",
    ]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_portal_reads_german_and_fits_at_both_widths(browser, live_server, demo, viewport):
    order = Order.objects.filter(user__email=EMPLOYEE.email).order_by("-created_at").first()
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[viewport], locale="de-DE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    expect(page.locator("h1")).to_have_text("Bei AWSomeShop anmelden")
    page.locator("#id_username").fill(EMPLOYEE.email)
    page.locator("#id_password").fill(EMPLOYEE.password)
    page.locator("button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_text("Katalog")
    problems = []
    for path in _german_pages(order):
        page.goto(path)
        if page.locator("html").get_attribute("lang") != "de":
            problems.append(f"{path}: not German")
        # The page's own words (headings, menus, buttons, labels, table heads), not people's names or messages.
        own_words = " | ".join(page.locator(WORDS_OF_THE_PAGE).all_inner_texts())
        if leftover := ENGLISH.findall(own_words):
            problems.append(f"{path}: English left: {sorted(set(leftover))}")
        if not no_sideways_scroll(page):
            problems.append(f"{path}: scrolls sideways")
        problems += [f"{path}: {finding}" for finding in serious_findings(page)]
    assert problems == [], "\n".join(problems)
    # Numbers group by "." and dates read the German way, with their zone.
    page.goto("/points/")
    assert re.search(
        r"\d{1,2}\. (Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember) \d{4}, \d\d:\d\d",
        page.locator("main").inner_text(),
    )
    context.close()


def test_choosing_english_in_the_footer_switches_back_and_stays(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS["desktop"], locale="de-DE")
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(EMPLOYEE.email)
    page.locator("#id_password").fill(EMPLOYEE.password)
    page.locator("button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_text("Katalog")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Ändern").click()
    expect(page.locator("h1")).to_have_text("Catalog")
    page.goto("/orders/")
    expect(page.locator("h1")).to_have_text("My orders")
    context.close()
