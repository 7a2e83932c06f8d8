"""The language a person reads the shop in: their own setting, once they have chosen one.

Django's LocaleMiddleware has already picked the cookie's language or the browser's; this
middleware, after the session's user is known, puts the person's setting first. E-mails and
notifications are written in `language_of(user)`: the setting, else the company's LANGUAGE_CODE
(an e-mail has no browser to ask)."""

from django.conf import settings
from django.utils import translation


def language_supported(asked: object) -> str | None:
    """The language of ours that `asked` names ("de-AT" is German), "" for none chosen (the
    browser's), None for one we do not have."""
    if not isinstance(asked, str):
        return None
    if asked == "":
        return ""
    try:
        return translation.get_supported_language_variant(asked.strip().lower()[:16])
    except LookupError:
        return None


def language_of(user) -> str:
    """The language to write to `user` in when they are not here to ask: e-mails, notifications."""
    chosen = getattr(user, "language", "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if chosen in dict(settings.LANGUAGES):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        return response
