"""The sign-in throttle of the portal and admin forms: the same budget per client address as
`POST /api/v1/auth/token` (scope `sign_in`), counted in the shared default cache. django-axes
locks one account after repeated failures; this limits how fast one address can try any account."""

import functools

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from awsomeshop.api_defaults import CountingRateThrottle
from awsomeshop.text import number

from .security import client_ip


class SignInRateThrottle(CountingRateThrottle):
    scope = "sign_in"
    # The same key as the API's WriteRateThrottle for an anonymous caller: one budget for all routes.
    cache_format = "throttle_%(scope)s_%(ident)s"

    def get_rate(self) -> str:
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def sign_in_throttled(view):
    """Answer a sign-in POST over the rate with a 429 page; GETs are never counted."""

    @functools.wraps(view)
    def throttled_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            throttle = SignInRateThrottle()
            if not throttle.allow_request(request, None):
                wait = max(1, int(throttle.wait() or 1))
                message = ngettext(
                    "Too many sign-in attempts from your network. Wait %(seconds)s second and try again.",
                    "Too many sign-in attempts from your network. Wait %(seconds)s seconds and try again.",
                    wait,
                ) % {"seconds": number(wait)}
                response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return throttled_view
