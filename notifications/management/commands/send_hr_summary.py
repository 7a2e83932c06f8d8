from django.core.management.base import BaseCommand

from awsomeshop.text import counted
from notifications.services import hr_summary_send


class Command(BaseCommand):
    help = "Tell each HR user, once a day and only when there is something to act on, what waits for them."

    def handle(self, *args, **options) -> None:
        told = hr_summary_send()
        self.stdout.write(
            f"HR summary: {counted(told, 'HR user', 'HR users')} told." if told else "HR summary: nothing to act on."
        )
