"""What the browser walks share: the two widths, signing in, sideways scrolling, and axe-core."""

from axe_playwright_python.sync_playwright import Axe

from tests.factories import DEFAULT_PASSWORD

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

AXE = Axe()
# WCAG 2.1 levels A and AA, the rules a finding must break to count.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# How many of a rule's elements a finding names (the count says how many there were in all).
AXE_TARGETS_SHOWN = 3


def signed_in(browser, live_server, user, viewport, *, path: str = "/", locale: str = "en-GB"):
    """A new browser context at the width and in the language (`locale`, which the browser sends
    as Accept-Language), signed in as the user from `path`'s sign-in page."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[viewport], locale=locale)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(path)
    # By the fields' ids, not their words, so a walk in any language signs in the same way.
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form [type=submit]").first.click()
    return context, page


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def serious_findings(page) -> list[str]:
    """What axe-core finds against WCAG 2.1 A/AA on the page as it is now, serious or critical
    only: one line per rule, with its impact, its help text and the first elements it names."""
    # Only the violations: the passes' details cost more time than the rules themselves.
    results = AXE.run(page, options={"runOnly": AXE_TAGS, "resultTypes": ["violations"]})
    findings = []
    for violation in results.response["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        nodes = violation["nodes"]
        targets = ", ".join(" ".join(map(str, node["target"])) for node in nodes[:AXE_TARGETS_SHOWN])
        more = f" and {len(nodes) - AXE_TARGETS_SHOWN} more" if len(nodes) > AXE_TARGETS_SHOWN else ""
        findings.append(
            f"{violation['id']} ({violation['impact']}, {len(nodes)}): {violation['help']} at {targets}{more}"
        )
    return findings
