"""Issue 30: a page a role may not open answers 403 in the look of where it was asked, with the way
back; never Django's bare "403 Forbidden"."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from demo.users import DEMO_USERS

pytestmark = pytest.mark.django_db


def test_hr_opening_a_superuser_page_gets_the_admin_s_403_page(client, hr_staff):
    client.force_login(hr_staff)

    page = client.get(reverse("admin:accounts_user_changelist"))

    assert page.status_code == 403
    text = page.content.decode()
    assert "This page is not part of your role" in text
    assert f'href="{reverse("admin:index")}"' in text and "AWSomeShop admin" in text


def test_the_api_s_403_is_its_json_error(api_as, employee):
    response = api_as(employee).get("/api/v1/award-requests")

    assert response.status_code == 403 and response.json()["error"]["code"]


# --- No link a role is shown leads to a page of another role ------------------------------------
STAFF_ROLES = {user.role: user.email for user in DEMO_USERS if user.is_staff}
# Links that download, change something or leave the pages to look at.
NOT_PAGES = ("/export", "/delete/", "/logout/", "_to_field", "/password/", "/jsi18n/")
HREF = re.compile(r'href="(/admin/[^"#]*)"')


def _links(html: str) -> list[str]:
    return sorted({unescape(href) for href in HREF.findall(html) if not any(bit in href for bit in NOT_PAGES)})


@pytest.fixture
def demo_data(db):
    call_command("seed_demo", verbosity=0)


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_no_link_on_the_admin_pages_a_role_opens_leads_to_a_page_it_may_not_open(client, demo_data, role):
    """From the admin home (its recent actions too), every page it links to, and every link on
    those pages and on each list's first change page: none answers 403. A link to a page of another
    role ('Recent actions' to an order's page for fulfilment, a product's page) is a dead end."""
    client.force_login(get_user_model().objects.get(email=STAFF_ROLES[role]))
    seen: dict[str, int] = {}
    to_open = ["/admin/"]
    depth = {"/admin/": 0}
    found_on = {"/admin/": ""}
    while to_open:
        path = to_open.pop(0)
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", "") or depth[path] >= 3:
            continue
        links = _links(response.content.decode())
        changes = [link for link in links if link.endswith("/change/")]
        # From a list, its first row's page is enough; every other link is followed.
        follow = [link for link in links if not link.endswith("/change/")] + changes[
            : 1 if "/change/" not in path else None
        ]
        for link in follow:
            if link not in depth:
                depth[link] = depth[path] + 1
                found_on[link] = path
                to_open.append(link)
    forbidden = sorted(f"{path} (on {found_on[path]})" for path, status in seen.items() if status == 403)
    assert len(seen) > 5 and forbidden == [], f"{len(forbidden)} of {len(seen)} links lead to 403: {forbidden}"


def test_a_form_sent_without_its_security_token_gets_a_page_that_says_what_to_do(db):
    """Django's CSRF refusal is a bare page that speaks of DEBUG; people get the portal's page."""
    client = Client(enforce_csrf_checks=True)

    page = client.post("/accounts/language/", {"language": "de"}, HTTP_ACCEPT_LANGUAGE="de")

    text = page.content.decode()
    assert page.status_code == 403
    assert "Das Formular ist abgelaufen" in text and "DEBUG" not in text
