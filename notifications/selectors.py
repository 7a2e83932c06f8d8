from dataclasses import dataclass

from django.db.models import Min, QuerySet
from django.utils import timezone

from .models import Notification, NotificationPreference


def notification_list_for_user(*, user_id: str, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first; only the unread (True) or the read (False) ones."""
    notifications = Notification.objects.filter(recipient_id=user_id)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications.order_by("-created_at", "-id")


def notification_unread_count(*, user_id: str) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notification_preferences_get(*, user_id: str) -> NotificationPreference:
    """The user's choices; everything on for someone who never chose."""
    return NotificationPreference.objects.filter(pk=user_id).first() or NotificationPreference(user_id=user_id)


@dataclass(frozen=True)
class OutboxFigures:
    """What the sender publishes for the alarms: how long the oldest e-mail not yet sent has
    waited (0 when none waits), and how many failed after every attempt (HR sends them again)."""

    oldest_unsent_seconds: float
    failed: int
    waiting: int


def outbox_figures() -> OutboxFigures:
    unsent = Notification.objects.filter(
        email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.SENDING]
    )
    oldest = unsent.aggregate(oldest=Min("created_at"))["oldest"]
    return OutboxFigures(
        oldest_unsent_seconds=round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0.0,
        failed=Notification.objects.filter(email_status=Notification.EmailStatus.FAILED).count(),
        waiting=unsent.count(),
    )
