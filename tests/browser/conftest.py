"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import pytest
from playwright.sync_api import sync_playwright

from tests.chromium import chromium_launch
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still plain synchronous calls.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # for the browser tests only
        chromium = chromium_launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    def sign_in_as(user, *, next_path: str = "/"):
        page.goto(next_path)
        page.get_by_label("E-mail address").fill(user.email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()

    return sign_in_as
