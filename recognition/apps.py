from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = _("Recognition")

    def ready(self) -> None:
        from accounts.signals import directory_dates_seen

        from .services import on_directory_dates_seen

        directory_dates_seen.connect(on_directory_dates_seen, dispatch_uid="recognition.directory_dates")
