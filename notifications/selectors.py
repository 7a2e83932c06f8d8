from django.db.models import QuerySet

from .models import Notification, NotificationPreference


def notification_list_for_user(*, user_id: str) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient_id=user_id).order_by("-created_at", "-id")


def notification_unread_count(*, user_id: str) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notification_preferences_get(*, user_id: str) -> NotificationPreference:
    """The user's choices; everything on for someone who never chose."""
    return NotificationPreference.objects.filter(pk=user_id).first() or NotificationPreference(user_id=user_id)
