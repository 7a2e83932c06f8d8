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

from .aws import aws_call
from .models import EmailSuppression
from .services import email_suppress

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailEvent:
    reason: str  # EmailSuppression.Reason
    addresses: list[str]
    detail: str


def mail_event_parse(body: str) -> MailEvent | None:
    """The suppression an SQS message asks for: None for an event that asks none (a delivery, a
    transient bounce). Raises ValueError for a message that is not an SES event at all."""
    envelope = json.loads(body)
    if not isinstance(envelope, dict):
        raise ValueError("not a JSON object")
    # SNS wraps the event (unless raw delivery is on); SES's own test messages have no eventType.
    event = json.loads(envelope["Message"]) if "Message" in envelope and "Type" in envelope else envelope
    if not isinstance(event, dict):
        raise ValueError("the event is not a JSON object")
    kind = event.get("eventType") or event.get("notificationType")
    if kind == "Bounce":
        bounce = event["bounce"]
        if bounce.get("bounceType") != "Permanent":
            return None
        recipients = bounce.get("bouncedRecipients", [])
        detail = f"Bounced ({bounce.get('bounceSubType', 'General')}): " + "; ".join(
            str(r.get("diagnosticCode", "")) for r in recipients if r.get("diagnosticCode")
        )
        return MailEvent(EmailSuppression.Reason.BOUNCE, [r["emailAddress"] for r in recipients], detail)
    if kind == "Complaint":
        complaint = event["complaint"]
        recipients = complaint.get("complainedRecipients", [])
        detail = f"Complaint ({complaint.get('complaintFeedbackType', 'not given')})"
        return MailEvent(EmailSuppression.Reason.COMPLAINT, [r["emailAddress"] for r in recipients], detail)
    if kind is None:
        raise ValueError("no eventType")
    return None


def ses_events_receive(*, max_messages: int = 10) -> int:
    """Read up to `max_messages` events from the queue and suppress what they report; returns how
    many addresses were suppressed. A message is deleted only once what it says is stored."""
    queue = settings.SES_EVENTS_QUEUE_URL
    if not queue:
        return 0
    response = aws_call("sqs", "receive_message", QueueUrl=queue, MaxNumberOfMessages=max_messages, WaitTimeSeconds=0)
    suppressed = 0
    for message in response.get("Messages", []):
        try:
            event = mail_event_parse(message["Body"])
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("An SES event could not be read (%s); it stays for the dead-letter queue", error)
            continue
        if event is not None:
            for address in event.addresses:
                suppressed += email_suppress(email=address, reason=event.reason, detail=event.detail)
        aws_call("sqs", "delete_message", QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return suppressed
