"""The portal's notifications, the API's, and the admin's outbox."""

import pytest
from django.urls import reverse
from django.utils import translation

from notifications.models import Notification
from notifications.services import notifications_send
from tests.awards import points_award
from tests.factories import UserFactory
from tests.notifications.flaky import FlakyBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(employee, hr_staff):
    for amount in (10, 20):
        points_award(user_id=employee.pk, amount=amount, reason="Thanks", awarded_by_id=hr_staff.pk)
    return list(Notification.objects.filter(recipient=employee).order_by("id"))


def test_the_header_counts_unread_and_opening_one_marks_it_read_and_goes_to_its_page(client, employee, two):
    client.force_login(employee)

    page = client.get(reverse("notifications:list")).content.decode()
    opened = client.post(reverse("notifications:open", kwargs={"notification_id": two[0].pk}))
    after = client.get(reverse("shop:product_list")).content.decode()

    assert 'data-testid="unread-count">2<' in page
    assert "gave you 20 points" in page and "gave you 10 points" in page
    assert opened["Location"] == "/points/"
    assert 'data-testid="unread-count">1<' in after
    assert Notification.objects.get(pk=two[0].pk).is_read


def test_nobody_opens_or_reads_someone_elses_notification(client, two):
    client.force_login(UserFactory())

    response = client.post(reverse("notifications:open", kwargs={"notification_id": two[0].pk}))
    odd = client.post(reverse("notifications:open", kwargs={"notification_id": "1e5"}))

    assert response["Location"] == reverse("notifications:list") == odd["Location"]
    assert not Notification.objects.get(pk=two[0].pk).is_read


def test_mark_all_read(client, employee, two):
    client.force_login(employee)

    response = client.post(reverse("notifications:read_all"), follow=True)

    assert "All caught up." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_turn_award_mails_off(client, employee, hr_staff):
    client.force_login(employee)

    response = client.post(reverse("notifications:preferences"), {"orders_email": "on"}, follow=True)
    points_award(user_id=employee.pk, amount=5, reason="Thanks", awarded_by_id=hr_staff.pk)
    notifications_send()

    assert "Saved: you get the e-mails you chose." in response.content.decode()
    assert Notification.objects.get().email_status == "skipped"
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert '<input type="checkbox" name="awards_email" id="id_awards_email">' in page
    assert '<input type="checkbox" name="orders_email" id="id_orders_email" checked>' in page


def test_the_api_lists_mine_and_marks_them_read(employee_api, api_as, two):
    listed = employee_api.get("/api/v1/me/notifications").json()
    read = employee_api.post(f"/api/v1/me/notifications/{two[1].pk}/read")
    again = employee_api.post(f"/api/v1/me/notifications/{two[1].pk}/read")
    stranger = api_as(UserFactory()).post(f"/api/v1/me/notifications/{two[1].pk}/read")
    nonsense = employee_api.post("/api/v1/me/notifications/../read")
    all_read = employee_api.post("/api/v1/me/notifications/read-all")

    assert [n["title"].split(" gave you ")[1] for n in listed["results"]] == ["20 points", "10 points"]
    assert listed["results"][0]["url"] == "http://127.0.0.1:8000/points/"
    assert (read.json(), again.json(), all_read.json()) == ({"unread": 1}, {"unread": 1}, {"unread": 0})
    assert stranger.status_code == nonsense.status_code == 404
    assert api_as(UserFactory()).get("/api/v1/me/notifications").json()["results"] == []


