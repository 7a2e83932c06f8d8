from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    """HR's view of the whole programme: the dashboard and the consistency check. Above every app
    whose tables it reads; nothing imports it back."""

    name = "programme"
    verbose_name = "Programme"
