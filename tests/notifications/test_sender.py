"""The sender: every row once, nothing lost while the mail service is down, failures visible."""

import pytest
from django.core import mail
from django.utils import timezone

from notifications.kinds import notification_kind_list
from notifications.models import Notification
from notifications.services import _claim, notifications_resend, notifications_send, notify
from notifications.words import words
from tests.awards import points_award
from tests.factories import UserFactory
from tests.notifications.flaky import FlakyBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def awarded(employee, hr_staff):
    def award(count=1):
        for number in range(count):
            points_award(user_id=employee.pk, amount=10 + number, reason="Thanks", awarded_by_id=hr_staff.pk)
        return list(Notification.objects.order_by("id"))

    return award


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.notifications.flaky.FlakyBackend"
    FlakyBackend.failures = 0
    yield FlakyBackend
    FlakyBackend.failures = 0


def time_passes() -> None:
    """The backoff's wait, as if it were over."""
    Notification.objects.filter(email_status="pending").update(next_attempt_at=timezone.now())


def test_the_mail_says_who_why_and_links_to_the_exact_page(awarded, employee, hr_staff, settings):
    settings.SITE_URL = "https://shop.example.com"
    (notification,) = awarded()

    report = notifications_send()

    assert (report.sent, report.failed) == (1, 0)
    (message,) = mail.outbox
    assert message.to == [employee.email]
    assert message.subject == f"{hr_staff.get_full_name()} gave you 10 points"
    assert f"Hello {employee.first_name}," in message.body
    assert "See it on AWSomeShop: https://shop.example.com/points/" in message.body
    assert "You get this e-mail because points were given to you on AWSomeShop." in message.body
    assert "https://shop.example.com/notifications/preferences/" in message.body
    html = message.alternatives[0][0]
    assert 'href="https://shop.example.com/points/"' in html and "#4338ca" in html
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@awsomeshop.local>"
    assert Notification.objects.get().email_status == "sent"


def test_a_sent_row_is_never_sent_again(awarded):
    awarded()
    notifications_send()
    notifications_send()

    assert len(mail.outbox) == 1


def test_a_mail_service_down_for_a_while_loses_nothing_and_sends_each_once_when_back(awarded, flaky):
    awarded(count=3)
    flaky.failures = 5

    first = notifications_send()
    assert (first.sent, first.retrying) == (0, 3)
    waiting = Notification.objects.get(pk=Notification.objects.first().pk)
    assert (waiting.email_status, waiting.attempts) == ("pending", 1)
    assert waiting.next_attempt_at > timezone.now()  # backoff: not again at once
    assert "MailServiceDown: The mail service is not answering" in waiting.last_error
    assert notifications_send().claimed == 0  # nothing due yet

    time_passes()
    second = notifications_send()  # two more failures, then it is back
    time_passes()
    third = notifications_send()

    assert (second.sent, second.retrying, third.sent) == (1, 2, 2)
    assert len(mail.outbox) == 3
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        {m.extra_headers["Message-ID"] for m in mail.outbox}
    )
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_after_the_last_attempt_a_row_is_failed_and_hr_can_send_it_again(awarded, flaky, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    (notification,) = awarded()
    flaky.failures = 99
    for _ in range(3):
        notifications_send()
        time_passes()

    failed = Notification.objects.get()
    assert (failed.email_status, failed.attempts) == ("failed", 3)
    assert notifications_send().claimed == 0

    flaky.failures = 0
    assert notifications_resend(ids=[notification.pk]) == 1
    assert notifications_resend(ids=[notification.pk]) == 0  # a second click sends nothing twice
    notifications_send()
    assert Notification.objects.get().email_status == "sent"
    assert len(mail.outbox) == 1


def test_a_sender_killed_between_sending_and_marking_is_sent_again_once_its_claim_runs_out(awarded, settings):
    """The one window the docs name: the message went out, the row was not marked. Another sender
    sends it again once the claim runs out; both copies carry the same Message-ID."""
    (notification,) = awarded()
    token, claimed = _claim(limit=10, ids=None, now=timezone.now())
    from notifications.services import notification_email

    notification_email(claimed[0]).send()  # ... and the sender dies here, before marking

    assert notifications_send().claimed == 0  # the claim still holds: nobody sends it meanwhile
    Notification.objects.filter(pk=notification.pk).update(claimed_until=timezone.now())
    report = notifications_send()

    assert report.sent == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]
    assert Notification.objects.get().email_status == "sent"


def test_someone_without_an_email_address_is_told_in_the_portal_only(hr_staff):
    nobody = UserFactory(email="")
    points_award(user_id=nobody.pk, amount=5, reason="Thanks", awarded_by_id=hr_staff.pk)

    assert notifications_send().sent == 0
    assert Notification.objects.get().email_status == "skipped"
    assert notifications_send().claimed == 0
    assert mail.outbox == []


def test_send_notifications_sends_what_is_left(awarded, capsys):
    from django.core.management import call_command

    awarded(count=3)
    call_command("send_notifications", "--batch", "2")

    assert len(mail.outbox) == 3
    assert "Notifications: 3 sent, 0 to try again later, 0 failed." in capsys.readouterr().out


def test_hr_hears_of_failed_mails_once_a_day_and_only_when_there_are_some(awarded, flaky, settings, hr_staff):
    from notifications.services import hr_summary_send

    assert hr_summary_send(day="2026-12-03") == 0  # nothing to act on: nobody is told
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    awarded(count=2)
    flaky.failures = 2
    notifications_send()

    told = hr_summary_send(day="2026-12-03")
    again = hr_summary_send(day="2026-12-03")

    summary = Notification.objects.get(kind="hr_summary")
    assert (told, again) == (1, 0)
    assert (summary.recipient_id, summary.title) == (hr_staff.pk, "2 e-mails to employees could not be sent")
    assert summary.link == "/admin/notifications/notification/?email_status__exact=failed"
    assert hr_summary_send(day="2026-12-04") == 1


@pytest.mark.parametrize("kind", notification_kind_list(), ids=str)
def test_every_kind_of_notification_is_emailed_with_a_line_on_why(kind, employee, settings):
    """A kind whose topic had no 'why' line stayed pending forever (the wishlist's did)."""
    settings.NOTIFICATIONS_SEND_ON_COMMIT = "off"
    notify(recipient_id=employee.pk, kind=kind, title=words("Something happened"), body=words("Details"), link="/")

    report = notifications_send()

    notification = Notification.objects.get(recipient=employee)
    assert (notification.email_status, notification.last_error, report.sent) == ("sent", "", 1)
    assert "You get this e-mail because" in mail.outbox[-1].body
