"""[Mail] SES for the notification e-mails, the sender as its own service, HR's daily summary, and
the alarms a person acts on (issue 26)."""

import json

import pytest
from aws_cdk.assertions import Match
from conftest import app_with, stack_template
from test_compute import container, schedule_of


def environment_of(compute, family: str) -> dict:
    return {item["Name"]: item["Value"] for item in container(compute, family)["Environment"]}


def test_the_sender_address_is_an_ses_identity_with_the_configuration_set(mail):
    mail.has_resource_properties(
        "AWS::SES::EmailIdentity",
        {
            "EmailIdentity": "rewards@awsomeshop.example.com",
            "ConfigurationSetAttributes": {
                "ConfigurationSetName": {"Ref": Match.string_like_regexp("ConfigurationSet")}
            },
        },
    )
    mail.has_resource_properties(
        "AWS::SES::ConfigurationSet",
        # SES's own account-wide list is not applied: the app's list, which HR sees and lifts,
        # is the only one (a lift in the app would not reach SES's list).
        {"Name": "awsomeshop", "SuppressionOptions": {"SuppressedReasons": []}},
    )


def test_with_a_hosted_zone_the_domain_is_verified_with_dkim_records_in_it(tmp_path):
    app = app_with(tmp_path, hosted_zone_id="Z0123456789ABCDEFGHIJ")
    mail = stack_template(app, "AwsomeshopMailStack")
    mail.has_resource_properties("AWS::SES::EmailIdentity", {"EmailIdentity": "awsomeshop.example.com"})
    records = mail.find_resources("AWS::Route53::RecordSet")
    dkim = [r for r in records.values() if r["Properties"]["Type"] == "CNAME"]
    assert len(dkim) == 3  # Easy DKIM's three CNAMEs
    assert all(r["Properties"]["HostedZoneId"] == "Z0123456789ABCDEFGHIJ" for r in dkim)
    security = stack_template(app, "AwsomeshopSecurityStack")
    assert ":identity/awsomeshop.example.com" in json.dumps(security.to_json())


def test_a_sender_address_of_another_domain_is_refused(tmp_path):
    from config import ConfigError

    with pytest.raises(ConfigError, match="is an address at awsomeshop.example.com"):
        app_with(tmp_path, sender_email="rewards@elsewhere.example")


def test_bounces_and_complaints_go_through_sns_to_a_queue_with_a_dead_letter_queue(mail):
    mail.has_resource_properties(
        "AWS::SES::ConfigurationSetEventDestination",
        {
            "EventDestination": {
                "Enabled": True,
                "MatchingEventTypes": ["bounce", "complaint"],
                "SnsDestination": {"TopicARN": {"Ref": Match.string_like_regexp("MailEvents")}},
            }
        },
    )
    mail.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "sqs"})
    queues = {q["Properties"]["QueueName"]: q["Properties"] for q in mail.find_resources("AWS::SQS::Queue").values()}
    assert set(queues) == {"awsomeshop-mail-events", "awsomeshop-mail-events-dead-letters"}
    assert queues["awsomeshop-mail-events"]["RedrivePolicy"]["maxReceiveCount"] == 5
    assert all(q["SqsManagedSseEnabled"] for q in queues.values())


def test_the_sender_is_one_fargate_task_of_its_own_service(compute):
    compute.has_resource_properties(
        "AWS::ECS::Service",
        {
            "ServiceName": "awsomeshop-sender-service",
            "DesiredCount": 1,
            "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE", "Weight": 1}],
            "DeploymentConfiguration": Match.object_like({"MinimumHealthyPercent": 100, "MaximumPercent": 200}),
            "NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})},
        },
    )
    sender = container(compute, "awsomeshop-sender")
    assert sender["Command"] == ["python", "manage.py", "send_notifications", "--forever"]
    assert sender["StopTimeout"] == 30
    assert "PortMappings" not in sender
    environment = environment_of(compute, "awsomeshop-sender")
    assert environment["NOTIFICATIONS_METRICS"] == "cloudwatch"
    assert "SES_EVENTS_QUEUE_URL" in environment and environment["SES_CONFIGURATION_SET"] == "awsomeshop"
    assert (environment["DB_READ_TIMEOUT"], environment["DB_WRITE_TIMEOUT"]) == ("30", "30")


