import pytest

"""[ECS Fargate Configuration, Auto Scaling, Load balancer]."""

from aws_cdk.assertions import Match


def test_cluster_name_fargate_capacity_provider_and_container_insights(compute):
    compute.has_resource_properties(
        "AWS::ECS::Cluster",
        {"ClusterName": "awsomeshop-cluster", "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]},
    )
    compute.has_resource_properties(
        "AWS::ECS::ClusterCapacityProviderAssociations", {"CapacityProviders": Match.array_with(["FARGATE"])}
    )


def test_service_counts_deployment_and_circuit_breaker(compute):
    compute.has_resource_properties(
        "AWS::ECS::Service",
        {
            "ServiceName": "awsomeshop-core-service",
            "DesiredCount": 2,
            "PlatformVersion": "LATEST",
            "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE", "Weight": 1}],
            "DeploymentConfiguration": {
                "MaximumPercent": 200,
                "MinimumHealthyPercent": 50,
                "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
            },
            "NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})},
        },
    )


def test_task_definition_size_network_mode_and_roles(compute):
    compute.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "Family": "awsomeshop-core-task",
            "Cpu": "512",
            "Memory": "1024",
            "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"],
            "ExecutionRoleArn": Match.any_value(),
            "TaskRoleArn": Match.any_value(),
        },
    )


def container(compute, family: str = "awsomeshop-core-task") -> dict:
    (definition,) = [
        d for d in compute.find_resources("AWS::ECS::TaskDefinition").values() if d["Properties"]["Family"] == family
    ]
    (only,) = definition["Properties"]["ContainerDefinitions"]
    return only


def test_container_image_port_and_logs(compute):
    app = container(compute)
    assert app["PortMappings"] == [{"ContainerPort": 8000, "HostPort": 8000, "Protocol": "tcp"}]
    image = app["Image"]["Fn::Join"][1]
    assert ":git-sha-of-the-image" in image  # the tag from the context: the image's git commit
    assert "Repository" in str(image)  # the awsomeshop ECR repository of the data stack
    assert app["LogConfiguration"]["LogDriver"] == "awslogs"
    compute.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})


def test_container_environment_and_secrets(compute):
    app = container(compute)
    environment = {e["Name"]: e["Value"] for e in app["Environment"]}
    assert environment["AWS_REGION"] == "us-east-2"
    assert environment["LOG_LEVEL"] == "INFO"
    assert environment["DJANGO_ENV"] == "production"
    assert environment["AUTH_BACKEND"] == "cognito"
    assert environment["MEDIA_STORAGE"] == "s3"
    secrets = {s["Name"] for s in app["Secrets"]}
    assert secrets == {
        "SECRET_KEY",
        "DB_USER",
        "DB_PASSWORD",
        "COGNITO_USER_POOL_ID",
        "COGNITO_APP_CLIENT_ID",
        "COGNITO_APP_CLIENT_SECRET",
    }
    assert {"DB_HOST", "DB_PORT", "DB_NAME"} <= set(environment)


def test_scaling_between_two_and_ten_tasks(compute):
    compute.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {"MinCapacity": 2, "MaxCapacity": 10, "ScalableDimension": "ecs:service:DesiredCount"},
    )


def test_target_tracking_cpu_70_and_memory_80_with_300s_cooldowns(compute):
    for metric, target in (("ECSServiceAverageCPUUtilization", 70), ("ECSServiceAverageMemoryUtilization", 80)):
        compute.has_resource_properties(
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            {
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                    "TargetValue": target,
                    "ScaleInCooldown": 300,
                    "ScaleOutCooldown": 300,
                },
            },
        )


def test_step_scaling_adds_one_task_above_70_for_2_periods(compute):
    compute.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "StepScaling",
            "StepScalingPolicyConfiguration": Match.object_like(
                {
                    "AdjustmentType": "ChangeInCapacity",
                    "Cooldown": 300,
                    "StepAdjustments": [Match.object_like({"ScalingAdjustment": 1})],
                }
            ),
        },
    )
    compute.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Threshold": 70,
            "EvaluationPeriods": 2,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "MetricName": "CPUUtilization",
        },
    )


def test_step_scaling_removes_one_task_below_30_for_5_periods(compute):
    compute.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "StepScaling",
            "StepScalingPolicyConfiguration": Match.object_like(
                {
                    "AdjustmentType": "ChangeInCapacity",
                    "Cooldown": 300,
                    "StepAdjustments": [Match.object_like({"ScalingAdjustment": -1})],
                }
            ),
        },
    )
    compute.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Threshold": 30,
            "EvaluationPeriods": 5,
            "ComparisonOperator": "LessThanOrEqualToThreshold",
            "MetricName": "CPUUtilization",
        },
    )


