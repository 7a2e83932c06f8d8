"""The project's URLs. The plumbing imports no app: each app's URL list is included by name,
and the API's from each app's `api_urls` module (awsomeshop/api_urls.py)."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve

from awsomeshop import api_urls

urlpatterns: list[URLPattern | URLResolver] = [
    # First: accounts answers the admin's sign-in page before the admin does.
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_urls.v1, "api"), namespace="v1")),
    path("api/", include(api_urls)),
    path("", include("shop.urls")),
    path("", include("orders.urls")),
    path("", include("points.urls")),
    path("", include("notifications.urls")),
    path("", include("recognition.urls")),
]

if settings.MEDIA_STORAGE == "local" and not settings.IS_PRODUCTION:
    # Product images on this machine (production keeps them in S3). Django's `static()` helper
    # serves only with DEBUG on, which the demo is not.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

handler400 = "awsomeshop.views.bad_request"
handler403 = "awsomeshop.views.permission_denied"
handler404 = "awsomeshop.views.page_not_found"
handler500 = "awsomeshop.views.server_error"
