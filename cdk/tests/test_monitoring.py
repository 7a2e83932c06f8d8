"""[Monitoring and Observability]: topic, alarms, dashboard, billing, tags."""

import pytest
from aws_cdk.assertions import Match


def test_alarm_topic_with_email_subscription(monitoring):
    monitoring.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@awsomeshop.example.com"}
    )


@pytest.mark.parametrize(
    ("name", "metric", "threshold", "periods", "comparison", "period"),
    [
        ("awsomeshop-EcsCpuHigh", "CPUUtilization", 80, 2, "GreaterThanThreshold", 300),
        ("awsomeshop-EcsMemoryHigh", "MemoryUtilization", 85, 2, "GreaterThanThreshold", 300),
        ("awsomeshop-EcsNoRunningTask", "RunningTaskCount", 1, 1, "LessThanThreshold", 60),
        ("awsomeshop-RdsConnectionsHigh", "DatabaseConnections", 53, 1, "GreaterThanThreshold", 300),
        ("awsomeshop-RdsCpuHigh", "CPUUtilization", 80, 1, "GreaterThanThreshold", 300),
        ("awsomeshop-RdsFreeStorageLow", "FreeStorageSpace", 2 * 1024**3, 1, "LessThanThreshold", 300),
        ("awsomeshop-AlbResponseTimeHigh", "TargetResponseTime", 5, 1, "GreaterThanThreshold", 300),
        ("awsomeshop-AlbNoHealthyHost", "HealthyHostCount", 1, 1, "LessThanThreshold", 60),
    ],
)
def test_every_alarm_of_the_spec_notifies_the_topic(monitoring, name, metric, threshold, periods, comparison, period):
    monitoring.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "AlarmName": name,
            "MetricName": metric,
            "Threshold": threshold,
            "EvaluationPeriods": periods,
            "ComparisonOperator": comparison,
            "Period": period,
            "AlarmActions": [{"Ref": Match.string_like_regexp("AlarmTopic")}],
        },
    )


def test_the_5xx_alarm_counts_the_targets_and_the_load_balancers_own_errors(monitoring):
    (alarm,) = [
        a["Properties"]
        for a in monitoring.find_resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"]["AlarmName"] == "awsomeshop-Alb5xxErrors"
    ]
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    names = {m["MetricStat"]["Metric"]["MetricName"] for m in metrics.values() if "MetricStat" in m}
    assert names == {"HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"}
    (expression,) = [m for m in metrics.values() if "Expression" in m]
    assert expression["Expression"] == "FILL(targets, 0) + FILL(alb, 0)"
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["ComparisonOperator"]) == (
        10,
        1,
        "GreaterThanThreshold",
    )
    assert [action["Ref"][: len("AlarmTopic")] for action in alarm["AlarmActions"]] == ["AlarmTopic"]


def test_no_billing_alarm_sits_below_the_monthly_baseline(billing):
    from monitoring_stack import BILLING_THRESHOLDS_USD

    baseline = 125  # docs/deploy.md, "Monthly cost estimate"
    thresholds = [a["Properties"]["Threshold"] for a in billing.find_resources("AWS::CloudWatch::Alarm").values()]
    assert sorted(thresholds) == list(BILLING_THRESHOLDS_USD)
    assert min(thresholds) > baseline


def test_rds_connection_threshold_is_80_percent_of_db_t3_micro_max_connections():
    from monitoring_stack import DB_CONNECTIONS_ALARM, DB_T3_MICRO_MAX_CONNECTIONS

    assert DB_CONNECTIONS_ALARM == round(0.8 * DB_T3_MICRO_MAX_CONNECTIONS) == 53


def test_dashboard_shows_the_same_metrics(monitoring):
    dashboard = next(iter(monitoring.find_resources("AWS::CloudWatch::Dashboard").values()))
    body = str(dashboard["Properties"]["DashboardBody"])
    for metric in (
        "CPUUtilization",
        "MemoryUtilization",
        "RunningTaskCount",
        "DatabaseConnections",
        "FreeStorageSpace",
        "TargetResponseTime",
        "HTTPCode_Target_5XX_Count",
        "HealthyHostCount",
    ):
        assert metric in body


@pytest.mark.parametrize("threshold", [150, 200, 300])
def test_billing_alarms_in_us_east_1(app, billing, threshold):
    assert app.node.find_child("AwsomeshopBillingStack").region == "us-east-1"
    billing.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/Billing",
            "MetricName": "EstimatedCharges",
            "Dimensions": [{"Name": "Currency", "Value": "USD"}],
            "Threshold": threshold,
            "AlarmActions": [{"Ref": Match.string_like_regexp("AlarmTopic")}],
        },
    )


@pytest.mark.parametrize("stack", ["network", "security", "data", "compute", "monitoring", "billing"])
def test_tags_environment_project_owner_on_everything(request, stack):
    template = request.getfixturevalue(stack)
    tagged = (
        template.find_resources("AWS::EC2::VPC")
        or template.find_resources("AWS::SNS::Topic")
        or template.find_resources("AWS::Cognito::UserPool")
        or template.find_resources("AWS::RDS::DBInstance")
        or template.find_resources("AWS::ECS::Cluster")
    )
    assert tagged
    for resource in tagged.values():
        tags = resource["Properties"].get("Tags") or resource["Properties"].get("UserPoolTags")
        pairs = {t["Key"]: t["Value"] for t in tags} if isinstance(tags, list) else tags
        assert {"Environment": "production", "Project": "AWSomeShop", "Owner": "platform-team"}.items() <= pairs.items()


def test_a_failed_points_expiry_job_alarms(monitoring):
    rules = monitoring.find_resources("AWS::Events::Rule").values()
    (rule,) = [
        r for r in rules if r["Properties"]["EventPattern"]["detail"]["group"] == ["family:awsomeshop-points-expiry"]
    ]
    assert {"containers": {"exitCode": [{"anything-but": 0}]}} in rule["Properties"]["EventPattern"]["detail"]["$or"]
    monitoring.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"AlarmName": "awsomeshop-PointsExpiryFailed", "MetricName": "TriggeredRules", "Threshold": 0},
    )


def test_a_failed_recognition_daily_job_alarms(monitoring):
    rules = monitoring.find_resources("AWS::Events::Rule").values()
    (rule,) = [
        r
        for r in rules
        if r["Properties"]["EventPattern"]["detail"]["group"] == ["family:awsomeshop-recognition-daily"]
    ]
    assert {"containers": {"exitCode": [{"anything-but": 0}]}} in rule["Properties"]["EventPattern"]["detail"]["$or"]
    monitoring.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"AlarmName": "awsomeshop-RecognitionDailyFailed", "MetricName": "TriggeredRules", "Threshold": 0},
    )


def test_a_failed_nightly_ledger_check_alarms(monitoring):
    groups = {
        rule["Properties"]["EventPattern"]["detail"]["group"][0]: rule["Properties"]["EventPattern"]
        for rule in monitoring.find_resources("AWS::Events::Rule").values()
    }
    assert set(groups) == {
        "family:awsomeshop-ledger-check",
        "family:awsomeshop-hr-summary",
        "family:awsomeshop-points-expiry",
        "family:awsomeshop-recognition-daily",
    }
    pattern = groups["family:awsomeshop-ledger-check"]
    assert {"containers": {"exitCode": [{"anything-but": 0}]}} in pattern["detail"]["$or"]
    monitoring.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "AlarmName": "awsomeshop-LedgerCheckFailed",
            "Namespace": "AWS/Events",
            "MetricName": "TriggeredRules",
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
        },
    )