def test_every_task_has_the_sites_address_and_the_sender_and_the_web_sends_nothing(compute):
    families = [d["Properties"]["Family"] for d in compute.find_resources("AWS::ECS::TaskDefinition").values()]
    assert sorted(families) == [
        "awsomeshop-core-task",
        "awsomeshop-hr-summary",
        "awsomeshop-ledger-check",
        "awsomeshop-points-expiry",
        "awsomeshop-recognition-daily",
        "awsomeshop-sender",
    ]
    for family in families:
        environment = environment_of(compute, family)
        assert environment["SITE_URL"] == "https://awsomeshop.example.com"
        assert environment["DEFAULT_FROM_EMAIL"] == "AWSomeShop <rewards@awsomeshop.example.com>"
        # Production's default: only the sender sends (the settings refuse anything else).
        assert "NOTIFICATIONS_SEND_ON_COMMIT" not in environment


def test_hrs_summary_runs_every_working_morning(compute):
    properties = schedule_of(compute, "awsomeshop-hr-summary")["Properties"]
    assert properties["ScheduleExpression"] == "cron(0 8 ? * MON-FRI *)"
    assert properties["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert container(compute, "awsomeshop-hr-summary")["Command"] == ["python", "manage.py", "send_hr_summary"]


@pytest.mark.parametrize(
    ("name", "metric", "threshold", "comparison", "missing"),
    [
        ("awsomeshop-OutboxBacklog", "OutboxOldestUnsentSeconds", 300, "GreaterThanThreshold", "breaching"),
        ("awsomeshop-NotificationsFailed", "NotificationsFailed", 0, "GreaterThanThreshold", "notBreaching"),
        ("awsomeshop-SenderNotRunning", "RunningTaskCount", 1, "LessThanThreshold", "breaching"),
        (
            "awsomeshop-MailEventsUnread",
            "ApproximateNumberOfMessagesVisible",
            0,
            "GreaterThanThreshold",
            "notBreaching",
        ),
        ("awsomeshop-HrSummaryFailed", "TriggeredRules", 0, "GreaterThanThreshold", "notBreaching"),
        ("awsomeshop-MailBounceRate", "Reputation.BounceRate", 0.04, "GreaterThanThreshold", "notBreaching"),
        ("awsomeshop-MailComplaintRate", "Reputation.ComplaintRate", 0.0008, "GreaterThanThreshold", "notBreaching"),
    ],
)
def test_the_mail_alarms_notify_the_topic(monitoring, name, metric, threshold, comparison, missing):
    monitoring.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "AlarmName": name,
            "MetricName": metric,
            "Threshold": threshold,
            "ComparisonOperator": comparison,
            "TreatMissingData": missing,
            "AlarmActions": [{"Ref": Match.string_like_regexp("AlarmTopic")}],
        },
    )


def test_the_alarms_watch_the_metrics_the_sender_publishes(monitoring):
    import monitoring_stack
    import security_stack

    from notifications import sender

    assert security_stack.METRICS_NAMESPACE == sender.METRICS_NAMESPACE  # the grant's condition

    assert (
        monitoring_stack.METRICS_NAMESPACE,
        monitoring_stack.OLDEST_UNSENT_METRIC,
        monitoring_stack.FAILED_METRIC,
    ) == (
        sender.METRICS_NAMESPACE,
        sender.OLDEST_UNSENT_METRIC,
        sender.FAILED_METRIC,
    )
    (backlog,) = [
        a["Properties"]
        for a in monitoring.find_resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"]["AlarmName"] == "awsomeshop-OutboxBacklog"
    ]
    assert (backlog["Namespace"], backlog["Statistic"]) == ("AWSomeShop", "Maximum")
    rule_groups = [
        r["Properties"]["EventPattern"]["detail"]["group"]
        for r in monitoring.find_resources("AWS::Events::Rule").values()
    ]
    assert ["family:awsomeshop-hr-summary"] in rule_groups
