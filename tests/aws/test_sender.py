"""The sender as production runs it: its own process (`send_notifications --forever`) sending
through SES on the AWS emulator, stopped and killed in the middle of a batch; and what SES tells
it back (bounces and complaints through SNS and SQS), and the figures it publishes for the alarms."""

import email
import json
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications.mail_events import ses_events_receive
from notifications.models import EmailSuppression, Notification
from notifications.selectors import outbox_figures
from notifications.sender import FAILED_METRIC, METRICS_NAMESPACE, OLDEST_UNSENT_METRIC, outbox_metrics_publish
from notifications.services import email_suppressions_lift, notifications_send, notify
from notifications.words import words
from tests.awards import points_award
from tests.aws.conftest import REGION, aws_client, moto_server_process
from tests.concurrency import wait_until
from tests.factories import UserFactory
from tests.servers import BASE, production_env

SENDER = "rewards@awsomeshop.example"


@pytest.fixture(scope="module")
def aws_endpoint():
    """An emulator of this module's own, in its own process as `make run-aws` runs it:
    `/moto-api/data.json`, where these tests read what SES took, answers 500 once another test has
    deleted a bucket that still held keys (moto walks every object it ever made), so the suite's
    shared emulator cannot be read that way."""
    with moto_server_process() as endpoint:
        yield endpoint


@pytest.fixture
def ses(aws_endpoint, settings):
    settings.EMAIL_BACKEND = "django_ses.SESBackend"
    settings.AWS_SES_REGION_NAME = REGION
    settings.AWS_SES_REGION_ENDPOINT_URL = aws_endpoint
    settings.AWS_SES_AUTO_THROTTLE = None
    settings.DEFAULT_FROM_EMAIL = f"AWSomeShop <{SENDER}>"
    client = aws_client("ses", aws_endpoint)
    client.verify_email_identity(EmailAddress=SENDER)
    return client


