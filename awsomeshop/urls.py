"""The project's URLs. The plumbing imports no app: each app's URL list is included by name,
and the API's from each app's `api_urls` module (awsomeshop/api_urls.py)."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

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
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "awsomeshop.views.bad_request"
handler404 = "awsomeshop.views.page_not_found"
handler500 = "awsomeshop.views.server_error"
