"""Times in the zone of the person reading them: the browser says its zone once (a `tz` cookie,
static/js/timezone.js) and every page after shows dates in it; without one, TIME_ZONE's. Days
that figures are counted in (budgets, the dashboard's months) stay TIME_ZONE's, the company's."""

import datetime
import functools
import zoneinfo
from urllib.parse import unquote

from django.utils import timezone

TIME_ZONE_COOKIE = "tz"


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def browser_zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The IANA zone the browser named, or None for anything else (a cookie is user input)."""
    if not name or len(name) > 64 or name not in _known_zones():
        return None
    return zoneinfo.ZoneInfo(name)


def company_zone() -> zoneinfo.ZoneInfo:
    """TIME_ZONE's zone: the days budgets and the dashboard count in, whoever reads them."""
    from django.conf import settings

    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def company_day_start(day) -> datetime.datetime:
    """The first instant of `day` in the company's zone (TIME_ZONE), never the reader's
    browser's: a budget's period and the dashboard's months are the same for everyone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), company_zone())


def company_today():
    return timezone.localdate(timezone=company_zone())


class BrowserTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The script URL-encodes the name ("Asia%2FTokyo"); cookies reach Django as sent.
        zone = browser_zone(unquote(request.COOKIES.get(TIME_ZONE_COOKIE, "")))
        if zone is not None:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def time_zone(request) -> dict[str, str]:
    """The zone the page's times are in, for the page to say so."""
    return {"TIME_ZONE_NAME": timezone.get_current_timezone_name()}
