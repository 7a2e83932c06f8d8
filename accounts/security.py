"""Who is knocking: the client address django-axes counts failed sign-ins against."""

from django.http import HttpRequest

from awsomeshop.client_address import client_ip

__all__ = ["axes_username", "client_ip"]


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The username django-axes records for a sign-in attempt, cut to what its column holds: a
    10,000-character "e-mail" is still a failed attempt, not a database error."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    # Addresses are stored in lower case and signed in with in any case: one count per address.
    return str(username).lower()[:254]
