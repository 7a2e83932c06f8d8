import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from awsomeshop.api import error_body

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The portal's 404 page, or the API's JSON error for an unknown API address."""
    if _is_api(request):
        return JsonResponse(error_body(code="not_found", message=_("There is no such API address.")), status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A page this user's role may not open: the API's JSON error, the admin's own page in the
    admin's look (with the way back), or the portal's. Django's default is a bare "403 Forbidden"."""
    if _is_api(request):
        body = error_body(code="permission_denied", message=_("You are not allowed to do this."))
        return JsonResponse(body, status=403)
    if request.path.startswith("/admin/") and getattr(request.user, "is_staff", False):
        from django.contrib import admin
        from django.template.response import TemplateResponse

        context = {**admin.site.each_context(request), "title": _("Not part of your role")}
        return TemplateResponse(request, "admin/403.html", context, status=403).render()
    return HttpResponse(loader.get_template("403.html").render(request=request), status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old tab, a signed-out session, a forged post):
    the API's JSON error or the portal's page saying what to do. Django's names DEBUG."""
    if _is_api(request):
        body = error_body(code="csrf_failed", message=_("The request lacks its security token; reload and try again."))
        return JsonResponse(body, status=403)
    return HttpResponse(loader.get_template("403_csrf.html").render(request=request), status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django could not read (a form body in a charset other than UTF-8, too many
    fields). Django's own handler reads the form again for its CSRF token, fails the same way and
    turns the 400 into a 500; this one reads nothing from the request."""
    if _is_api(request):
        body = error_body(code="bad_request", message=_("The request could not be read."))
        return JsonResponse(body, status=400)
    return HttpResponse(loader.get_template("400.html").render(), status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this while an uncaught exception is being handled, so we can tell a database
    that does not answer (a 503: try again soon, nothing was half-done) from a bug (a 500). The
    API answers in its JSON error shape; the portal with a page in its own style."""
    _exc_type, exception, _tb = sys.exc_info()
    # Connection-level errors mean the database is unreachable; anything else is a bug (a 500).
    if isinstance(exception, OperationalError | InterfaceError):
        # A connect that failed is no statement: tell the stall guard too (awsomeshop/middleware.py).
        from awsomeshop.middleware import DATABASE_WAITS

        DATABASE_WAITS.error_seen(exception)
        return service_unavailable(request)
    if _is_api(request):
        body = error_body(code="server_error", message=_("Something went wrong on our side; nothing was changed."))
        return JsonResponse(body, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def service_unavailable(request: HttpRequest, *, retry_after: int = 10) -> HttpResponse:
    """The database cannot be reached (or is stalled): a 503 that says to try again soon; nothing
    was half-done. A write retried with the same Idempotency-Key returns what it did, if anything."""
    response: HttpResponse
    if _is_api(request):
        body = error_body(code="service_unavailable", message=_("The service is unavailable; try again in a moment."))
        response = JsonResponse(body, status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(retry_after)
    return response
