"""Issue 30: a page a role may not open answers 403 in the look of where it was asked, with the way
back; never Django's bare "403 Forbidden"."""

import pytest
from django.urls import reverse

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