def test_hr_sees_failed_mails_and_sends_them_again(client, hr_staff, two, settings):
    settings.EMAIL_BACKEND = "tests.notifications.flaky.FlakyBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    FlakyBackend.failures = 2
    notifications_send()
    FlakyBackend.failures = 0
    client.force_login(hr_staff)
    changelist = reverse("admin:notifications_notification_changelist")

    page = client.get(changelist, {"email_status__exact": "failed"}).content.decode()
    response = client.post(changelist, {"action": "send_again", "_selected_action": [n.pk for n in two]}, follow=True)
    notifications_send()

    assert "MailServiceDown" in page
    assert "2 e-mails will be sent again." in response.content.decode()
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_hr_gives_up_on_a_failed_mail_so_the_failed_count_and_its_alarm_clear(client, hr_staff, two, settings):
    from audit.models import AuditEntry
    from notifications.selectors import outbox_figures

    settings.EMAIL_BACKEND = "tests.notifications.flaky.FlakyBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    FlakyBackend.failures = 2
    notifications_send()
    assert outbox_figures().failed == 2
    client.force_login(hr_staff)
    changelist = reverse("admin:notifications_notification_changelist")

    response = client.post(changelist, {"action": "give_up", "_selected_action": [two[0].pk]}, follow=True)
    again = client.post(changelist, {"action": "give_up", "_selected_action": [two[0].pk]}, follow=True)

    assert "1 e-mail will not be sent; the notification stays in the portal." in response.content.decode()
    assert "None of the selected e-mails had failed; nothing changed." in again.content.decode()
    given_up = Notification.objects.get(pk=two[0].pk)
    assert given_up.email_status == "skipped"
    assert given_up.last_error.startswith("HR gave up on it after: MailServiceDown")
    assert outbox_figures().failed == 1  # what the NotificationsFailed alarm watches
    entry = AuditEntry.objects.get(action="notifications.give_up")
    assert entry.actor_id == hr_staff.pk


def test_only_hr_and_superusers_see_the_outbox(client, catalog_manager, fulfilment_staff, employee, two):
    changelist = reverse("admin:notifications_notification_changelist")
    for user in (catalog_manager, fulfilment_staff):
        client.force_login(user)
        assert client.get(changelist).status_code == 403
        client.post(changelist, {"action": "send_again", "_selected_action": [two[0].pk]})
    assert Notification.objects.get(pk=two[0].pk).email_status == "pending"


def test_hr_lifts_a_suppressed_address_from_the_admin_and_the_audit_log_says_so(client, hr_staff, employee):
    from audit.models import AuditEntry
    from notifications.models import EmailSuppression

    gone = EmailSuppression.objects.create(email=employee.email.lower(), reason="bounce", detail="550 user unknown")
    changelist = reverse("admin:notifications_emailsuppression_changelist")
    client.force_login(hr_staff)

    page = client.get(changelist).content.decode()
    response = client.post(changelist, {"action": "lift", "_selected_action": [gone.pk]}, follow=True)

    assert "550 user unknown" in page
    assert "1 address will be e-mailed again." in response.content.decode()
    assert not EmailSuppression.objects.exists()
    entry = AuditEntry.objects.get(action="notifications.email_suppression_lift")
    assert entry.actor_id == hr_staff.pk

    again = client.post(changelist, {"action": "lift", "_selected_action": [gone.pk]}, follow=True)  # a second tab
    assert [(m.level_tag, str(m)) for m in again.context["messages"]] == [
        ("warning", "None of the selected addresses is suppressed any more; nothing was lifted.")
    ]


def test_other_staff_can_neither_see_nor_lift_suppressed_addresses(client, catalog_manager, fulfilment_staff):
    from notifications.models import EmailSuppression

    gone = EmailSuppression.objects.create(email="gone@example.com", reason="complaint")
    changelist = reverse("admin:notifications_emailsuppression_changelist")
    for user in (catalog_manager, fulfilment_staff):
        client.force_login(user)
        assert client.get(changelist).status_code == 403
        client.post(changelist, {"action": "lift", "_selected_action": [gone.pk]})
    assert EmailSuppression.objects.filter(pk=gone.pk).exists()


def test_hr_reads_the_outbox_in_their_own_language(client, hr_staff, two):
    """The list shows each notification's title as it reads in HR's language, as the portal and
    the API do, not the English kept in the row."""
    client.force_login(hr_staff)

    page = client.get(reverse("admin:notifications_notification_changelist"), HTTP_ACCEPT_LANGUAGE="de")

    text = page.content.decode()
    assert two[0].title not in text
    with translation.override("de"):
        assert two[0].title_shown in text
