from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from awsomeshop.api import error_body


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The portal's 404 page, or the API's JSON error for an unknown API address."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="not_found", message="There is no such API address."), status=404)
    return defaults.page_not_found(request, exception)
