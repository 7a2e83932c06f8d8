"""Take the README's screenshots of the portal with the demo data, at phone and desktop widths.

Usage: `make screenshots` (starts a server with the demo data and runs this against it).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.chromium import chromium_launch  # noqa: E402 - the project's one way to start Chromium

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 360, "height": 780}}


def shoot(page, name: str, width: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / f"{name}-{width}.png", full_page=width == "phone")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = chromium_launch(playwright)
        for width, viewport in WIDTHS.items():
            page = browser.new_page(base_url=BASE_URL, viewport=viewport)
            page.goto("/accounts/login/")
            shoot(page, "sign-in", width)
            page.get_by_label("E-mail address").fill("employee@awsomeshop.local")
            page.get_by_label("Password").fill("Employee-demo-2026")
            page.get_by_role("button", name="Sign in").click()
            shoot(page, "catalog", width)
            page.goto("/?q=headphones")
            page.get_by_role("link", name="Noise-cancelling headphones").click()
            shoot(page, "product", width)
            page.goto("/?q=yoga+mat")
            page.get_by_role("link", name="Yoga mat").click()
            page.get_by_role("link", name="Redeem for 350 points").click()
            shoot(page, "confirm", width)
            page.goto("/points/")
            shoot(page, "my-points", width)
            page.goto("/wishlist/")
            shoot(page, "wishlist", width)
            page.goto("/recognition/")
            shoot(page, "recognition-feed", width)
            page.goto("/recognition/give/")
            shoot(page, "recognition-give", width)
            page.goto("/?q=hoodie")
            page.get_by_role("link", name="AWSomeShop hoodie").click()
            page.get_by_role("link", name="Redeem for 450 points").click()
            page.get_by_label("Size").select_option(label="L")
            shoot(page, "confirm-options", width)
            page.goto("/orders/")
            page.get_by_role(
                "link", name=page.locator("tr", has_text="AWSomeShop hoodie").locator("a").first.inner_text()
            ).click()
            shoot(page, "order-timeline", width)
            page.close()
        page = browser.new_page(base_url=BASE_URL, viewport={"width": 1280, "height": 860})
        page.goto("/accounts/login/")
        page.get_by_label("E-mail address").fill("employee@awsomeshop.local")
        page.get_by_label("Password").fill("Employee-demo-2026")
        page.get_by_role("button", name="Sign in").click()
        page.goto("/notifications/")
        shoot(page, "notifications", "desktop")
        mail = OUT.parent.parent / "var" / "award-mail.html"
        if mail.exists():
            page.set_viewport_size({"width": 720, "height": 640})
            page.goto(mail.as_uri())
            shoot(page, "award-mail", "desktop")
        page.close()
        page = browser.new_page(base_url=BASE_URL, viewport={"width": 1440, "height": 860})
        page.goto("/admin/")
        page.locator("#id_username").fill("fulfilment@awsomeshop.local")
        page.locator("#id_password").fill("Fulfilment-demo-2026")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="Fulfilment queue").click()
        shoot(page, "fulfilment-queue", "desktop")
        page.close()
        # HR's admin: the branded index, the programme dashboard, the audit log, a waiting award.
        page = browser.new_page(base_url=BASE_URL, viewport={"width": 1280, "height": 860})
        page.goto("/admin/")
        page.locator("#id_username").fill("hr@awsomeshop.local")
        page.locator("#id_password").fill("Hr-demo-2026")
        page.get_by_role("button", name="Log in").click()
        shoot(page, "admin", "desktop")
        page.get_by_role("link", name="Programme dashboard").click()
        page.locator("#programme-chart[data-drawn]").wait_for()
        page.screenshot(path=OUT / "programme-dashboard-desktop.png", full_page=True)
        page.goto("/admin/audit/auditentry/")
        shoot(page, "audit-log", "desktop")
        page.goto("/admin/points/awardbatch/?status__exact=pending")
        page.locator("#result_list tbody tr a").first.click()
        shoot(page, "award-request", "desktop")
        page.goto("/admin/points/pointstransaction/")
        shoot(page, "ledger", "desktop")
        page.goto("/admin/recognition/recognition/")
        page.locator("#result_list tbody tr a").first.click()
        page.get_by_role("link", name="Hide and take back its points…").click()
        shoot(page, "recognition-hide", "desktop")
        page.goto("/admin/programme/#recognition")
        page.locator("#recognition").scroll_into_view_if_needed()
        shoot(page, "recognition-dashboard", "desktop")
        page.close()
        browser.close()
    print(f"Screenshots written to {OUT}")


if __name__ == "__main__":
    main()
