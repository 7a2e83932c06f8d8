"""Portal sign-in, first-sign-in password, password reset, provisioning and sync against the emulator."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from points.models import PointsTransaction

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


def sign_in(client, email, password, next_url="/points/"):
    return client.post(LOGIN, {"username": email, "password": password, "next": next_url})


def test_signing_in_through_the_portal_form_creates_the_session(client, cognito_pool):
    sub = cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)

    response = sign_in(client, "emma@example.com", "Password1")

    assert response.status_code == 302
    assert response["Location"] == "/points/"
    assert client.get("/points/").context["user"].pk == sub


def test_first_sign_in_asks_for_a_new_password_then_signs_in(client, cognito_pool):
    sub = cognito_pool.user_create("new.hire@example.com", password="Temporary1")

    first = sign_in(client, "new.hire@example.com", "Temporary1")
    assert first["Location"] == reverse("new_password")
    page = client.get(reverse("new_password"))
    assert "This is your first sign-in" in page.content.decode()

    mismatch = client.post(reverse("new_password"), {"password1": "Brandnew1", "password2": "Brandnew2"})
    assert "The two passwords are not the same." in mismatch.content.decode()
    weak = client.post(reverse("new_password"), {"password1": "weak", "password2": "weak"})
    assert "at least 8 characters" in weak.content.decode()

    done = client.post(reverse("new_password"), {"password1": "Brandnew1", "password2": "Brandnew1"})
    assert done["Location"] == "/points/"
    assert client.get("/points/").context["user"].pk == sub
    client.logout()
    assert sign_in(client, "new.hire@example.com", "Brandnew1")["Location"] == "/points/"


def test_a_wrong_password_gets_a_clear_message(client, cognito_pool):
    cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)

    response = sign_in(client, "emma@example.com", "Wrong1234")

    assert response.status_code == 200
    assert "That e-mail address and password do not match." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_user_gets_the_same_message(client, cognito_pool):
    response = sign_in(client, "nobody@example.com", "Password1")

    assert "That e-mail address and password do not match." in response.content.decode()


def test_forgot_password_sends_a_code_and_the_code_sets_a_new_password(client, cognito_pool):
    cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)

    sent = client.post(reverse("password_reset"), {"email": "emma@example.com"}, follow=True)
    assert "If emma@example.com has an account, we have e-mailed it a code." in sent.content.decode()
    # The emulator returns the e-mailed code in a response header instead of sending mail. (It also
    # accepts any code, so a wrong code's message cannot be shown against it.)
    code = cognito_pool.idp.forgot_password(
        ClientId=cognito_pool.client_id,
        Username="emma@example.com",
        SecretHash=secret_hash_for(cognito_pool, "emma@example.com"),
    )["ResponseMetadata"]["HTTPHeaders"]["x-moto-forgot-password-confirmation-code"]

    done = client.post(
        reverse("password_reset_confirm"), {"code": code, "password1": "Another1a", "password2": "Another1a"}
    )

    assert done["Location"] == LOGIN
    assert sign_in(client, "emma@example.com", "Another1a")["Location"] == "/points/"


def secret_hash_for(pool, username):
    import base64
    import hashlib
    import hmac

    digest = hmac.new(pool.client_secret.encode(), (username + pool.client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_hr_adds_an_employee_who_exists_in_the_pool_and_can_be_awarded_at_once(client, cognito_pool, hr_staff):
    client.force_login(hr_staff)

    response = client.post(
        reverse("admin:points_employee_add"), {"email": "Carlos@Example.com", "first_name": "Carlos"}
    )

    assert response.status_code == 302
    pool_user = cognito_pool.idp.admin_get_user(UserPoolId=cognito_pool.id, Username="carlos@example.com")
    sub = next(a["Value"] for a in pool_user["UserAttributes"] if a["Name"] == "sub")
    assert User.objects.get(pk=sub).email == "carlos@example.com"
    key = client.get(reverse("admin:points_employee_award", args=[sub])).context["form"]["key"].value()
    client.post(reverse("admin:points_employee_award", args=[sub]), {"amount": 100, "reason": "Welcome", "key": key})
    assert PointsTransaction.objects.get().user_id == sub


def test_adding_an_employee_twice_is_refused_with_a_message(client, cognito_pool, hr_staff):
    client.force_login(hr_staff)
    client.post(reverse("admin:points_employee_add"), {"email": "carlos@example.com"})

    response = client.post(reverse("admin:points_employee_add"), {"email": "carlos@example.com"})

    assert "There is already an employee with the e-mail carlos@example.com." in response.content.decode()


def test_sync_imports_the_pool_and_its_hr_group(cognito_pool, capsys):
    emma = cognito_pool.user_create("emma@example.com")
    hana = cognito_pool.user_create("hana@example.com", hr=True)

    call_command("sync_cognito_users")
    call_command("sync_cognito_users")

    assert "Users: 2 created, 0 updated, 0 unchanged." in capsys.readouterr().out
    assert User.objects.get(pk=emma).email == "emma@example.com"
    hr_group = Group.objects.get(name="HR")
    assert list(hr_group.user_set.values_list("pk", flat=True)) == [hana]
    assert User.objects.get(pk=hana).is_staff is True


def test_sync_reads_every_member_of_the_hr_group_past_the_first_page(cognito_pool):
    # Issue 13: ListUsersInGroup pages with NextToken; reading PaginationToken stopped at 60 members.
    subs = {cognito_pool.user_create(f"hr{i}@example.com", hr=True) for i in range(65)}

    call_command("sync_cognito_users")

    assert set(Group.objects.get(name="HR").user_set.values_list("pk", flat=True)) == subs


def test_against_the_emulator_the_reset_code_is_printed_since_no_mail_goes_out(client, cognito_pool, caplog):
    cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)

    client.post(reverse("password_reset"), {"email": "emma@example.com"})
    (line,) = [r.getMessage() for r in caplog.records if "password reset code" in r.getMessage()]
    code = line.rsplit(" ", 1)[-1]
    done = client.post(
        reverse("password_reset_confirm"), {"code": code, "password1": "Another1a", "password2": "Another1a"}
    )

    assert line.startswith("Local AWS emulator: the password reset code for emma@example.com is ")
    assert done["Location"] == LOGIN


def test_make_token_prints_an_id_token_the_api_takes(cognito_pool, capsys):
    cognito_pool.user_create("emma@example.com", password="Password1", permanent=True)
    call_command("sync_cognito_users")
    capsys.readouterr()

    call_command("cognito_token", email="emma@example.com", password="Password1")
    token = capsys.readouterr().out.strip()

    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/me").json()["email"] == "emma@example.com"


def test_seed_demo_gives_the_pools_demo_users_their_roles_and_history(cognito_pool, capsys):
    from demo.users import DEMO_USERS

    for user in DEMO_USERS:
        cognito_pool.user_create(user.email, password=user.password, permanent=True, hr=user.group == "HR")
    call_command("sync_cognito_users")

    call_command("seed_demo", cognito=True)

    employee = User.objects.get(email="employee@awsomeshop.local")
    assert employee.points.current_points > 0
    assert User.objects.get(email="catalog@awsomeshop.local").groups.filter(name="Catalog managers").exists()
    assert User.objects.get(email="admin@awsomeshop.local").is_superuser
    assert User.objects.get(email="hr@awsomeshop.local").groups.filter(name="HR").exists()
    assert "employee@awsomeshop.local" in capsys.readouterr().out
