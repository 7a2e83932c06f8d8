"""The shop in the employee's language: their own setting first, then the footer's choice (a
cookie), then the browser's Accept-Language, then LANGUAGE_CODE. Numbers and dates follow the
language; notifications and e-mails are read in the reader's."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from notifications.models import Notification
from notifications.services import notifications_send
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, employee):
    client.force_login(employee)
    return client


def catalog(client, **headers):
    return client.get(reverse("shop:product_list"), **headers)


def test_the_browser_language_chooses_the_page_language(signed_in):
    german = catalog(signed_in, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert german.headers["Content-Language"] == "de"
    assert '<html lang="de">' in german.text and "<h1>Katalog</h1>" in german.text
    english = catalog(signed_in, HTTP_ACCEPT_LANGUAGE="fr-FR,en;q=0.5")
    assert english.headers["Content-Language"] == "en" and "<h1>Catalog</h1>" in english.text


def test_a_language_we_do_not_have_falls_back_to_the_company_language(signed_in):
    assert "<h1>Catalog</h1>" in catalog(signed_in, HTTP_ACCEPT_LANGUAGE="ja").text


def test_the_person_setting_comes_before_the_browser(signed_in, employee):
    employee.language = "de"
    employee.save(update_fields=["language"])
    assert "<h1>Katalog</h1>" in catalog(signed_in, HTTP_ACCEPT_LANGUAGE="en-GB,en").text


def test_the_footer_choice_is_kept_as_the_person_setting_and_sends_them_back(signed_in, employee):
    back_to = reverse("orders:order_list")
    answer = signed_in.post(reverse("language_choose"), {"language": "de", "next": back_to})
    assert answer.status_code == 302 and answer.headers["Location"] == back_to
    assert User.objects.get(pk=employee.pk).language == "de"
    # A new session (another device) still reads German: the setting, not only the cookie.
    signed_in.cookies.clear()
    signed_in.force_login(employee)
    assert "<h1>Katalog</h1>" in catalog(signed_in).text


def test_someone_signed_out_chooses_by_cookie(client):
    client.post(reverse("language_choose"), {"language": "de", "next": "/"})
    assert "Bei AWSomeShop anmelden" in client.get(reverse("login")).text


@pytest.mark.parametrize("language", ["fr", "", "de<script>", "x" * 500])
def test_an_unknown_language_changes_nothing_and_is_no_error(signed_in, employee, language):
    answer = signed_in.post(reverse("language_choose"), {"language": language, "next": "/"})
    assert answer.status_code == 302
    assert User.objects.get(pk=employee.pk).language == ""


def test_the_footer_does_not_send_anyone_to_another_site(signed_in):
    answer = signed_in.post(reverse("language_choose"), {"language": "de", "next": "https://evil.example/"})
    assert answer.status_code == 302 and "evil.example" not in answer.headers["Location"]


def test_numbers_and_dates_follow_the_language(signed_in, give_points, employee):
    ProductFactory(name="Big telly", points_cost=12500)
    give_points(employee, 1100)
    german = catalog(signed_in, HTTP_ACCEPT_LANGUAGE="de").text
    assert "12.500 Pkt." in german
    history = signed_in.get(reverse("points:history"), HTTP_ACCEPT_LANGUAGE="de").text
    assert "1.100" in history and "UTC" in history
    english = signed_in.get(reverse("points:history")).text
    assert "1,100" in english


def test_a_notification_is_read_in_the_reader_language_whoever_wrote_it(signed_in, give_points, employee):
    """HR awards in English; the employee's list reads German on a German page, English on an
    English one, and their e-mail comes in their own setting's language."""
    give_points(employee, 1500, reason="Great launch")
    german = signed_in.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="de").text
    assert "1.500 Punkte" in german and "Great launch" in german
    assert "1,500 points" in signed_in.get(reverse("notifications:list")).text
    # The row's own columns stay English, for the admin and search.
    assert "1,500 points" in Notification.objects.get(recipient=employee).title

    employee.language = "de"
    employee.save(update_fields=["language"])
    notifications_send()
    (message,) = mail.outbox
    assert "1.500 Punkte" in message.subject
    assert "Hallo Emma," in message.body


