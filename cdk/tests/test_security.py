"""[Security Architecture: IAM, Cognito, Certificate Manager]."""

from aws_cdk.assertions import Match


def test_user_pool_email_username_auto_verified(security):
    security.has_resource_properties(
        "AWS::Cognito::UserPool",
        {"UserPoolName": "awsomeshop-users", "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"]},
    )


def test_password_policy_min_8_upper_lower_digits_no_symbols(security):
    security.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "Policies": {
                "PasswordPolicy": Match.object_like(
                    {
                        "MinimumLength": 8,
                        "RequireUppercase": True,
                        "RequireLowercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": False,
                    }
                )
            }
        },
    )


def test_mfa_optional_and_recovery_by_email_only(security):
    security.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "MfaConfiguration": "OPTIONAL",
            "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        },
    )


def test_web_client_with_secret_password_and_refresh_flows(security):
    security.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "ClientName": "awsomeshop-web-client",
            "GenerateSecret": True,
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
    )


def test_tokens_access_and_id_1_hour_refresh_30_days(security):
    security.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "AccessTokenValidity": 60,
            "IdTokenValidity": 60,
            "RefreshTokenValidity": 43200,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"},
        },
    )


def test_hr_group(security):
    security.has_resource_properties("AWS::Cognito::UserPoolGroup", {"GroupName": "hr"})


def test_certificate_for_the_domain_and_wildcard_dns_validated_rsa_2048(security):
    security.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        {
            "DomainName": "awsomeshop.example.com",
            "SubjectAlternativeNames": ["*.awsomeshop.example.com"],
            "ValidationMethod": "DNS",
            "KeyAlgorithm": "RSA_2048",
        },
    )


def test_execution_role_has_the_ecs_managed_policy_and_reads_the_three_secrets(security):
    security.has_resource_properties(
        "AWS::IAM::Role",
        {
            "RoleName": "awsomeshop-ecs-execution-role",
            "ManagedPolicyArns": [
                Match.object_like(
                    {
                        "Fn::Join": Match.array_with(
                            [Match.array_with([Match.string_like_regexp("AmazonECSTaskExecutionRolePolicy")])]
                        )
                    }
                )
            ],
        },
    )
    policies = security.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": Match.string_like_regexp("EcsExecutionRole")}]}}
    )
    statements = [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    secret_reads = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    assert len(secret_reads) == 3


def test_task_role_may_call_cognito_admin_on_its_pool_only(security):
    policies = security.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": Match.string_like_regexp("EcsTaskRole")}]}}
    )
    statements = [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    (cognito,) = statements
    assert "UserPool" in str(cognito["Resource"])
    assert "*" not in str(cognito["Resource"])
    assert not any("s3:" in str(s["Action"]) for s in statements)  # S3 access is granted by the bucket policy


def test_the_web_client_has_no_oauth_flows_scopes_or_callbacks(security):
    (client,) = security.find_resources("AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    assert properties["AllowedOAuthFlowsUserPoolClient"] is False
    assert not {"AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs"} & set(properties)
    assert properties["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def test_ecs_service_linked_role_is_created_first_and_already_there_is_fine(app, security, compute):
    (resource,) = security.find_resources("Custom::AWS").values()
    create = str(resource["Properties"]["Create"])
    assert "createServiceLinkedRole" in create and "ecs.amazonaws.com" in create
    assert "InvalidInput" in create  # "has been taken": the role exists, nothing to do
    compute_stack = app.node.find_child("AwsomeshopComputeStack")
    security_stack = app.node.find_child("AwsomeshopSecurityStack")
    assert security_stack in compute_stack.dependencies


def test_secrets_named_as_in_the_spec(security):
    for name in ("awsomeshop/db", "awsomeshop/cognito", "awsomeshop/django"):
        security.has_resource_properties("AWS::SecretsManager::Secret", {"Name": name})
