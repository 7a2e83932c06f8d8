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


def container(compute) -> dict:
    definition = next(iter(compute.find_resources("AWS::ECS::TaskDefinition").values()))
    (only,) = definition["Properties"]["ContainerDefinitions"]
    return only


def test_container_image_port_and_logs(compute):
    app = container(compute)
    assert app["PortMappings"] == [{"ContainerPort": 8000, "HostPort": 8000, "Protocol": "tcp"}]
    image = app["Image"]["Fn::Join"][1]
    assert ":latest" in image
    assert "Repository" in str(image)  # the awsomeshop ECR repository of the data stack
    assert app["LogConfiguration"]["LogDriver"] == "awslogs"
    compute.has_resource_properties(
        "AWS::Logs::LogGroup", {"LogGroupName": "/ecs/awsomeshop-core-task", "RetentionInDays": 30}
    )


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


def test_target_group_on_8000_health_checked_at_health(compute):
    compute.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "Port": 8000,
            "Protocol": "HTTP",
            "TargetType": "ip",
            "HealthCheckPath": "/health/",
            "Matcher": {"HttpCode": "200"},
        },
    )


def test_outputs_for_running_migrate_as_a_one_off_task(compute, network):
    assert {"PrivateSubnets", "TaskSecurityGroup"} <= set(network.find_outputs("*"))
    assert {"ClusterName", "TaskDefinitionArn", "ContainerName"} <= set(compute.find_outputs("*"))
