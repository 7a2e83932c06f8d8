"""What the mail service tells us after sending: Amazon SES publishes each bounce and complaint
of the configuration set to an SNS topic, which delivers it to an SQS queue; the sender reads the
queue (`ses_events_receive`) and stops mailing those addresses (`email_suppress`). A transient
bounce (a full mailbox, a server down for a while) stops nothing: SES retried it already.

A message that cannot be read is left on the queue: after a few receives SQS moves it to the
dead-letter queue, where the monitoring stack's alarm sees it."""

import json
import logging
from dataclasses import dataclass

from django.conf import settings

from awsomeshop.email_address import email_address_parse

from .aws import aws_call
from .models import EmailSuppression
from .services import email_suppress

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailEvent:
    reason: str  # EmailSuppression.Reason
    addresses: list[str]
    detail: str


# What SES publishes to a topic the moment an event destination is added to it: not an event.
SES_TOPIC_VALIDATION = "Successfully validated SNS topic for Amazon SES event publishing."


def mail_event_parse(body: str) -> MailEvent | None:
    """The suppression an SQS message asks for: None for a message that asks none (a delivery, a
    transient bounce, SES validating the topic). Raises ValueError for a message that is not an
    SES event at all, or one whose parts are not the shapes SES documents."""
    envelope = json.loads(body)
    if not isinstance(envelope, dict):
        raise ValueError("not a JSON object")
    # SNS wraps the event (unless raw delivery is on).
    if "Message" in envelope and "Type" in envelope:
        if envelope["Message"] == SES_TOPIC_VALIDATION:
            return None
        event = json.loads(envelope["Message"])
    else:
        event = envelope
    if not isinstance(event, dict):
        raise ValueError("the event is not a JSON object")
    kind = event.get("eventType") or event.get("notificationType")
    if not isinstance(kind, str):
        raise ValueError("no eventType")
    if kind == "Bounce":
        bounce = _part(event, "bounce")
        if not isinstance(bounce.get("bounceType"), str):
            raise ValueError("a bounce without its bounceType")
        if bounce["bounceType"] != "Permanent":
            return None
        recipients = _recipients(bounce, "bouncedRecipients")
        codes = [str(r["diagnosticCode"]) for r in recipients if r.get("diagnosticCode")]
        detail = f"Bounced ({bounce.get('bounceSubType', 'General')}): " + "; ".join(codes)
        return MailEvent(EmailSuppression.Reason.BOUNCE, _addresses(recipients), detail)
    if kind == "Complaint":
        complaint = _part(event, "complaint")
        detail = f"Complaint ({complaint.get('complaintFeedbackType', 'not given')})"
        return MailEvent(
            EmailSuppression.Reason.COMPLAINT, _addresses(_recipients(complaint, "complainedRecipients")), detail
        )
    return None


def _part(event: dict, name: str) -> dict:
    part = event.get(name)
    if not isinstance(part, dict):
        raise ValueError(f"{name!r} is not an object")
    return part


def _recipients(part: dict, name: str) -> list[dict]:
    recipients = part.get(name)
    if not isinstance(recipients, list) or not recipients or not all(isinstance(r, dict) for r in recipients):
        raise ValueError(f"{name!r} is not a list of the addresses it is about")
    return recipients


def _addresses(recipients: list[dict]) -> list[str]:
    """Every address is checked before any is suppressed: a bad one leaves the message whole."""
    return [email_address_parse(recipient.get("emailAddress", "")) for recipient in recipients]


def ses_events_receive(*, max_messages: int = 10) -> int:
    """Read up to `max_messages` events from the queue and suppress what they report; returns how
    many addresses were suppressed. A message is deleted only once what it says is stored; one that
    cannot be read or stored is left for the dead-letter queue and does not hold up the others."""
    queue = settings.SES_EVENTS_QUEUE_URL
    if not queue:
        return 0
    response = aws_call("sqs", "receive_message", QueueUrl=queue, MaxNumberOfMessages=max_messages, WaitTimeSeconds=0)
    suppressed = 0
    for message in response.get("Messages", []):
        try:
            suppressed += _mail_event_store(message["Body"])
        except Exception as error:  # noqa: BLE001 - whatever it is, the message waits for the dead-letter queue
            logger.warning(
                "An SES event could not be read (%s); it stays for the dead-letter queue", type(error).__name__
            )
            continue
        aws_call("sqs", "delete_message", QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return suppressed


def _mail_event_store(body: str) -> int:
    event = mail_event_parse(body)
    if event is None:
        return 0
    return sum(email_suppress(email=address, reason=event.reason, detail=event.detail) for address in event.addresses)
