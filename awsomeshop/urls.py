from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from awsomeshop import api_urls
from awsomeshop.api_urls import v1

admin.site.site_header = "AWSomeShop administration"
admin.site.site_title = "AWSomeShop admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((v1, "api"), namespace="v1")),
    path("api/", include(api_urls)),
    path("", include("accounts.urls")),
    path("", include("shop.urls")),
    path("", include("orders.urls")),
    path("", include("points.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "awsomeshop.views.page_not_found"
