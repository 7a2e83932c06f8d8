from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# The sign-in libraries' apps under names a person understands: the admin's home listed them as
# their authors name them ("Authentication and Authorization", "Auth Token", "Axes").
LIBRARY_APP_NAMES = {"auth": _("Roles and groups"), "authtoken": _("API tokens"), "axes": _("Sign-in lockouts")}


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import api_auth  # noqa: F401 - registers the API token scheme with drf-spectacular

        # Renamed on their configs, not only in the admin's app list, so the admin's home, the
        # apps' pages and the breadcrumbs say the same. (Subclassing their AppConfigs in
        # INSTALLED_APPS is not open to DRF's authtoken: its models are abstract unless
        # "rest_framework.authtoken" itself is listed.)
        for label, name in LIBRARY_APP_NAMES.items():
            apps.get_app_config(label).verbose_name = name
