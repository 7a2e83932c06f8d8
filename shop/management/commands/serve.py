"""`make run`'s server: Django's development server (with static files), saying only where it is."""

import io
import sys

from django.contrib.staticfiles.management.commands.runserver import Command as RunServer
from django.core.management.base import OutputWrapper


class Command(RunServer):
    help = "Django's development server without its start-up banner: prints the address and nothing else."

    def execute(self, *args, **options):
        self.address_out = OutputWrapper(sys.stdout)
        # The banner, the date, the version line and the checks' "no issues": not for `make run`.
        options["stdout"] = io.StringIO()
        return super().execute(*args, **options)

    def on_bind(self, server_port: int) -> None:
        host = f"[{self.addr}]" if self._raw_ipv6 else ("0.0.0.0" if self.addr == "0" else self.addr)  # noqa: S104
        self.address_out.write(f"AWSomeShop is running at {self.protocol}://{host}:{server_port}/ (Ctrl-C stops it).")
