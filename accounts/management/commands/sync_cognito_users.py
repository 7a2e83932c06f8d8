from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import cognito_users_sync
from awsomeshop.exceptions import ShopError


class Command(BaseCommand):
    help = "Import the Cognito pool's users (and its HR group) so HR can award points before a first sign-in."

    def handle(self, *args, **options) -> None:
        if settings.AUTH_BACKEND != "cognito":
            raise CommandError("AUTH_BACKEND is not cognito: there is no user pool to sync from.")
        try:
            report = cognito_users_sync()
        except ShopError as error:
            raise CommandError(error.message) from error
        if options["verbosity"] > 0:
            summary = f"Users: {report.created} created, {report.updated} updated, {report.unchanged} unchanged."
            self.stdout.write(self.style.SUCCESS(summary))
