from django.core.management.base import BaseCommand

from notifications.services import notifications_send


class Command(BaseCommand):
    help = (
        "Send the e-mails of notifications that are due (new ones, retries whose time has come, and "
        "any whose sender died). Safe to run while others run: each row is sent by one sender."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=100, help="Rows claimed at a time.")
        parser.add_argument("--max-batches", type=int, default=50, help="Stop after this many batches.")

    def handle(self, *args, batch: int, max_batches: int, **options) -> None:
        totals = {"sent": 0, "retrying": 0, "failed": 0}
        for _ in range(max_batches):
            report = notifications_send(limit=batch)
            for key in totals:
                totals[key] += getattr(report, key)
            if report.claimed < batch:
                break
        self.stdout.write(
            f"Notifications: {totals['sent']} sent, {totals['retrying']} to try again later, {totals['failed']} failed."
        )
