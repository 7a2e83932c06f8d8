"""`manage.py suppress_email`: what the runbook has ops do with a bounce that reached the
dead-letter queue (docs/deploy.md, MailEventsUnread)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEntry
from notifications.models import EmailSuppression


@pytest.mark.django_db
def test_ops_suppress_an_address_by_hand_once_with_the_reason_recorded(capsys):
    call_command("suppress_email", "Bob <BOB@Example.com>", "--reason", "bounce", "--detail", "read from the DLQ")
    call_command("suppress_email", "bob@example.com", "--reason", "bounce")

    suppression = EmailSuppression.objects.get()
    assert (suppression.email, suppression.reason, suppression.detail) == (
        "bob@example.com",
        "bounce",
        "read from the DLQ",
    )
    assert AuditEntry.objects.filter(action="notifications.email_suppress").count() == 1
    out = capsys.readouterr().out
    assert "bob@example.com will not be e-mailed" in out
    assert "was suppressed already" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [(["not-an-address"], "not one e-mail address"), (["a@x.example", "--reason", "spam"], "invalid choice")],
)
def test_bad_input_is_refused_and_changes_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("suppress_email", *args)
    assert not EmailSuppression.objects.exists()
