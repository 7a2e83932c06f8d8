from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (`make run`'s catalog, users and history) and the developer's token tool. It
    drives every app's services, so it sits on top of them all and nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
