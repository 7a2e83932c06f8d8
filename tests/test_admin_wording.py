"""The admin's words: the same "Sign in" and "Sign out" as the portal, the library apps' sections
named for what they hold, and list filters titled in plain words."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


def test_the_admin_sign_in_page_says_sign_in_like_the_portal(client):
    html = client.get("/admin/login/?next=/admin/").content.decode()

    assert "<title>Sign in | AWSomeShop admin</title>" in html
    assert 'type="submit" value="Sign in"' in html
    assert "Log in" not in html and "log in" not in html


def test_a_failed_admin_sign_in_still_says_sign_in(client):
    user = UserFactory(email="kai@example.com", is_staff=True)
    html = client.post("/admin/login/", {"username": user.email, "password": "wrong"}).content.decode()

    assert 'value="Sign in"' in html and "Log in" not in html
    assert client.post("/admin/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302


@pytest.mark.parametrize("url", ["admin:index", "admin:password_change", "admin:password_change_done"])
def test_every_admin_page_offers_sign_out_not_log_out(superuser_client, url):
    html = superuser_client.get(reverse(url)).content.decode()

    assert re.search(r'<button type="submit">\s*Sign out\s*</button>', html), html
    assert "Log out" not in html


def test_the_library_apps_have_sections_a_person_understands(superuser_client):
    html = superuser_client.get(reverse("admin:index")).content.decode()
    sections = re.findall(r'<caption>\s*<a href="[^"]*" class="section"[^>]*>([^<]+)</a>', html)

    assert {"API tokens", "Sign-in lockouts", "Roles and groups"} <= set(sections), sections
    assert not {"Auth Token", "Axes", "Authentication and Authorization"} & set(sections)
    # The same names on their own pages and in the breadcrumbs of their lists.
    assert "Sign-in lockouts" in superuser_client.get("/admin/axes/").content.decode()
    assert "API tokens" in superuser_client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()


def test_no_list_filter_is_titled_with_a_field_s_code_name(superuser_client):
    titles = {}
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        html = superuser_client.get(url).content.decode()
        titles[url] = [" ".join(title.split()) for title in re.findall(r"<summary>(.*?)</summary>", html, re.S)]

    code_names = {url: found for url, found in titles.items() if any("_" in t or " is " in t for t in found)}
    assert code_names == {}
    # A filter is titled by what it filters ("Active"), not "By active" (Django's "By is active").
    assert "Active" in titles[reverse("admin:points_employee_changelist")]
    assert not any(title.startswith("By ") for found in titles.values() for title in found)


def test_an_empty_value_is_one_mark_on_every_page(superuser_client):
    from tests.factories import ProductFactory

    html = superuser_client.get(reverse("admin:shop_product_change", args=[ProductFactory().pk])).content.decode()

    # The product has no options and no image: an empty read-only value is "—", never Django's "-".
    assert '<div class="readonly">-</div>' not in html and "—" in html


def test_no_name_the_admin_shows_is_a_raw_id():
    from orders.models import VoucherCode
    from recognition.models import Give
    from tests.factories import ProductFactory

    giver = UserFactory(first_name="Carla", last_name="Giver")
    product = ProductFactory(name="Gift card")

    assert str(Give(giver=giver, points_each=5, total=5)) == "Carla Giver gave 5 each"
    assert str(Give(giver=None, points_each=100, total=100)) == "AWSomeShop gave 100 each"  # a milestone
    assert str(VoucherCode(product=product, code="SECRET")) == "Code for Gift card (unused)"
