from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.forms import AdminSignInForm
from accounts.throttles import sign_in_throttled
from awsomeshop import api_urls
from awsomeshop.api_urls import v1

admin.site.site_header = "AWSomeShop administration"
admin.site.site_title = "AWSomeShop admin"
admin.site.login_form = AdminSignInForm

# With Cognito, staff sign in like everyone else; the admin's own password form would bypass it.
# Locally the admin's form is throttled like the portal's (answered here, before the admin's own URL).
admin_login = (
    RedirectView.as_view(pattern_name="login", query_string=True)
    if settings.AUTH_BACKEND == "cognito"
    else sign_in_throttled(admin.site.login)
)

urlpatterns = [
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", include((v1, "api"), namespace="v1")),
    path("api/", include(api_urls)),
    path("", include("accounts.urls")),
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
