import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password_goes_back_where_the_user_was(client, employee):
    response = client.post(
        reverse("login") + "?next=/points/",
        {"username": "EMPLOYEE@example.com".lower(), "password": DEFAULT_PASSWORD, "next": "/points/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/points/"


def test_wrong_password_gets_a_clear_message(client, employee):
    response = client.post(reverse("login"), {"username": "employee@example.com", "password": "nope"})

    assert response.status_code == 200
    assert "That e-mail address and password do not match." in response.content.decode()


def test_sign_out_is_a_post_and_ends_the_session(client, employee):
    client.force_login(employee)

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert client.get("/points/").status_code == 302
