"""[Mail] Amazon SES for the notification e-mails: the sender identity (the domain, with its DKIM
records in the hosted zone, when a hosted zone is configured; else the one sender address), a
configuration set, and its event destination: bounces and complaints go to an SNS topic that
delivers them to an SQS queue, which the sender reads to stop mailing those addresses (what SES
expects of any sender leaving the sandbox). The sender's role, allowed to send from this identity
through this configuration set only, is in the security stack."""

import resource_values as values
from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

CONFIGURATION_SET = values.CONFIGURATION_SET
EVENTS_QUEUE = values.MAIL_EVENTS
# A message the sender cannot read is tried this often, then parked in the dead-letter queue
# (the monitoring stack alarms on it).
EVENTS_MAX_RECEIVES = values.MAIL_EVENTS_MAX_RECEIVES


def identity_name(*, domain_name: str, sender_address: str, hosted_zone_id: str) -> str:
    """What SES verifies: the domain when its hosted zone is ours (DKIM records written there),
    else the single sender address (SES mails it a link to click once)."""
    return domain_name if hosted_zone_id else sender_address


class MailStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain_name: str,
        sender_address: str,
        hosted_zone_id: str,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=CONFIGURATION_SET,
            reputation_metrics=True,
            sending_enabled=True,
        )
        # One list of addresses not to mail: the app's, which HR sees and lifts (bounces and
        # complaints reach it through the events queue below). SES's account-wide list is not
        # applied to this configuration set, or a lift in the app would not reach it.
        cfn_set = self.configuration_set.node.default_child
        cfn_set.add_property_override("SuppressionOptions.SuppressedReasons", [])  # type: ignore[union-attr]
        if hosted_zone_id:
            zone = route53.PublicHostedZone.from_public_hosted_zone_attributes(
                self, "Zone", hosted_zone_id=hosted_zone_id, zone_name=domain_name
            )
            identity = ses.Identity.public_hosted_zone(zone)  # Easy DKIM: the CNAMEs land in the zone
        else:
            identity = ses.Identity.email(sender_address)
        self.identity = ses.EmailIdentity(self, "Identity", identity=identity, configuration_set=self.configuration_set)
        self.identity_name = identity_name(
            domain_name=domain_name, sender_address=sender_address, hosted_zone_id=hosted_zone_id
        )
        self._events_build()

    def _events_build(self) -> None:
        self.events_topic = sns.Topic(
            self,
            "MailEvents",
            topic_name=values.MAIL_EVENTS,
            display_name="AWSomeShop mail events",
            enforce_ssl=True,
        )
        self.events_dead_letters = sqs.Queue(
            self,
            "MailEventsDeadLetters",
            queue_name=f"{EVENTS_QUEUE}-dead-letters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.events_queue = sqs.Queue(
            self,
            "MailEventsQueue",
            queue_name=EVENTS_QUEUE,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.minutes(1),
            retention_period=Duration.days(14),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.events_dead_letters, max_receive_count=EVENTS_MAX_RECEIVES
            ),
        )
        self.events_topic.add_subscription(subscriptions.SqsSubscription(self.events_queue))
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            configuration_set_event_destination_name="bounces-and-complaints",
            destination=ses.EventDestination.sns_topic(self.events_topic),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )

    def dead_letters_metric(self) -> cloudwatch.IMetric:
        return self.events_dead_letters.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(5), statistic="Maximum"
        )