def ses_message_ids(endpoint: str, domain: str) -> Counter:
    """The Message-IDs of every e-mail the emulator's SES took, of this test's domain: what
    `/moto-api/data.json` shows (docs/deploy.md tells `make run-aws` users to look there)."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:  # noqa: S310 - loopback
        data = json.load(response)
    ids = Counter()
    for message in data.get("ses", {}).get("RawMessage", []):
        message_id = email.message_from_string(message["raw_data"])["Message-ID"]
        if message_id and message_id.endswith(f"@{domain}>"):
            ids[message_id] += 1
    return ids


# --- The sender's own process: stopped and killed mid-batch -------------------------------------
def sender_env(aws_endpoint: str, domain: str, **overrides) -> dict:
    db = connection.settings_dict
    return production_env(
        DB_HOST=db["HOST"] or "127.0.0.1",
        DB_PORT=str(db["PORT"] or 3306),
        DB_NAME=db["NAME"],  # the test's own database: its rows are committed (transaction=True)
        DB_USER=db["USER"],
        DB_PASSWORD=db["PASSWORD"],
        EMAIL_BACKEND="ses",
        AWS_SES_ENDPOINT_URL=aws_endpoint,
        AWS_ENDPOINT_URL=aws_endpoint,
        AWS_REGION=REGION,
        SES_AUTO_THROTTLE="0",
        DEFAULT_FROM_EMAIL=f"AWSomeShop <{SENDER}>",
        NOTIFICATION_MESSAGE_ID_DOMAIN=domain,
        LOG_LEVEL="INFO",
        **overrides,
    )


def sender_start(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_notifications", "--forever", "--batch", "40", "--idle-seconds", "0.2"],
        cwd=BASE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def outbox_rows(count: int) -> list[int]:
    person = UserFactory(email=f"p-{uuid.uuid4().hex[:6]}@example.com")
    with transaction.atomic():
        return [
            notify(recipient_id=person.pk, kind="points_awarded", title=words(f"Row {n}"), body=words("b"), link="/").pk
            for n in range(count)
        ]


def statuses(ids: list[int]) -> Counter:
    return Counter(Notification.objects.filter(pk__in=ids).values_list("email_status", flat=True))


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_a_sender_stopped_mid_batch_hands_the_rest_back_and_every_row_goes_out_exactly_once(ses, aws_endpoint):
    domain = f"stop-{uuid.uuid4().hex[:8]}.test"
    ids = outbox_rows(300)
    env = sender_env(aws_endpoint, domain)

    first = sender_start(env)
    wait_until(lambda: statuses(ids)["sent"] >= 60, "the first sender to send 60 e-mails")
    first.send_signal(signal.SIGTERM)
    output, _ = first.communicate(timeout=30)
    sent_by_first = statuses(ids)["sent"]

    assert first.returncode == 0, output
    assert "Sender stopped:" in output
    assert statuses(ids)["sending"] == 0  # nothing left claimed: the rest is due for the next one
    assert 60 <= sent_by_first < 300
    assert sum(ses_message_ids(aws_endpoint, domain).values()) == sent_by_first

    second = sender_start(env)
    wait_until(lambda: statuses(ids)["sent"] == 300, "the second sender to send the rest")
    second.send_signal(signal.SIGTERM)
    second.communicate(timeout=30)

    sent = ses_message_ids(aws_endpoint, domain)
    assert len(sent) == 300
    assert set(sent.values()) == {1}
    assert sorted(sent) == sorted(f"<notification-{pk}@{domain}>" for pk in ids)
    assert Notification.objects.filter(pk__in=ids, attempts=1).count() == 300


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_a_sender_killed_mid_batch_leaves_its_rows_to_the_next_which_sends_every_one(ses, aws_endpoint):
    domain = f"kill-{uuid.uuid4().hex[:8]}.test"
    ids = outbox_rows(300)
    # A short claim, so the next sender takes over the killed one's rows within the test.
    env = sender_env(aws_endpoint, domain, NOTIFICATION_CLAIM_SECONDS="3")

    first = sender_start(env)
    wait_until(lambda: statuses(ids)["sent"] >= 60, "the first sender to send 60 e-mails")
    first.kill()
    first.communicate(timeout=30)
    stranded = statuses(ids)["sending"]

    second = sender_start(env)
    wait_until(lambda: statuses(ids)["sent"] == 300, "the next sender to send every row", timeout=60)
    second.send_signal(signal.SIGTERM)
    second.communicate(timeout=30)

    sent = ses_message_ids(aws_endpoint, domain)
    assert stranded > 0  # it died holding a claim
    assert sorted(sent) == sorted(f"<notification-{pk}@{domain}>" for pk in ids)
    # The one window: the message SES took as the process died, before its row said so. It goes
    # again, with the same Message-ID, which mail clients fold.
    assert sum(sent.values()) - 300 <= 1


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_the_sender_picks_up_a_new_row_without_being_nudged(ses, aws_endpoint):
    domain = f"new-{uuid.uuid4().hex[:8]}.test"
    sender = sender_start(sender_env(aws_endpoint, domain))
    try:
        wait_until(lambda: sender.poll() is None and outbox_figures().waiting == 0, "the sender to start")
        (pk,) = outbox_rows(1)
        wait_until(lambda: ses_message_ids(aws_endpoint, domain), "the new row's e-mail", timeout=15)
    finally:
        sender.send_signal(signal.SIGTERM)
        sender.communicate(timeout=30)

    assert ses_message_ids(aws_endpoint, domain) == {f"<notification-{pk}@{domain}>": 1}


@pytest.mark.mysql_only
@pytest.mark.django_db(transaction=True)
def test_a_sender_told_to_stop_at_any_moment_always_stops(aws_endpoint):
    """SIGTERM or SIGINT at any point of the idle loop: a Python signal handler that set the stop
    event could deadlock on the event's own lock, held by the interrupted wait, and the sender
    never exited (CI saw `make run-aws` hang on Ctrl-C)."""
    env = sender_env(aws_endpoint, f"stop-{uuid.uuid4().hex[:8]}.test")
    for attempt in range(16):
        sender = subprocess.Popen(
            [sys.executable, "manage.py", "send_notifications", "--forever", "--idle-seconds", "0.0001"],
            cwd=BASE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_until(lambda s=sender: s.stdout.readline().startswith("Sender:"), "the sender to start")
        time.sleep(0.05 + attempt * 0.013)
        sender.send_signal(signal.SIGINT if attempt % 2 else signal.SIGTERM)
        try:
            output, _ = sender.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            sender.kill()
            raise AssertionError(f"the sender did not stop within 10 s of a signal (attempt {attempt})") from None
        assert sender.returncode == 0, output
        assert "Sender stopped:" in output


# --- What SES tells us back -------------------------------------------------------------------
@pytest.fixture
def events_queue(aws_endpoint, settings):
    """SES's event destination as the CDK app makes it: an SNS topic delivering to an SQS queue."""
    sns, sqs = aws_client("sns", aws_endpoint), aws_client("sqs", aws_endpoint)
    name = f"mail-events-{uuid.uuid4().hex[:8]}"
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    settings.SES_EVENTS_QUEUE_URL = queue_url
    settings.AWS_ENDPOINT_URL = aws_endpoint
    settings.AWS_REGION = REGION

    def publish(event: dict | str) -> None:
        sns.publish(TopicArn=topic, Message=event if isinstance(event, str) else json.dumps(event))

    publish.sqs, publish.queue_url = sqs, queue_url  # type: ignore[attr-defined]
    return publish


