import signal

from django.core.management.base import BaseCommand

from notifications.sender import SignalStop, sender_run
from notifications.services import notifications_send


class Command(BaseCommand):
    help = (
        "Send the e-mails of notifications that are due (new ones, retries whose time has come, and "
        "any whose sender died). Safe to run while others run: each row is sent by one sender. With "
        "--forever, keep sending as rows come until SIGTERM or SIGINT (the sender's ECS service)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=100, help="Rows claimed at a time.")
        parser.add_argument("--max-batches", type=int, default=50, help="Stop after this many batches.")
        parser.add_argument("--forever", action="store_true", help="Keep sending until SIGTERM or SIGINT.")
        parser.add_argument(
            "--idle-seconds", type=float, default=1.0, help="With --forever: the pause when nothing is due."
        )

    def handle(self, *args, batch: int, max_batches: int, forever: bool, idle_seconds: float, **options) -> None:
        if forever:
            self._forever(batch=batch, idle_seconds=idle_seconds)
            return
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

    def _forever(self, *, batch: int, idle_seconds: float) -> None:
        stop = SignalStop()
        # ECS stops a task with SIGTERM, then SIGKILL 30 s later: finish the message in hand,
        # hand the rest of the batch back, and exit 0.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("Sender: sending as notifications come; SIGTERM stops it.")
        self.stdout.flush()
        totals = sender_run(stop=stop, batch=batch, idle_seconds=idle_seconds)
        self.stdout.write(
            f"Sender stopped: {totals.sent} sent, {totals.retrying} to try again later, {totals.failed} failed, "
            f"{totals.suppressed} addresses suppressed, {totals.errors} rounds failed."
        )
