from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """HR's view of the whole programme: the dashboard and the consistency check. Above every app
    whose tables it reads; nothing imports it back."""

    name = "programme"
    verbose_name = _("Programme")
