"""Notification e-mails through Amazon SES (django-ses) against the local AWS emulator over HTTP:
sent from a verified identity, and refused, then retried, from an unverified one."""

import pytest

from notifications.models import Notification
from notifications.services import notifications_send
from tests.awards import points_award
from tests.aws.conftest import REGION, aws_client

pytestmark = pytest.mark.django_db

SENDER = "rewards@awsomeshop.example"


@pytest.fixture
def ses(aws_endpoint, settings):
    settings.EMAIL_BACKEND = "django_ses.SESBackend"
    settings.AWS_SES_REGION_NAME = REGION
    settings.AWS_SES_REGION_ENDPOINT_URL = aws_endpoint
    settings.DEFAULT_FROM_EMAIL = f"AWSomeShop <{SENDER}>"
    return aws_client("ses", aws_endpoint)


def sent_so_far(ses) -> int:
    return int(ses.get_send_quota()["SentLast24Hours"])


def test_an_award_mail_goes_out_through_ses_from_the_verified_sender(ses, employee, hr_staff):
    ses.verify_email_identity(EmailAddress=SENDER)
    before = sent_so_far(ses)
    points_award(user_id=employee.pk, amount=40, reason="Thanks", awarded_by_id=hr_staff.pk)

    report = notifications_send()

    assert (report.sent, report.retrying) == (1, 0)
    assert sent_so_far(ses) > before  # (moto counts a raw message once per address it finds in it)
    assert Notification.objects.get().email_status == "sent"


def test_ses_refusing_an_unverified_sender_keeps_the_row_for_another_try(ses, employee, hr_staff, settings):
    settings.DEFAULT_FROM_EMAIL = "nobody@unverified.example"
    points_award(user_id=employee.pk, amount=40, reason="Thanks", awarded_by_id=hr_staff.pk)

    report = notifications_send()

    waiting = Notification.objects.get()
    assert (report.sent, report.retrying) == (0, 1)
    assert (waiting.email_status, waiting.attempts) == ("pending", 1)
    assert "MessageRejected" in waiting.last_error
