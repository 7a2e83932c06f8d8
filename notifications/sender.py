"""The sender: one process, apart from the web workers, that sends the outbox's e-mails as they
come (`manage.py send_notifications --forever`; its own ECS service in production, a process of
its own under `make run-aws`). The web workers only write outbox rows.

Each round claims due rows and sends them; when a round finds less than a batch, the sender
sleeps `idle_seconds` (so an e-mail leaves about that long after its commit at most, plus the
sending). Every `events_seconds` it reads SES's bounces and complaints; every `metrics_seconds`
it publishes the outbox's figures for the alarms. A database or mail service that is down costs
a round, never the process: it waits and tries again. `stop` (set on SIGTERM) ends the loop after
the message being sent; the rows not reached go back, due, for the next sender."""

import json
import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, connection

from .aws import aws_call
from .mail_events import ses_events_receive
from .selectors import OutboxFigures, outbox_figures
from .services import notifications_send

logger = logging.getLogger(__name__)
METRICS_NAMESPACE = "AWSomeShop"
OLDEST_UNSENT_METRIC = "OutboxOldestUnsentSeconds"
FAILED_METRIC = "NotificationsFailed"


def outbox_metrics_publish(figures: OutboxFigures) -> None:
    """Log the figures, and publish them to CloudWatch when configured (production)."""
    logger.info(
        "Outbox: %d waiting, the oldest for %.1f s; %d failed",
        figures.waiting,
        figures.oldest_unsent_seconds,
        figures.failed,
        extra={"outbox": json.loads(json.dumps(figures.__dict__))},
    )
    if settings.NOTIFICATIONS_METRICS != "cloudwatch":
        return
    aws_call(
        "cloudwatch",
        "put_metric_data",
        Namespace=METRICS_NAMESPACE,
        MetricData=[
            {"MetricName": OLDEST_UNSENT_METRIC, "Value": figures.oldest_unsent_seconds, "Unit": "Seconds"},
            {"MetricName": FAILED_METRIC, "Value": figures.failed, "Unit": "Count"},
        ],
    )


@dataclass
class SenderTotals:
    rounds: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    errors: int = 0
    _last: dict = field(default_factory=dict)


def _every(totals: SenderTotals, what: str, seconds: float) -> bool:
    """Whether `what` is due (every `seconds`, and at once the first time)."""
    now = time.monotonic()
    if now - totals._last.get(what, -seconds) >= seconds:
        totals._last[what] = now
        return True
    return False


class SignalStop:
    """The sender's stop flag, set from a signal handler. `threading.Event.set` takes the event's
    lock, which the main thread may hold at that moment (inside `Event.wait`), so a SIGTERM there
    would hang the sender for good; this one sets a plain flag, and its wait sleeps in short steps."""

    def __init__(self) -> None:
        self._stopped = False

    def set(self) -> None:
        self._stopped = True

    def is_set(self) -> bool:
        return self._stopped

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self._stopped and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))
        return self._stopped


def sender_run(
    *,
    stop: threading.Event | SignalStop,
    batch: int = 100,
    idle_seconds: float = 1.0,
    events_seconds: float = 20.0,
    metrics_seconds: float = 60.0,
) -> SenderTotals:
    """Send until `stop` is set; returns what it did."""
    totals = SenderTotals()
    failures_in_a_row = 0
    while not stop.is_set():
        close_old_connections()
        try:
            if _every(totals, "events", events_seconds):
                totals.suppressed += ses_events_receive()
            if _every(totals, "metrics", metrics_seconds):
                outbox_metrics_publish(outbox_figures())
            report = notifications_send(limit=batch, stop=stop)
        except Exception:  # the database or an AWS service is down: wait, then try again
            totals.errors += 1
            failures_in_a_row += 1
            logger.exception("A round of the sender failed; trying again")
            connection.close()
            stop.wait(min(idle_seconds * 2**failures_in_a_row, 30.0))
            continue
        failures_in_a_row = 0
        totals.rounds += 1
        totals.sent += report.sent
        totals.retrying += report.retrying
        totals.failed += report.failed
        if report.claimed < batch:
            stop.wait(idle_seconds)
    connection.close()
    return totals
