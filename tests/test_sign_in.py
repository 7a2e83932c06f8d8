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


@pytest.mark.parametrize("typed", ["Employee@awsomeshop.local", "EMPLOYEE@AWSOMESHOP.LOCAL"])
def test_the_portal_and_admin_sign_in_take_an_email_in_any_case(client, typed):
    from tests.factories import UserFactory

    UserFactory(email="employee@awsomeshop.local", is_staff=True)

    portal = client.post(reverse("login"), {"username": typed, "password": DEFAULT_PASSWORD})
    client.logout()
    admin = client.post("/admin/login/", {"username": typed, "password": DEFAULT_PASSWORD})

    assert portal.status_code == 302
    assert admin.status_code == 302


def test_failed_sign_ins_count_against_one_address_whatever_its_case(client, employee):
    from axes.models import AccessAttempt

    for typed in ["employee@example.com", "Employee@example.com", "EMPLOYEE@example.com", "EmPloyee@example.com"]:
        client.post(reverse("login"), {"username": typed, "password": "wrong"})

    attempts = AccessAttempt.objects.values_list("username", "failures_since_start")
    assert list(attempts) == [("employee@example.com", 4)]
