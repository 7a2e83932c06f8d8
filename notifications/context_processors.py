from django.http import HttpRequest

from .selectors import notification_unread_count


def unread(request: HttpRequest) -> dict:
    """How many notifications the signed-in user has not read, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": notification_unread_count(user_id=user.pk)}