def ses_event(kind: str, address: str, **details) -> dict:
    """An event as SES's configuration set publishes it (docs: "Event publishing ... contents")."""
    mail = {"messageId": "0100-x", "source": SENDER, "destination": [address]}
    if kind == "Bounce":
        body = {
            "bounceType": details.get("bounce_type", "Permanent"),
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address, "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
        }
        return {"eventType": "Bounce", "bounce": body, "mail": mail}
    return {
        "eventType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": address}], "complaintFeedbackType": "abuse"},
        "mail": mail,
    }


def queue_depth(events_queue) -> int:
    attributes = events_queue.sqs.get_queue_attributes(
        QueueUrl=events_queue.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@pytest.mark.django_db
def test_a_permanent_bounce_stops_mail_to_that_address_and_hr_can_lift_it(ses, events_queue, employee, hr_staff):
    events_queue(ses_event("Bounce", employee.email.upper()))

    assert ses_events_receive() == 1
    assert queue_depth(events_queue) == 0
    suppression = EmailSuppression.objects.get()
    assert (suppression.email, suppression.reason) == (employee.email.lower(), "bounce")
    assert "550 5.1.1 user unknown" in suppression.detail

    before = ses.get_send_quota()["SentLast24Hours"]
    points_award(user_id=employee.pk, amount=10, reason="Thanks", awarded_by_id=hr_staff.pk)
    notifications_send()
    held = Notification.objects.get()
    assert held.email_status == "skipped"
    assert "reported this address" in held.last_error
    assert ses.get_send_quota()["SentLast24Hours"] == before

    assert email_suppressions_lift(ids=[suppression.pk], lifted_by_id=hr_staff.pk) == 1
    points_award(user_id=employee.pk, amount=10, reason="Thanks again", awarded_by_id=hr_staff.pk)
    assert notifications_send().sent == 1


@pytest.mark.django_db
def test_a_complaint_stops_mail_and_a_transient_bounce_does_not(ses, events_queue, employee):
    other = UserFactory()
    events_queue(ses_event("Complaint", employee.email))
    events_queue(ses_event("Bounce", other.email, bounce_type="Transient"))

    assert ses_events_receive() == 1
    assert list(EmailSuppression.objects.values_list("email", "reason")) == [(employee.email.lower(), "complaint")]
    assert queue_depth(events_queue) == 0  # both read and done with


@pytest.mark.django_db
def test_the_same_event_read_twice_suppresses_once(ses, events_queue, employee):
    events_queue(ses_event("Bounce", employee.email))
    events_queue(ses_event("Bounce", employee.email))

    assert ses_events_receive() == 1
    assert EmailSuppression.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["not json", "[1, 2]", json.dumps({"eventType": "Bounce"})])
