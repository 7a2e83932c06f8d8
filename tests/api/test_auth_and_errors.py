import pytest

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/me", "/api/v1/orders", "/api/v1/me/transactions"])
def test_anonymous_calls_are_401_with_a_json_error_and_a_challenge(api, path):
    response = api.get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_token_for_email_and_password(api, employee):
    response = api.post("/api/v1/auth/token", {"email": employee.email, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me").json()["email"] == employee.email
    assert api.delete("/api/v1/auth/token").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def test_a_wrong_password_gets_no_token(api, employee):
    response = api.post("/api/v1/auth/token", {"email": employee.email, "password": "nope"}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "That e-mail address and password do not match."


def test_a_bad_token_is_a_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_an_unknown_api_address_is_a_json_404(employee_api):
    response = employee_api.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_wrong_method_is_a_405_with_the_error_shape(employee_api):
    response = employee_api.delete("/api/v1/products")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_the_session_works_for_the_portals_own_calls_with_csrf(client, employee):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(employee)

    assert strict.get("/api/v1/me").status_code == 200
    response = strict.post("/api/v1/orders", {"product_id": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed" and "security token" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "header",
    ["Token {key}", "Token nope", "Token", "Token {key} extra", "Bearer {key}", "token {key}", "", "Token {inactive}"],
)
def test_the_cheap_caller_check_accepts_exactly_whom_authentication_accepts(rf, employee, header):
    from rest_framework.authtoken.models import Token
    from rest_framework.exceptions import AuthenticationFailed

    from accounts.api_auth import ApiTokenAuthentication
    from tests.factories import UserFactory

    inactive = UserFactory(email="gone@example.com", is_active=False)
    keys = {"key": Token.objects.create(user=employee).key, "inactive": Token.objects.create(user=inactive).key}
    request = rf.get("/api/v1/products", HTTP_AUTHORIZATION=header.format(**keys))
    authentication = ApiTokenAuthentication()
    try:
        accepted = authentication.authenticate(request)
    except AuthenticationFailed:
        accepted = None

    assert authentication.caller_id(request) == (accepted[0].pk if accepted else None)
