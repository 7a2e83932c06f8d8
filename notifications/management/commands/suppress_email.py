from django.core.management.base import BaseCommand, CommandError

from awsomeshop.email_address import email_address_parse
from notifications.models import EmailSuppression
from notifications.services import email_suppress


class Command(BaseCommand):
    help = (
        "Stop e-mailing an address by hand: what to do with a bounce or complaint that reached the "
        "mail events' dead-letter queue (docs/deploy.md). HR sees it and lifts it in the admin."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("address")
        parser.add_argument("--reason", choices=EmailSuppression.Reason.values, default=EmailSuppression.Reason.BOUNCE)
        parser.add_argument("--detail", default="Suppressed by hand (manage.py suppress_email)")

    def handle(self, *args, address: str, reason: str, detail: str, **options) -> None:
        try:
            address = email_address_parse(address)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if email_suppress(email=address, reason=reason, detail=detail):
            self.stdout.write(f"{address} will not be e-mailed ({reason}); HR can lift it in the admin.")
        else:
            self.stdout.write(f"{address} was suppressed already; nothing changed.")
