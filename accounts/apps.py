from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import api_auth  # noqa: F401 - registers the API token scheme with drf-spectacular
