"""Senders at the same time on a real MySQL-compatible server: each row is sent once."""

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notifications_send
from points.services import Award, points_award_batch
from tests.concurrency import run_concurrently
from tests.factories import UserFactory

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def test_four_send_notifications_at_once_send_each_of_120_rows_once(hr_staff, deadlock_retries):
    team = UserFactory.create_batch(120)
    points_award_batch(
        awards=[Award(user.pk, 10, "Team day") for user in team],
        awarded_by_id=hr_staff.pk,
        source="api",
        client_key="d1",
    )
    assert Notification.objects.filter(email_status="pending").count() == 120

    def sender() -> int:
        total = 0
        while (report := notifications_send(limit=7)).claimed:
            total += report.sent
        return total

    sent = run_concurrently(lambda: sender(), [{}] * 4)

    assert all(isinstance(count, int) for count in sent), sent
    assert sum(sent) == 120
    ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert len(ids) == len(set(ids)) == 120
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}
    assert deadlock_retries.count == 0


def test_four_hr_summaries_at_once_tell_each_hr_user_once_and_all_finish(hr_staff, employee, settings):
    from notifications.services import hr_summary_send

    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "tests.notifications.flaky.FlakyBackend"
    from tests.awards import points_award
    from tests.notifications.flaky import FlakyBackend

    points_award(user_id=employee.pk, amount=5, reason="Thanks", awarded_by_id=hr_staff.pk)
    FlakyBackend.failures = 1
    notifications_send()
    FlakyBackend.failures = 0

    outcomes = run_concurrently(hr_summary_send, [{"day": "2026-12-03"}] * 4)

    assert all(isinstance(told, int) for told in outcomes), outcomes
    assert sum(outcomes) == 1
    assert Notification.objects.filter(kind="hr_summary").count() == 1
