"""Every admin page a staff role is offered, on desktop and phone, with the demo's data: axe-core
finds nothing serious or critical against WCAG 2.1 A/AA on any of them, and none is wider than the
phone.

The pages are the ones a person would reach: the admin home, every link on it (app pages, change
lists, add forms), the dashboard link, the custom pages a change list's or change page's tools
open, and one change page per change list that has rows. One browser page walks them all."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from accounts.roles import roles_sync
from demo.users import DEMO_USERS
from tests.browser.walks import VIEWPORTS, no_sideways_scroll, serious_findings, signed_in
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_ROLES = {user.role: user.email for user in DEMO_USERS if user.is_staff}
# Pages that answer with a file or change something when opened are not pages to look at.
NOT_PAGES = ("/export", "/delete/", "/logout/", "?_to_field")


def _admin_links(page, selector: str) -> list[str]:
    hrefs = page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [href for href in hrefs if href and href.startswith("/admin/") and not any(bit in href for bit in NOT_PAGES)]


def _open(page, path: str) -> bool:
    """Open an admin page; False when it answered with a download instead of a page."""
    try:
        response = page.goto(path)
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return False
        raise
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    return "text/html" in (response.headers.get("content-type") or "")


def _findings(page, path: str, where: str) -> list[str]:
    """axe's findings on the open page, and whether it is wider than the window."""
    findings = [f"{where}, {path}: {finding}" for finding in serious_findings(page)]
    if not no_sideways_scroll(page):
        width = page.evaluate("document.documentElement.scrollWidth")
        findings.append(f"{where}, {path}: scrolls sideways ({width} px wide)")
    return findings


def _look(page, paths: list[str], where: str) -> list[str]:
    """The findings on each of the pages at the page's width."""
    findings: list[str] = []
    for path in paths:
        if _open(page, path):
            findings.extend(_findings(page, path, where))
    return findings


def _walk(page, where: str) -> tuple[list[str], list[str]]:
    """Walk the pages the role uses at the page's width, from the admin home: what it links to,
    and from each change list its first row's change page, its tools (custom pages) and that
    change page's tools (one history page is enough). Returns the pages and axe's findings."""
    pages = ["/admin/"]
    findings: list[str] = []

    def look(path: str) -> bool:
        if not _open(page, path):
            return False
        findings.extend(_findings(page, path, where))
        return True

    def add(links: list[str]) -> None:
        for link in links:
            if link not in pages and not (link.endswith("/history/") and any(p.endswith("/history/") for p in pages)):
                pages.append(link)

    look("/admin/")
    add(_admin_links(page, "#user-tools a.admin-dashboard-link, #content-main a"))
    index = 1
    while index < len(pages):  # the list grows as the walk finds pages
        if look(pages[index]):
            add(_admin_links(page, ".object-tools a"))
            add(_admin_links(page, "#result_list tbody a[href*='/change/']")[:1])
        index += 1
    return pages, findings


@pytest.fixture
def demo_data():
    # The data migration made the roles; a transactional test's flush removes them.
    roles_sync(group_model=Group, permission_model=Permission)
    call_command("seed_demo", verbosity=0)
    for user in get_user_model().objects.filter(email__in=STAFF_ROLES.values()):
        user.set_password(DEFAULT_PASSWORD)
        user.save(update_fields=["password"])


@pytest.mark.parametrize("locale", ["en-GB", "de-DE"])
@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_no_admin_page_a_role_uses_has_a_serious_accessibility_finding(browser, live_server, demo_data, role, locale):
    """Each role's walk, once in English and once in German (German's longer words move layouts)."""
    user = get_user_model().objects.get(email=STAFF_ROLES[role])
    context, page = signed_in(
        browser, live_server, user, "desktop", path="/accounts/login/?next=/admin/", locale=locale
    )
    assert page.locator("html").get_attribute("lang") == locale[:2]
    paths, findings = _walk(page, f"{role}, {locale}, desktop")
    assert len(paths) > 3, paths
    page.set_viewport_size(VIEWPORTS["phone"])
    findings += _look(page, paths, f"{role}, {locale}, phone")
    context.close()
    assert findings == [], f"{len(findings)} serious findings on {len(paths)} pages:\n" + "\n".join(findings)


def test_the_programme_dashboard_fits_a_phone(browser, live_server, demo_data):
    user = get_user_model().objects.get(email=STAFF_ROLES["HR"])
    context, page = signed_in(browser, live_server, user, "phone", path="/accounts/login/?next=/admin/")
    page.get_by_role("link", name="Programme dashboard").click()
    page.locator("#programme-chart[data-drawn]").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    fits = no_sideways_scroll(page)
    context.close()
    assert fits, f"the dashboard is {width} px wide on a {VIEWPORTS['phone']['width']} px phone"
