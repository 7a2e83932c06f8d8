"""[Compute, Load balancer] ECS Fargate: cluster, task definition, service with auto scaling,
behind an HTTPS application load balancer."""

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
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
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct
from data_stack import DATABASE_NAME, stack_suffix
from network_stack import APP_PORT, NetworkStack

CONTAINER_NAME = "awsomeshop-web"
HEALTH_CHECK_PATH = "/health/"
COOLDOWN = Duration.seconds(300)


class ComputeStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        network: NetworkStack,
        execution_role: iam.IRole,
        task_role: iam.IRole,
        db_secret: secretsmanager.ISecret,
        cognito_secret: secretsmanager.ISecret,
        django_secret: secretsmanager.ISecret,
        image_bucket: s3.IBucket,
        repository: ecr.IRepository,
        certificate: acm.ICertificate,
        domain_name: str,
        image_tag: str,
        database: rds.IDatabaseInstance,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            cluster_name="awsomeshop-cluster",
            vpc=network.vpc,
            enable_fargate_capacity_providers=True,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        self.log_group = logs.LogGroup(
            self,
            "AppLogs",
            log_group_name="/ecs/awsomeshop-core-task",
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
        self.container = self.task_definition.add_container(
            "App",
            container_name=CONTAINER_NAME,
            image=ecs.ContainerImage.from_ecr_repository(repository, tag=image_tag),
            port_mappings=[ecs.PortMapping(container_port=APP_PORT, host_port=APP_PORT)],
            logging=ecs.LogDrivers.aws_logs(stream_prefix="app", log_group=self.log_group),
            environment={
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
            },
            secrets={
                "SECRET_KEY": secret(django_secret),
                "DB_USER": secret(db_secret, "username"),
                "DB_PASSWORD": secret(db_secret, "password"),
                "COGNITO_USER_POOL_ID": secret(cognito_secret, "user_pool_id"),
                "COGNITO_APP_CLIENT_ID": secret(cognito_secret, "client_id"),
                "COGNITO_APP_CLIENT_SECRET": secret(cognito_secret, "client_secret"),
            },
        )
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
        )
        self._load_balancer_build(network, certificate)
        self._auto_scaling_build()
        self._outputs()

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
        scaling = self.service.auto_scale_task_count(min_capacity=2, max_capacity=10)
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
