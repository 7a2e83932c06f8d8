from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("accounts/login/", views.sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/new-password/", views.new_password, name="new_password"),
    path("accounts/mfa/", views.mfa, name="mfa"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path("accounts/password-reset/confirm/", views.password_reset_confirm, name="password_reset_confirm"),
]
