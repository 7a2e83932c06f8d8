"""After commit, the e-mail goes at once (inline or in the background); a rolled back change
sends nothing."""

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Notification
from notifications.words import words
from tests.awards import points_award
from tests.concurrency import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_inline_the_mail_is_sent_when_the_award_commits(settings, employee, hr_staff):
    settings.NOTIFICATIONS_SEND_ON_COMMIT = "inline"

    points_award(user_id=employee.pk, amount=25, reason="Great demo", awarded_by_id=hr_staff.pk)

    assert [m.subject for m in mail.outbox] == [f"{hr_staff.get_full_name()} gave you 25 points"]
    assert Notification.objects.get().email_status == "sent"


def test_in_the_background_the_mail_follows_the_commit(settings, employee, hr_staff):
    settings.NOTIFICATIONS_SEND_ON_COMMIT = "thread"

    points_award(user_id=employee.pk, amount=25, reason="Great demo", awarded_by_id=hr_staff.pk)

    wait_until(lambda: Notification.objects.filter(email_status="sent").exists(), "the background sender")
    assert len(mail.outbox) == 1


def test_a_change_rolled_back_after_notifying_leaves_no_row_and_sends_nothing(settings, employee, hr_staff):
    from notifications.services import notify

    settings.NOTIFICATIONS_SEND_ON_COMMIT = "inline"
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        notify(recipient_id=employee.pk, kind="points_awarded", title=words("Never"), body=words(""), link="/")
        1 / 0  # noqa: B018 - the change fails after its notification was written

    assert not Notification.objects.exists()
    assert mail.outbox == []