def test_alb_is_internet_facing_with_access_logs(compute):
    compute.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {
            "Scheme": "internet-facing",
            "Type": "application",
            "LoadBalancerAttributes": Match.array_with(
                [
                    {"Key": "access_logs.s3.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.prefix", "Value": "access-logs"},
                ]
            ),
        },
    )


def test_https_listener_with_the_certificate_and_http_redirect(compute):
    compute.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener", {"Port": 443, "Protocol": "HTTPS", "Certificates": [Match.any_value()]}
    )
    compute.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [
                {"Type": "redirect", "RedirectConfig": {"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"}}
            ],
        },
    )


def test_target_group_on_8000_health_checked_at_liveness(compute):
    compute.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "Port": 8000,
            "Protocol": "HTTP",
            "TargetType": "ip",
            # Liveness, not the database: RDS maintenance must not take every target out of service.
            "HealthCheckPath": "/health/live/",
            "Matcher": {"HttpCode": "200"},
        },
    )


def test_outputs_for_running_migrate_as_a_one_off_task(compute, network):
    assert {"PrivateSubnets", "TaskSecurityGroup"} <= set(network.find_outputs("*"))
    assert {"ClusterName", "TaskDefinitionArn", "ContainerName"} <= set(compute.find_outputs("*"))


# --- Issue 18: a first deploy that works, a service that stays up ------------------------------
def test_connection_budget_stays_under_80_percent_of_max_connections(compute):
    """Every gunicorn thread may hold a database connection: at the scaling maximum the tasks
    (plus the nightly ledger check and a one-off migrate) stay under the RdsConnectionsHigh alarm."""
    from monitoring_stack import DB_T3_MICRO_MAX_CONNECTIONS

    (target,) = compute.find_resources("AWS::ApplicationAutoScaling::ScalableTarget").values()
    max_tasks = target["Properties"]["MaxCapacity"]
    environment = {e["Name"]: e["Value"] for e in container(compute)["Environment"]}
    per_task = int(environment["GUNICORN_WORKERS"]) * int(environment["GUNICORN_THREADS"])
    # One connection each: the sender, the ledger check, HR's summary and a migrate.
    one_off_tasks = 4

    assert max_tasks * per_task + one_off_tasks <= int(0.8 * DB_T3_MICRO_MAX_CONNECTIONS)


def test_the_tasks_carry_the_stacks_tags(compute):
    services = compute.find_resources("AWS::ECS::Service").values()
    assert len(services) == 2  # the web and the sender
    for service in services:
        assert service["Properties"]["PropagateTags"] == "SERVICE"
        assert service["Properties"]["EnableECSManagedTags"] is True
        tags = {t["Key"]: t["Value"] for t in service["Properties"]["Tags"]}
        assert {"Environment", "Project", "Owner"} <= set(tags)


def test_the_container_checks_liveness_without_the_database(compute):
    check = container(compute)["HealthCheck"]
    assert "/health/live/" in " ".join(check["Command"])


def test_only_fargate_and_the_service_waits_for_the_association(compute):
    (association_id, association), *others = compute.find_resources(
        "AWS::ECS::ClusterCapacityProviderAssociations"
    ).items()
    assert others == []
    assert association["Properties"]["CapacityProviders"] == ["FARGATE"]
    for service in compute.find_resources("AWS::ECS::Service").values():
        assert association_id in service["DependsOn"]
    for schedule in compute.find_resources("AWS::Scheduler::Schedule").values():
        assert association_id in schedule["DependsOn"]


def test_no_image_is_named_latest_and_the_log_group_has_no_fixed_name(compute):
    import json

    assert "latest" not in json.dumps(compute.to_json())
    (log_group,) = compute.find_resources("AWS::Logs::LogGroup").values()
    assert log_group["DeletionPolicy"] == "Retain" and "LogGroupName" not in log_group["Properties"]


def schedule_of(compute, family: str) -> dict:
    """The schedule that runs the task definition of `family`."""
    definitions = compute.find_resources("AWS::ECS::TaskDefinition")
    (logical_id,) = [key for key, d in definitions.items() if d["Properties"]["Family"] == family]
    (schedule,) = [
        s
        for s in compute.find_resources("AWS::Scheduler::Schedule").values()
        if logical_id in str(s["Properties"]["Target"]["EcsParameters"]["TaskDefinitionArn"])
    ]
    return schedule


