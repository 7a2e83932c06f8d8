from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from . import views
from .throttles import sign_in_throttled

# With Cognito, staff sign in like everyone else; the admin's own password form would bypass it.
# Locally the admin's form is throttled like the portal's. Answered here, so this list comes
# before the admin's own in awsomeshop/urls.py.
admin_login = (
    RedirectView.as_view(pattern_name="login", query_string=True)
    if settings.AUTH_BACKEND == "cognito"
    else sign_in_throttled(admin.site.login)
)

urlpatterns = [
    path("admin/login/", admin_login),
    path("accounts/login/", views.sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/new-password/", views.new_password, name="new_password"),
    path("accounts/mfa/", views.mfa, name="mfa"),
    path("accounts/language/", views.language_choose, name="language_choose"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path("accounts/password-reset/confirm/", views.password_reset_confirm, name="password_reset_confirm"),
]
