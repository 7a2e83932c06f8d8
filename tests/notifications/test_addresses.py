"""One e-mail address, in one form: what SES reports, what the suppression list keeps and what the
sender compares (issue 26's second attack: an address with a non-ASCII domain went on getting
mail after a bounce, a list of addresses passed as one, a long one ended in a database error)."""

import pytest

from awsomeshop.email_address import email_address_parse
from notifications.models import Notification
from notifications.services import email_suppress, notifications_send
from tests.awards import points_award


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("bob@example.com", "bob@example.com"),
        ("  BOB@Example.COM ", "bob@example.com"),
        ("Bob Example <BOB@Example.com>", "bob@example.com"),
        ('"Rewards, AWSomeShop" <rewards@shop.example.com>', "rewards@shop.example.com"),
        ("bob@exämple.com", "bob@xn--exmple-cua.com"),  # as Django sends it and SES reports it
        ("bob@xn--exmple-cua.com", "bob@xn--exmple-cua.com"),
    ],
)
def test_an_address_is_kept_bare_lower_case_with_its_domain_in_ascii(raw, parsed):
    assert email_address_parse(raw) == parsed


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not-an-address",
        "a@x.example, b@y.example",
        "a@b.example;c@d.example",
        "Bob <bob@x.example> extra@y.example",
        "a@b.example>",
        "AWSomeShop <a@b.example",
        "a@b.example\nBcc: c@d.example",
        "a" * 65 + "@x.example",  # a local part is at most 64 characters
        "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "example",  # 255 characters in all
        "bad\ud800@x.example",
        None,
        7,
    ],
)
def test_anything_but_one_address_is_refused(raw):
    with pytest.raises(ValueError, match="not one e-mail address"):
        email_address_parse(raw)


@pytest.mark.django_db
def test_a_bounce_for_an_address_with_a_non_ascii_domain_stops_its_mail(employee, hr_staff):
    employee.email = "bob@exämple.com"
    employee.save()
    assert email_suppress(email="bob@xn--exmple-cua.com", reason="complaint")  # what SES reports

    points_award(user_id=employee.pk, amount=10, reason="Thanks", awarded_by_id=hr_staff.pk)
    notifications_send()

    assert Notification.objects.get().email_status == "skipped"


@pytest.mark.django_db
def test_an_address_and_its_accented_twin_are_two_entries():
    """MySQL's case-insensitive collation takes `ä` for `a`; stored in ASCII, they differ."""
    assert email_suppress(email="bob@exämple.com", reason="bounce")
    assert email_suppress(email="bob@example.com", reason="bounce")
    assert not email_suppress(email="BOB@example.com", reason="bounce")


@pytest.mark.django_db
def test_suppress_email_refuses_a_long_address_with_a_message_not_a_traceback():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not one e-mail address"):
        call_command("suppress_email", "a" * 250 + "@x.example")