def test_an_e_mail_to_someone_without_a_setting_is_in_the_company_language(give_points, settings):
    person = UserFactory(email="ana@example.com", first_name="Ana")
    give_points(person, 20)
    settings.LANGUAGE_CODE = "de"
    notifications_send()
    (message,) = mail.outbox
    assert message.subject.endswith("20 Punkte gegeben") or "20 Punkte" in message.subject


def test_the_api_answers_in_the_language_the_client_asks_for(employee_api):
    missing = employee_api.get("/api/v1/products/no-such-product", HTTP_ACCEPT_LANGUAGE="de")
    assert missing.status_code == 404
    assert missing.headers["Content-Language"] == "de"
    english = employee_api.get("/api/v1/products/no-such-product")
    assert missing.json() != english.json()


@pytest.mark.parametrize("asked", ["de-at", "DE", "de-DE"])
def test_a_regional_variant_is_the_language_for_the_setting_and_the_cookie_alike(signed_in, employee, asked):
    signed_in.post(reverse("language_choose"), {"language": asked, "next": "/"})
    assert User.objects.get(pk=employee.pk).language == "de"
    assert signed_in.cookies["django_language"].value == "de"
    assert "<h1>Katalog</h1>" in catalog(signed_in).text


def test_someone_who_chose_can_go_back_to_the_browser_language(signed_in, employee):
    employee.language = "de"
    employee.save(update_fields=["language"])
    signed_in.post(reverse("language_choose"), {"language": "", "next": "/"})
    assert User.objects.get(pk=employee.pk).language == ""
    assert "<h1>Catalog</h1>" in catalog(signed_in, HTTP_ACCEPT_LANGUAGE="en").text


@pytest.mark.parametrize(
    "body",
    [
        b"{x",
        b'{"expected_points_cost": NaN}',
        b'{"product_id": "\xff"}',
        b'{"expected_points_cost": ' + b"9" * 5000 + b"}",
    ],
    ids=["broken", "nan", "not-utf-8", "5000-digits"],
)
def test_a_body_that_is_not_json_is_refused_in_the_clients_language(employee_api, body):
    """DRF's "JSON parse error - Expecting property name…" is English and Python's; the client reads
    what is wrong in its language, with where when the decoder says."""
    response = employee_api.post(
        "/api/v1/orders", data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="de"
    )

    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (400, "parse_error")
    assert error["message"].startswith("Der Inhalt der Anfrage ist kein gültiges JSON"), error["message"]
    assert ("NaN" in error["message"]) == (body.endswith(b"NaN}")), error["message"]


def test_an_api_call_from_a_browser_session_without_its_token_is_refused_in_the_persons_language(employee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)

    response = client.post("/api/v1/orders", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="de")

    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (403, "csrf_failed")
    assert "Sicherheitsschlüssel" in error["message"], error["message"]


def test_what_the_shop_wrote_in_the_ledger_reads_in_the_employees_language(signed_in, give_points, employee):
    """A redemption and its refund are the shop's own words on My points, not a record's English."""
    from orders.services import order_cancel, order_redeem

    give_points(employee, 1000)
    order = order_redeem(user_id=employee.pk, product_id=ProductFactory(name="Hoodie", points_cost=300).pk)
    order_cancel(order_id=order.pk, cancelled_by_id=employee.pk)

    german = signed_in.get(reverse("points:history"), HTTP_ACCEPT_LANGUAGE="de").text
    english = signed_in.get(reverse("points:history")).text

    assert "Redeemed Hoodie" not in german and "Refund:" not in german
    assert "Eingelöst: Hoodie" in german and "Erstattung für Hoodie" in german
    assert "Redeemed Hoodie" in english and "Refund for Hoodie" in english