def test_the_ledger_is_checked_every_night_on_fargate(compute):
    properties = schedule_of(compute, "awsomeshop-ledger-check")["Properties"]
    assert properties["ScheduleExpression"] == "cron(30 2 * * ? *)"
    target = properties["Target"]["EcsParameters"]
    assert target["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE", "Weight": 1}]
    definitions = compute.find_resources("AWS::ECS::TaskDefinition")
    (ledger,) = [d for d in definitions.values() if d["Properties"]["Family"] == "awsomeshop-ledger-check"]
    (ledger_container,) = ledger["Properties"]["ContainerDefinitions"]
    assert ledger_container["Command"] == ["python", "manage.py", "check_points_ledger"]
    # Whole-table reads wait longer than a web request's 5 s read timeout.
    environment = {item["Name"]: item["Value"] for item in ledger_container["Environment"]}
    assert environment["DB_READ_TIMEOUT"] == "600"


def test_milestones_and_allowance_reminders_run_every_morning_in_berlin(compute):
    properties = schedule_of(compute, "awsomeshop-recognition-daily")["Properties"]
    assert properties["ScheduleExpression"] == "cron(0 7 * * ? *)"
    assert properties["ScheduleExpressionTimezone"] == "Europe/Berlin"
    definitions = compute.find_resources("AWS::ECS::TaskDefinition")
    (job,) = [d for d in definitions.values() if d["Properties"]["Family"] == "awsomeshop-recognition-daily"]
    (container,) = job["Properties"]["ContainerDefinitions"]
    assert container["Command"] == ["python", "manage.py", "recognition_daily"]


def test_points_expire_every_night_before_the_ledger_check(compute):
    properties = schedule_of(compute, "awsomeshop-points-expiry")["Properties"]
    assert properties["ScheduleExpression"] == "cron(15 1 * * ? *)"  # 01:15 UTC, the check at 02:30
    assert properties["ScheduleExpressionTimezone"] == "Etc/UTC"
    definitions = compute.find_resources("AWS::ECS::TaskDefinition")
    (job,) = [d for d in definitions.values() if d["Properties"]["Family"] == "awsomeshop-points-expiry"]
    (container,) = job["Properties"]["ContainerDefinitions"]
    assert container["Command"] == ["python", "manage.py", "expire_points"]
    environment = {item["Name"]: item["Value"] for item in container["Environment"]}
    # Off unless the deploy values switch it on; the web tasks have the same values.
    assert (environment["POINTS_EXPIRY_MONTHS"], environment["POINTS_EXPIRY_STARTS"]) == ("0", "")
    (web,) = [d for d in definitions.values() if d["Properties"]["Family"] == "awsomeshop-core-task"]
    web_environment = {
        item["Name"]: item["Value"] for item in web["Properties"]["ContainerDefinitions"][0]["Environment"]
    }
    assert web_environment["POINTS_EXPIRY_MONTHS"] == "0"


@pytest.mark.parametrize(
    ("months", "starts", "message"),
    [
        ("12", "", "needs points_expiry_starts"),
        ("12", "1 Jan 2027", "needs points_expiry_starts"),
        ("121", "2027-01-01", "0 \\(off\\) to 120"),
        ("-1", "", "0 \\(off\\) to 120"),
        ("60", "9995-06-01", "needs points_expiry_starts"),
    ],
)
def test_a_points_expiry_the_app_would_refuse_stops_the_synth(tmp_path, months, starts, message):
    from config import DEFAULTS, OFFLINE_SYNTH, ConfigError, DeployConfig

    values = {**DEFAULTS, "points_expiry_months": months, "points_expiry_starts": starts}
    with pytest.raises(ConfigError, match=message):
        DeployConfig(**values).check(placeholders_allowed=True)
    assert OFFLINE_SYNTH


def test_points_expiry_switched_on_reaches_every_task():
    from config import DEFAULTS, DeployConfig

    config = DeployConfig(**{**DEFAULTS, "points_expiry_months": "24", "points_expiry_starts": "2027-01-01"})
    config.check(placeholders_allowed=True)

    assert config.app_settings == {"POINTS_EXPIRY_MONTHS": "24", "POINTS_EXPIRY_STARTS": "2027-01-01"}


def test_a_deploy_with_placeholder_values_stops_with_a_clear_message(tmp_path):
    from aws_cdk import App
    from config import DEFAULTS, ConfigError
    from main import build_app

    with pytest.raises(ConfigError, match="still the placeholders: account, domain_name, alarm_email, image_tag"):
        build_app(App(outdir=str(tmp_path), context=dict(DEFAULTS)))  # what the CDK CLI passes, no offline flag


def test_latest_is_refused_as_an_image_tag(tmp_path):
    from config import ConfigError
    from conftest import app_with

    with pytest.raises(ConfigError, match="never the mutable `latest`"):
        app_with(tmp_path, image_tag="latest")
