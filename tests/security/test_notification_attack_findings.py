"""What the attack on notifications found, each a test written before its fix."""

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notifications_send
from tests.awards import points_award
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def one(employee, hr_staff):
    points_award(user_id=employee.pk, amount=10, reason="Thanks", awarded_by_id=hr_staff.pk)
    return Notification.objects.get()


@pytest.mark.parametrize("odd", ["²", "①", "١", "１", "1" * 4301])
def test_odd_digit_ids_are_a_404_or_the_list_never_a_500(employee_api, client, employee, one, odd):
    client.force_login(employee)

    api = employee_api.post(f"/api/v1/me/notifications/{odd}/read")
    portal = client.post(f"/notifications/{odd}/open/")

    assert api.status_code == 404
    assert portal.status_code == 302 and portal["Location"] == "/notifications/"
    assert not Notification.objects.get(pk=one.pk).is_read


def test_a_newline_in_a_givers_name_still_gives_a_one_line_subject_that_is_sent(employee):
    giver = UserFactory(first_name="Hana\r\nBcc: attacker@evil.example", last_name="HR")
    points_award(user_id=employee.pk, amount=10, reason="Thanks", awarded_by_id=giver.pk)

    notifications_send()

    (message,) = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.bcc == []
    assert Notification.objects.get().email_status == "sent"


def test_a_claim_that_runs_out_mid_batch_sends_only_the_message_in_flight_twice(employee, hr_staff, settings):
    for amount in range(1, 6):
        points_award(user_id=employee.pk, amount=amount, reason="Thanks", awarded_by_id=hr_staff.pk)
    settings.EMAIL_BACKEND = "tests.security.test_notification_attack_findings.ExpiringBackend"
    ExpiringBackend.triggered = False

    notifications_send(limit=10)

    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(set(ids)) == 5
    assert len(ids) == 6  # the one message in flight when the claim ran out went twice: the window
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


from django.core.mail.backends.locmem import EmailBackend as _Locmem  # noqa: E402


class ExpiringBackend(_Locmem):
    triggered = False

    def send_messages(self, messages):
        if not ExpiringBackend.triggered:
            ExpiringBackend.triggered = True
            # The first message takes longer than the claim: it runs out, another sender runs.
            Notification.objects.update(claimed_until=timezone.now() - timezone.timedelta(seconds=1))
            settings_backend = "django.core.mail.backends.locmem.EmailBackend"
            from django.test import override_settings

            with override_settings(EMAIL_BACKEND=settings_backend):
                notifications_send(limit=10)
        return super().send_messages(messages)


def test_a_mail_backend_that_cannot_start_claims_nothing(one, settings, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(not_a_folder)

    report = notifications_send()

    stored = Notification.objects.get()
    assert report.claimed == 0
    assert (stored.email_status, stored.attempts) == ("pending", 0)


def test_a_deactivated_employee_is_not_emailed(employee, hr_staff):
    employee.is_active = False
    employee.save(update_fields=["is_active"])

    points_award(user_id=employee.pk, amount=10, reason="Thanks", awarded_by_id=hr_staff.pk)
    notifications_send()

    assert mail.outbox == []
    assert Notification.objects.get().email_status == "skipped"


def test_an_address_removed_before_sending_is_not_sent_to_nobody(one, employee):
    type(employee).objects.filter(pk=employee.pk).update(email="")

    notifications_send()

    assert mail.outbox == []
    assert Notification.objects.get().email_status == "skipped"


@pytest.mark.django_db(transaction=True)
def test_one_commit_with_many_notifications_sends_them_in_one_round(settings, hr_staff, monkeypatch):
    from notifications import services
    from points.services import Award, points_award_batch

    settings.NOTIFICATIONS_SEND_ON_COMMIT = "inline"
    rounds = []
    real = services.notifications_send
    monkeypatch.setattr(services, "notifications_send", lambda **kw: rounds.append(kw) or real(**kw))
    team = UserFactory.create_batch(5)

    points_award_batch(
        awards=[Award(u.pk, 5, "Team") for u in team], awarded_by_id=hr_staff.pk, source="api", client_key="r1"
    )

    assert len(rounds) == 1 and len(rounds[0]["ids"]) == 5
    assert len(mail.outbox) == 5
