"""Take the docs' screenshots of the portal and the admin with the demo data, at phone and desktop
widths, in English and in German (`-de` in the file name).

Usage: `make screenshots` (starts a server with the demo data and runs this against it).
Selectors name ids and links, never words, so one walk serves both languages.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.chromium import chromium_launch  # noqa: E402 - the project's one way to start Chromium

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 360, "height": 780}}
LANGUAGES = {"en": "en-GB", "de": "de-DE"}
PASSWORDS = {
    "employee@awsomeshop.local": "Employee-demo-2026",
    "fulfilment@awsomeshop.local": "Fulfilment-demo-2026",
    "hr@awsomeshop.local": "Hr-demo-2026",
}


def shoot(page, name: str, width: str, language: str, *, full_page: bool | None = None) -> None:
    page.wait_for_load_state("networkidle")
    suffix = "" if language == "en" else f"-{language}"
    full = width == "phone" if full_page is None else full_page
    page.screenshot(path=OUT / f"{name}-{width}{suffix}.png", full_page=full)


def new_page(browser, language: str, viewport: dict):
    context = browser.new_context(base_url=BASE_URL, viewport=viewport, locale=LANGUAGES[language])
    return context.new_page()


def sign_in(page, email: str, *, path: str = "/accounts/login/") -> None:
    page.goto(path)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORDS[email])
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def open_product(page, query: str) -> None:
    page.goto(f"/?q={query}")
    page.locator(".product-card-link").first.click()


def portal(browser, language: str) -> None:
    for width, viewport in WIDTHS.items():
        page = new_page(browser, language, viewport)
        page.goto("/accounts/login/")
        shoot(page, "sign-in", width, language)
        sign_in(page, "employee@awsomeshop.local")
        shoot(page, "catalog", width, language)
        open_product(page, "headphones")
        shoot(page, "product", width, language)
        open_product(page, "yoga+mat")
        page.locator("a.button-primary[href$='/redeem/']").click()
        shoot(page, "confirm", width, language)
        page.goto("/points/")
        shoot(page, "my-points", width, language)
        page.goto("/wishlist/")
        shoot(page, "wishlist", width, language)
        page.goto("/recognition/")
        shoot(page, "recognition-feed", width, language)
        page.goto("/recognition/give/")
        shoot(page, "recognition-give", width, language)
        open_product(page, "hoodie")
        page.locator("a.button-primary[href$='/redeem/']").click()
        page.locator("#id_option_id").select_option(label="L")
        shoot(page, "confirm-options", width, language)
        page.goto("/orders/")
        page.locator("tr", has_text="AWSomeShop hoodie").locator("a").first.click()
        shoot(page, "order-timeline", width, language)
        page.goto("/notifications/")
        shoot(page, "notifications", width, language)
        page.context.close()


def staff(browser, language: str) -> None:
    page = new_page(browser, language, {"width": 1440, "height": 860})
    sign_in(page, "fulfilment@awsomeshop.local", path="/admin/login/")
    page.goto("/admin/orders/fulfilmentorder/")
    shoot(page, "fulfilment-queue", "desktop", language)
    page.locator("#result_list tbody tr a").first.click()
    shoot(page, "fulfilment-order", "desktop", language)
    page.context.close()
    # HR's admin: the branded index, the programme dashboard, the audit log, a waiting award.
    page = new_page(browser, language, {"width": 1280, "height": 860})
    sign_in(page, "hr@awsomeshop.local", path="/admin/login/")
    shoot(page, "admin", "desktop", language)
    page.goto("/admin/programme/")
    page.locator("#programme-chart[data-drawn]").wait_for()
    shoot(page, "programme-dashboard", "desktop", language, full_page=True)
    page.goto("/admin/audit/auditentry/")
    shoot(page, "audit-log", "desktop", language)
    page.goto("/admin/points/awardbatch/?status__exact=pending")
    page.locator("#result_list tbody tr a").first.click()
    shoot(page, "award-request", "desktop", language)
    page.goto("/admin/points/pointstransaction/")
    shoot(page, "ledger", "desktop", language)
    page.goto("/admin/recognition/recognition/")
    page.locator("#result_list tbody tr a").first.click()
    page.locator("a[href$='/hide/']").first.click()
    shoot(page, "recognition-hide", "desktop", language)
    page.goto("/admin/programme/#recognition")
    page.locator("#recognition").scroll_into_view_if_needed()
    shoot(page, "recognition-dashboard", "desktop", language)
    page.context.close()


def award_mail(browser) -> None:
    mail = OUT.parent.parent / "var" / "award-mail.html"
    if mail.exists():
        page = new_page(browser, "en", {"width": 720, "height": 640})
        page.goto(mail.as_uri())
        shoot(page, "award-mail", "desktop", "en")
        page.context.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = chromium_launch(playwright)
        for language in LANGUAGES:
            portal(browser, language)
            staff(browser, language)
        award_mail(browser)
        browser.close()
    print(f"Screenshots written to {OUT}")


if __name__ == "__main__":
    main()
