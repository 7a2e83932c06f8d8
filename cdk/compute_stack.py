"""[Compute, Load balancer] ECS Fargate: cluster, task definition, service with auto scaling,
behind an HTTPS application load balancer; and the nightly ledger check as a scheduled task."""

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack, TimeZone
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, IDependable
from data_stack import DATABASE_NAME, stack_suffix
from mail_stack import CONFIGURATION_SET
from nag import accept, accept_matching
from network_stack import APP_PORT, NetworkStack

CONTAINER_NAME = "awsomeshop-web"
# Liveness: the process is up and serves. Not /health/ (readiness: it asks the database): during
# RDS maintenance every target would turn unhealthy and ECS would replace every task, again and
# again, instead of the app answering 503s until the database is back.
HEALTH_CHECK_PATH = "/health/live/"
# Seconds the nightly ledger check may wait on one query (the web tasks wait at most 5).
LEDGER_CHECK_READ_TIMEOUT = "600"
COOLDOWN = Duration.seconds(300)
MIN_TASKS, MAX_TASKS = 2, 10
# gunicorn in each task (gunicorn.conf.py reads them): every thread may hold one database
# connection, so MAX_TASKS × workers × threads is the app's connection budget (tests/test_compute.py
# holds it under 80 % of the instance's max_connections; docs/scaling.md).
GUNICORN_WORKERS, GUNICORN_THREADS = 1, 4
LEDGER_CHECK_FAMILY = "awsomeshop-ledger-check"
POINTS_EXPIRY_FAMILY = "awsomeshop-points-expiry"
HR_SUMMARY_FAMILY = "awsomeshop-hr-summary"
RECOGNITION_DAILY_FAMILY = "awsomeshop-recognition-daily"
SENDER_FAMILY = "awsomeshop-sender"
SENDER_SERVICE = "awsomeshop-sender-service"
SENDER_DB_TIMEOUT = "30"


class ComputeStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        network: NetworkStack,
        execution_role: iam.IRole,
        task_role: iam.IRole,
        sender_role: iam.IRole,
        db_secret: secretsmanager.ISecret,
        cognito_secret: secretsmanager.ISecret,
        django_secret: secretsmanager.ISecret,
        image_bucket: s3.IBucket,
        repository: ecr.IRepository,
        certificate: acm.ICertificate,
        domain_name: str,
        image_tag: str,
        database: rds.IDatabaseInstance,
        ecs_service_linked_role: IDependable,
        site_url: str,
        sender: str,
        app_settings: dict[str, str] | None = None,
        mail_events_queue_url: str,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            cluster_name="awsomeshop-cluster",
            vpc=network.vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        # In a fresh account ECS's service-linked role must exist before the first cluster.
        self.cluster.node.add_dependency(ecs_service_linked_role)
        # FARGATE only (the spec asks for no Spot), declared here so the service and the schedule
        # can depend on it: created before them, deleted after them on `cdk destroy`. The id keeps
        # the logical id CDK's own association had, so an existing stack updates it in place.
        self.capacity_providers = ecs.CfnClusterCapacityProviderAssociations(
            self.cluster,
            "Cluster",
            cluster=self.cluster.cluster_name,
            capacity_providers=["FARGATE"],
            default_capacity_provider_strategy=[
                ecs.CfnClusterCapacityProviderAssociations.CapacityProviderStrategyProperty(
                    capacity_provider="FARGATE", weight=1
                )
            ],
        )
        # No fixed name: the group is kept when the stack is destroyed, and a fixed name would make
        # the next deploy fail with AlreadyExists. Its name is a stack output.
        self.log_group = logs.LogGroup(
            self,
            "AppLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            family="awsomeshop-core-task",
            cpu=512,
            memory_limit_mib=1024,
            execution_role=execution_role,
            task_role=task_role,
        )
        secret = ecs.Secret.from_secrets_manager
        # The app's settings and secrets, the same for the web service and the scheduled tasks.
        self.app_environment = {
            "AWS_REGION": self.region,
            "LOG_LEVEL": "INFO",
            "DJANGO_ENV": "production",
            "ALLOWED_HOSTS": f"{domain_name},.{domain_name}",
            "AUTH_BACKEND": "cognito",
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": image_bucket.bucket_name,
            "DB_HOST": database.db_instance_endpoint_address,
            "DB_PORT": database.db_instance_endpoint_port,
            "DB_NAME": DATABASE_NAME,
            # E-mails' links and sender; production refuses to start without them.
            "SITE_URL": site_url,
            "DEFAULT_FROM_EMAIL": sender,
            "SES_CONFIGURATION_SET": CONFIGURATION_SET,
            **(app_settings or {}),
        }
        self.app_secrets = {
            "SECRET_KEY": secret(django_secret),
            "DB_USER": secret(db_secret, "username"),
            "DB_PASSWORD": secret(db_secret, "password"),
            "COGNITO_USER_POOL_ID": secret(cognito_secret, "user_pool_id"),
            "COGNITO_APP_CLIENT_ID": secret(cognito_secret, "client_id"),
            "COGNITO_APP_CLIENT_SECRET": secret(cognito_secret, "client_secret"),
        }
        self.image = ecs.ContainerImage.from_ecr_repository(repository, tag=image_tag)
        self.container = self.task_definition.add_container(
            "App",
            container_name=CONTAINER_NAME,
            image=self.image,
            port_mappings=[ecs.PortMapping(container_port=APP_PORT, host_port=APP_PORT)],
            logging=ecs.LogDrivers.aws_logs(stream_prefix="app", log_group=self.log_group),
            environment={
                **self.app_environment,
                "GUNICORN_WORKERS": str(GUNICORN_WORKERS),
                "GUNICORN_THREADS": str(GUNICORN_THREADS),
            },
            secrets=self.app_secrets,
            # The image has no curl; Python asks the liveness endpoint, as the ALB does.
            health_check=ecs.HealthCheck(
                command=[
                    "CMD",
                    "python",
                    "-c",
                    "import sys, urllib.request; "
                    f"sys.exit(urllib.request.urlopen('http://127.0.0.1:{APP_PORT}{HEALTH_CHECK_PATH}', timeout=4)"
                    ".status != 200)",
                ],
                interval=Duration.seconds(30),
                timeout=Duration.seconds(5),
                retries=3,
                start_period=Duration.seconds(30),
            ),
        )
        accept(self.task_definition, ("ECS2", "Plain settings only; passwords and keys come from Secrets Manager."))
        self.service = ecs.FargateService(
            self,
            "Service",
            service_name="awsomeshop-core-service",
            cluster=self.cluster,
            task_definition=self.task_definition,
            desired_count=2,
            min_healthy_percent=50,
            max_healthy_percent=200,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            platform_version=ecs.FargatePlatformVersion.LATEST,
            capacity_provider_strategies=[ecs.CapacityProviderStrategy(capacity_provider="FARGATE", weight=1)],
            security_groups=[network.ecs_sg],
            vpc_subnets=ec2.SubnetSelection(subnets=network.private_subnets),
            assign_public_ip=False,
            health_check_grace_period=Duration.seconds(60),
            # The tasks carry the stack's tags (Environment, Project, Owner): Fargate is the
            # largest line of the bill, and cost allocation reads the tags of the tasks.
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
            enable_ecs_managed_tags=True,
        )
        self.service.node.add_dependency(self.capacity_providers)
        self._load_balancer_build(network, certificate)
        self._auto_scaling_build()
        self._scheduled_tasks_build(network, execution_role, task_role)
        self._sender_build(network, execution_role, sender_role, mail_events_queue_url)
        self._outputs()

    def _scheduled_task(
        self,
        network: NetworkStack,
        *,
        name: str,
        family: str,
        command: list[str],
        cron: scheduler.ScheduleExpression,
        description: str,
        execution_role: iam.IRole,
        task_role: iam.IRole,
        environment: dict[str, str] | None = None,
    ) -> ecs.FargateTaskDefinition:
        """A command of the app's image run on a schedule as a task of its own. It exits non-zero
        on a problem; the monitoring stack's rule sees the stopped task and alarms."""
        task_definition = ecs.FargateTaskDefinition(
            self,
            f"{name}TaskDefinition",
            family=family,
            cpu=256,
            memory_limit_mib=512,
            execution_role=execution_role,
            task_role=task_role,
        )
        accept(task_definition, ("ECS2", "Plain settings only; passwords and keys come from Secrets Manager."))
        task_definition.add_container(
            name,
            container_name=family,
            image=self.image,
            command=command,
            logging=ecs.LogDrivers.aws_logs(stream_prefix=family.removeprefix("awsomeshop-"), log_group=self.log_group),
            environment={**self.app_environment, **(environment or {})},
            secrets=self.app_secrets,
        )
        schedule = scheduler.Schedule(
            self,
            f"{name}Schedule",
            schedule=cron,
            description=description,
            target=scheduler_targets.EcsRunFargateTask(
                self.cluster,
                task_definition=task_definition,
                vpc_subnets=ec2.SubnetSelection(subnets=network.private_subnets),
                security_groups=[network.ecs_sg],
                assign_public_ip=False,
                capacity_provider_strategies=[ecs.CapacityProviderStrategy(capacity_provider="FARGATE", weight=1)],
                propagate_tags=True,
                enable_ecs_managed_tags=True,
                retry_attempts=2,
            ),
        )
        schedule.node.add_dependency(self.capacity_providers)
        return task_definition

    def _scheduled_tasks_build(self, network: NetworkStack, execution_role: iam.IRole, task_role: iam.IRole) -> None:
        self.ledger_check_task_definition = self._scheduled_task(
            network,
            name="LedgerCheck",
            family=LEDGER_CHECK_FAMILY,
            command=["python", "manage.py", "check_points_ledger"],
            cron=scheduler.ScheduleExpression.cron(minute="30", hour="2", time_zone=TimeZone.ETC_UTC),
            description="check_points_ledger, nightly at 02:30 UTC, before the 03:00 backup window",
            execution_role=execution_role,
            task_role=task_role,
            # Its queries read whole tables: the web's 5 s read timeout is for requests.
            environment={"DB_READ_TIMEOUT": LEDGER_CHECK_READ_TIMEOUT},
        )
        # Lapses points past their date and writes the reminders to the outbox; nothing when expiry is
        # off (POINTS_EXPIRY_MONTHS). Before the ledger check, which then sees its rows.
        self.points_expiry_task_definition = self._scheduled_task(
            network,
            name="PointsExpiry",
            family=POINTS_EXPIRY_FAMILY,
            command=["python", "manage.py", "expire_points"],
            cron=scheduler.ScheduleExpression.cron(minute="15", hour="1", time_zone=TimeZone.ETC_UTC),
            description="expire_points, nightly at 01:15 UTC, before the ledger check: lapsed lots and reminders",
            execution_role=execution_role,
            task_role=task_role,
            environment={"DB_READ_TIMEOUT": LEDGER_CHECK_READ_TIMEOUT},
        )
        # Milestones that award themselves and the allowance reminder, in the morning in Berlin (the
        # company's day has begun everywhere it works); each milestone once, however often it runs.
        self.recognition_daily_task_definition = self._scheduled_task(
            network,
            name="RecognitionDaily",
            family=RECOGNITION_DAILY_FAMILY,
            command=["python", "manage.py", "recognition_daily"],
            cron=scheduler.ScheduleExpression.cron(minute="0", hour="7", time_zone=TimeZone.EUROPE_BERLIN),
            description="recognition_daily, every day at 07:00 Berlin time: milestones and allowance reminders",
            execution_role=execution_role,
            task_role=task_role,
        )
        # It writes HR's summary to the outbox (the sender sends it): the web tasks' role will do.
        self.hr_summary_task_definition = self._scheduled_task(
            network,
            name="HrSummary",
            family=HR_SUMMARY_FAMILY,
            command=["python", "manage.py", "send_hr_summary"],
            cron=scheduler.ScheduleExpression.cron(
                minute="0", hour="8", week_day="MON-FRI", time_zone=TimeZone.EUROPE_BERLIN
            ),
            description="send_hr_summary, working days at 08:00 Berlin time: e-mails that failed, for HR",
            execution_role=execution_role,
            task_role=task_role,
        )
        for child in self.node.children:
            if child.node.id.startswith("SchedulerRoleForTarget"):
                # The finding names the region, the account and the cluster's logical id.
                accept_matching(
                    child,
                    "IAM5",
                    r"Resource::arn:<AWS::Partition>:ecs:.*:task/.*/\*",
                    "CDK's scheduler role may tag the tasks it starts, which have no ARN until then.",
                )

    def _sender_build(
        self, network: NetworkStack, execution_role: iam.IRole, sender_role: iam.IRole, mail_events_queue_url: str
    ) -> None:
        """The notification sender: `send_notifications --forever` as one task of its own service.
        Its own service rather than a second container in the web task: the web scales from 2 to
        10 tasks and mail needs one sender (ten would only poll the outbox ten times over); a
        sender that crashes restarts alone, never taking a web task's health or a deploy's
        circuit breaker with it; and its role is the only one that may send mail. It costs one
        0.25 vCPU task (about $9 a month, docs/deploy.md)."""
        self.sender_task_definition = ecs.FargateTaskDefinition(
            self,
            "SenderTaskDefinition",
            family=SENDER_FAMILY,
            cpu=256,
            memory_limit_mib=512,
            execution_role=execution_role,
            task_role=sender_role,
        )
        accept(
            self.sender_task_definition, ("ECS2", "Plain settings only; passwords and keys come from Secrets Manager.")
        )
        self.sender_task_definition.add_container(
            "Sender",
            container_name=SENDER_FAMILY,
            image=self.image,
            command=["python", "manage.py", "send_notifications", "--forever"],
            logging=ecs.LogDrivers.aws_logs(stream_prefix="sender", log_group=self.log_group),
            environment={
                **self.app_environment,
                "SES_EVENTS_QUEUE_URL": mail_events_queue_url,
                "NOTIFICATIONS_METRICS": "cloudwatch",
                # A loop of short statements: wait no longer than a request would, not the 600 s
                # manage.py gives one-off commands.
                "DB_READ_TIMEOUT": SENDER_DB_TIMEOUT,
                "DB_WRITE_TIMEOUT": SENDER_DB_TIMEOUT,
            },
            secrets=self.app_secrets,
            # ECS sends SIGTERM, then SIGKILL after this: the message in hand goes out, the rest of
            # the batch goes back to the outbox.
            stop_timeout=Duration.seconds(30),
        )
        self.sender_service = ecs.FargateService(
            self,
            "SenderService",
            service_name=SENDER_SERVICE,
            cluster=self.cluster,
            task_definition=self.sender_task_definition,
            desired_count=1,
            # Two senders at once are safe (each row is claimed by one): a deploy starts the new one
            # before stopping the old, so mail never waits on a deploy.
            min_healthy_percent=100,
            max_healthy_percent=200,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            platform_version=ecs.FargatePlatformVersion.LATEST,
            capacity_provider_strategies=[ecs.CapacityProviderStrategy(capacity_provider="FARGATE", weight=1)],
            security_groups=[network.ecs_sg],
            vpc_subnets=ec2.SubnetSelection(subnets=network.private_subnets),
            assign_public_ip=False,
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
            enable_ecs_managed_tags=True,
        )
        self.sender_service.node.add_dependency(self.capacity_providers)

    def _load_balancer_build(self, network: NetworkStack, certificate: acm.ICertificate) -> None:
        self.logs_bucket = s3.Bucket(
            self,
            "AlbLogs",
            bucket_name=f"awsomeshop-alb-logs-{stack_suffix(self)}",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        accept(self.logs_bucket, ("S1", "It is the log bucket: the ALB writes its access logs here."))
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            load_balancer_name="awsomeshop-alb",
            vpc=network.vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnets=network.public_subnets),
            security_group=network.alb_sg,
            drop_invalid_header_fields=True,
        )
        self.load_balancer.log_access_logs(self.logs_bucket, prefix="access-logs")
        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "TargetGroup",
            vpc=network.vpc,
            port=APP_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[self.service],
            health_check=elbv2.HealthCheck(
                path=HEALTH_CHECK_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(30),
                timeout=Duration.seconds(5),
            ),
            deregistration_delay=Duration.seconds(30),
        )
        self.https_listener = self.load_balancer.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[certificate],
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            default_target_groups=[self.target_group],
            open=False,
        )
        self.load_balancer.add_redirect(source_port=80, target_port=443, open=False)

    def _auto_scaling_build(self) -> None:
        scaling = self.service.auto_scale_task_count(min_capacity=MIN_TASKS, max_capacity=MAX_TASKS)
        scaling.scale_on_cpu_utilization(
            "CpuTarget", target_utilization_percent=70, scale_in_cooldown=COOLDOWN, scale_out_cooldown=COOLDOWN
        )
        scaling.scale_on_memory_utilization(
            "MemoryTarget", target_utilization_percent=80, scale_in_cooldown=COOLDOWN, scale_out_cooldown=COOLDOWN
        )
        cpu = self.service.metric_cpu_utilization(period=Duration.minutes(1))
        # The spec's step policies: > 70 % for 2 periods adds a task, < 30 % for 5 periods removes one.
        scaling.scale_on_metric(
            "CpuStepOut",
            metric=cpu,
            scaling_steps=[
                appscaling.ScalingInterval(upper=70, change=0),
                appscaling.ScalingInterval(lower=70, change=+1),
            ],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            evaluation_periods=2,
            cooldown=COOLDOWN,
        )
        scaling.scale_on_metric(
            "CpuStepIn",
            metric=cpu,
            scaling_steps=[
                appscaling.ScalingInterval(upper=30, change=-1),
                appscaling.ScalingInterval(lower=30, change=0),
            ],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            evaluation_periods=5,
            cooldown=COOLDOWN,
        )

    def _outputs(self) -> None:
        # What `aws ecs run-task` needs to run `manage.py migrate` as a one-off task (docs/deploy.md);
        # the subnets and security group are outputs of the network stack.
        CfnOutput(self, "ClusterName", value=self.cluster.cluster_name)
        CfnOutput(self, "TaskDefinitionArn", value=self.task_definition.task_definition_arn)
        CfnOutput(self, "ContainerName", value=CONTAINER_NAME)
        CfnOutput(self, "LoadBalancerDns", value=self.load_balancer.load_balancer_dns_name)
        CfnOutput(self, "LogGroupName", value=self.log_group.log_group_name)
