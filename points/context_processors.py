from django.http import HttpRequest

from .selectors import user_points_for_request


def balance(request: HttpRequest) -> dict:
    """The signed-in user's balance for the header of every portal page. An error page that
    Django renders before the authentication middleware ran has no user at all."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_points": user_points_for_request(request)}
