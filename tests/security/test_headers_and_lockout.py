"""Security headers, cookies, and brute-force protection on every sign-in."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy_and_the_usual_headers(client, employee):
    client.force_login(employee)

    response = client.get("/")

    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_portal_template_has_an_inline_script(settings):
    from pathlib import Path

    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and " onclick=" not in text and "javascript:" not in text, template


def test_session_and_csrf_cookies_are_httponly_and_samesite_lax(client, employee):
    response = client.post(reverse("login"), {"username": employee.email, "password": DEFAULT_PASSWORD})

    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    page = client.get(reverse("login"))
    csrf = page.cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_the_api_docs_work_under_the_policy_without_inline_scripts(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html.replace("<script src=", "")


def fail_sign_in(client, email: str, times: int) -> None:
    for _ in range(times):
        client.post(reverse("login"), {"username": email, "password": "wrong password"})


def test_five_wrong_passwords_lock_the_portal_sign_in_with_a_clear_message(client, employee):
    fail_sign_in(client, employee.email, 5)

    response = client.post(reverse("login"), {"username": employee.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert (
        "Too many failed sign-in attempts. For your security, wait 15 minutes and try again."
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_then_the_right_one_signs_in_and_resets_the_count(client, employee):
    fail_sign_in(client, employee.email, 4)

    response = client.post(reverse("login"), {"username": employee.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    client.logout()
    fail_sign_in(client, employee.email, 4)
    assert client.post(reverse("login"), {"username": employee.email, "password": DEFAULT_PASSWORD}).status_code == 302


def test_the_admin_sign_in_locks_too(client, hr_staff):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": hr_staff.email, "password": "nope"})

    response = client.post(reverse("admin:login"), {"username": hr_staff.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429


def test_the_api_token_endpoint_locks_with_a_json_error(employee):
    api = APIClient()
    for _ in range(5):
        api.post("/api/v1/auth/token", {"email": employee.email, "password": "nope"}, format="json")

    response = api.post("/api/v1/auth/token", {"email": employee.email, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 429
    assert response.json()["error"]["code"] in ("locked_out", "throttled")