def test_an_event_that_cannot_be_read_stays_on_the_queue_for_the_dead_letter_queue(ses, events_queue, body):
    events_queue(body)

    assert ses_events_receive() == 0
    assert EmailSuppression.objects.count() == 0
    assert queue_depth(events_queue) == 1


MALFORMED_EVENTS = {
    "recipients are strings": {
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": ["a@x.example"]},
    },
    "complaint is null": {"eventType": "Complaint", "complaint": None},
    "bounce is a list": {"eventType": "Bounce", "bounce": []},
    "bounce is a string": {"eventType": "Bounce", "bounce": "x"},
    "recipients not a list": {"eventType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": 7}},
    "nested beyond reason": "[" * 100_000 + "]" * 100_000,
    "a bounce without its type": {"eventType": "Bounce", "bounce": {}},
    "a permanent bounce naming no one": {"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}},
    "a complaint naming no one": {"eventType": "Complaint", "complaint": {"complainedRecipients": []}},
    "the event type a list": {"eventType": ["Bounce"], "bounce": {"bounceType": "Permanent"}},
    "two addresses as one": {
        "eventType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "a@x.example, c@y.example"}]},
    },
    "a surrogate in the address": {
        "eventType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "bad\ud800@x.example"}]},
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("bad", MALFORMED_EVENTS.values(), ids=MALFORMED_EVENTS.keys())
def test_one_malformed_event_stays_for_the_dead_letter_queue_and_the_rest_of_the_batch_is_read(
    ses, events_queue, employee, bad
):
    events_queue(bad)
    events_queue(ses_event("Complaint", employee.email))

    assert ses_events_receive() == 1
    assert list(EmailSuppression.objects.values_list("email", flat=True)) == [employee.email.lower()]
    assert queue_depth(events_queue) == 1  # only the bad one, left for the dead-letter queue


@pytest.mark.django_db
def test_the_message_ses_sends_when_it_validates_the_topic_is_read_and_deleted(ses, events_queue):
    events_queue("Successfully validated SNS topic for Amazon SES event publishing.")

    assert ses_events_receive() == 0
    assert queue_depth(events_queue) == 0  # not left to reach the dead-letter queue and its alarm


@pytest.mark.django_db
def test_an_address_with_a_display_name_is_suppressed_as_the_bare_address(ses, events_queue):
    events_queue(ses_event("Complaint", "Bob Example <BOB@Example.com>"))

    assert ses_events_receive() == 1
    assert list(EmailSuppression.objects.values_list("email", flat=True)) == ["bob@example.com"]


# --- The figures the alarms watch -------------------------------------------------------------
@pytest.mark.django_db
def test_the_sender_publishes_the_oldest_unsent_age_and_the_failed_count_to_cloudwatch(
    aws_endpoint, settings, employee, hr_staff
):
    settings.NOTIFICATIONS_METRICS = "cloudwatch"
    settings.AWS_ENDPOINT_URL = aws_endpoint
    settings.AWS_REGION = REGION
    points_award(user_id=employee.pk, amount=10, reason="Thanks", awarded_by_id=hr_staff.pk)
    Notification.objects.update(created_at=timezone.now() - timedelta(seconds=600))
    points_award(user_id=employee.pk, amount=5, reason="Again", awarded_by_id=hr_staff.pk)
    Notification.objects.filter(title__contains="5 points").update(email_status="failed")

    outbox_metrics_publish(outbox_figures())

    cloudwatch = aws_client("cloudwatch", aws_endpoint)
    published = {
        metric: cloudwatch.get_metric_statistics(
            Namespace=METRICS_NAMESPACE,
            MetricName=metric,
            StartTime=time.time() - 600,
            EndTime=time.time() + 60,
            Period=60,
            Statistics=["Maximum"],
        )["Datapoints"]
        for metric in (OLDEST_UNSENT_METRIC, FAILED_METRIC)
    }
    assert max(p["Maximum"] for p in published[OLDEST_UNSENT_METRIC]) >= 600
    assert max(p["Maximum"] for p in published[FAILED_METRIC]) == 1


def test_the_settings_name_the_queue_only_when_configured():
    assert settings.SES_EVENTS_QUEUE_URL == ""
    assert ses_events_receive() == 0
