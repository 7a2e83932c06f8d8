"""What the browser walks share: the two widths, signing in, and sideways scrolling."""

from tests.factories import DEFAULT_PASSWORD

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def signed_in(browser, live_server, user, viewport, *, path: str = "/"):
    """A new browser context at the width, signed in as the user from `path`'s sign-in page."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[viewport])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(path)
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return context, page


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
