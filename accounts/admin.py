from axes.admin import AccessAttemptAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.admin import sensitive_post_parameters_m
from django.utils.translation import gettext_lazy

from .forms import AdminSignInForm, UserChangeForm, UserCreationForm
from .models import User

admin.site.login_form = AdminSignInForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, keyed by e-mail instead of a username."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name", "id"]
    readonly_fields = ["id", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        (gettext_lazy("Personal info"), {"fields": ["first_name", "last_name"]}),
        (
            gettext_lazy("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (gettext_lazy("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "password1", "password2"]})
    ]

    @sensitive_post_parameters_m
    @csrf_protect_m
    def add_view(self, request, form_url="", extra_context=None):
        # Django wraps this in a transaction around the one its change form opens. A save that
        # MySQL aborts as a deadlock victim loses the whole transaction, so the change form's own
        # must be the outermost for the admin to run it again (awsomeshop.admin_site).
        return self._add_view(request, form_url, extra_context)


class SignInAttemptAdmin(AccessAttemptAdmin):
    """django-axes' list of failed sign-ins, with its "Clean up expired attempts" action mended:
    axes reads the request's attempt time, which its middleware sets only on sign-in requests,
    so the action answered 500 from the admin every time."""

    @admin.action(description=gettext_lazy("Clean up expired attempts"))
    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)
        return super().cleanup_expired_attempts(request, queryset)


# axes (before this app in INSTALLED_APPS) registered its own.
admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, SignInAttemptAdmin)
