"""[Security] Cognito (users and the web client), the secrets the tasks read, the ECS roles,
ECS's service-linked role, and the TLS certificate."""

import resource_values as values
from aws_cdk import Duration, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import custom_resources as cr
from constructs import Construct
from nag import accept, accept_at

# The Cognito calls the app makes that IAM authorizes: provisioning an employee (AdminCreateUser,
# AdminGetUser) and syncing the pool (ListUsers, ListUsersInGroup). Sign-in, challenges and
# password reset are public client calls with no IAM. cdk/tests/test_iam_from_code.py reads the
# calls from accounts/cognito.py and fails when this list and the code disagree.
COGNITO_ADMIN_ACTIONS = [
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminGetUser",
    "cognito-idp:ListUsers",
    "cognito-idp:ListUsersInGroup",
]
ECS_SERVICE_LINKED_ROLE = "AWSServiceRoleForECS"
# The sender's calls (notifications/: django-ses, aws.py). cdk/tests/test_iam_from_code.py reads
# them from the code and fails when these and the code disagree. Sending is scoped to the
# identity and the configuration set; the quota (django-ses's throttle) has no resource to scope
# to; the metrics are scoped to the app's namespace by condition.
SENDER_SEND_ACTIONS = ["ses:SendRawEmail"]
SENDER_QUOTA_ACTIONS = ["ses:GetSendQuota"]
SENDER_QUEUE_ACTIONS = ["sqs:DeleteMessage", "sqs:ReceiveMessage"]
SENDER_METRIC_ACTIONS = ["cloudwatch:PutMetricData"]
METRICS_NAMESPACE = "AWSomeShop"


class SecurityStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain_name: str,
        mail_identity: str,
        mail_configuration_set: str,
        mail_events_queue: str,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self._user_pool_build()
        self._secrets_build()
        self._roles_build()
        self._sender_role_build(mail_identity, mail_configuration_set, mail_events_queue)
        self._ecs_service_linked_role_build()
        self.certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=domain_name,
            subject_alternative_names=[f"*.{domain_name}"],
            validation=acm.CertificateValidation.from_dns(),
            key_algorithm=acm.KeyAlgorithm.RSA_2048,
        )

    def _user_pool_build(self) -> None:
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=values.USER_POOL_NAME,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            self_sign_up_enabled=False,  # HR provisions employees
            password_policy=cognito.PasswordPolicy(
                min_length=values.PASSWORD_MIN_LENGTH,
                **{f"require_{what}": required for what, required in values.PASSWORD_REQUIRES.items()},
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.user_pool_client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=values.WEB_CLIENT_NAME,
            generate_secret=True,
            auth_flows=cognito.AuthFlow(user_password=True),
            access_token_validity=Duration.hours(values.ACCESS_TOKEN_HOURS),
            id_token_validity=Duration.hours(values.ID_TOKEN_HOURS),
            refresh_token_validity=Duration.days(values.REFRESH_TOKEN_DAYS),
            prevent_user_existence_errors=True,
            # The app signs in with USER_PASSWORD_AUTH; no hosted UI, so no OAuth flows, scopes or
            # callback URLs for anyone to misuse.
            disable_o_auth=True,
        )
        accept(
            self.user_pool,
            ("COG1", "The spec's password policy: 8 characters, upper case, lower case and digits; no symbols."),
            ("COG2", "The spec makes MFA optional (TOTP for those who turn it on)."),
            ("COG8", "Threat protection needs Cognito's Plus plan, billed per user; not in the spec's budget."),
        )
        cognito.CfnUserPoolGroup(
            self,
            "HrGroup",
            user_pool_id=self.user_pool.user_pool_id,
            group_name=values.HR_GROUP,
            description="HR staff",
        )

    def _secrets_build(self) -> None:
        self.db_secret = secretsmanager.Secret(
            self,
            "DatabaseSecret",
            secret_name="awsomeshop/db",
            description="AWSomeShop MySQL user and password",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"username": "awsomeshop"}',
                generate_string_key="password",
                exclude_punctuation=True,
                password_length=32,
            ),
        )
        self.cognito_secret = secretsmanager.Secret(
            self,
            "CognitoSecret",
            secret_name="awsomeshop/cognito",
            description="AWSomeShop Cognito user pool and web client",
            secret_object_value={
                "user_pool_id": SecretValue.unsafe_plain_text(self.user_pool.user_pool_id),
                "client_id": SecretValue.unsafe_plain_text(self.user_pool_client.user_pool_client_id),
                "client_secret": self.user_pool_client.user_pool_client_secret,
            },
        )
        self.django_secret = secretsmanager.Secret(
            self,
            "DjangoSecret",
            secret_name="awsomeshop/django",
            description="AWSomeShop Django SECRET_KEY",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
        )
        rotation = "Rotated by hand for now (docs/deploy.md): automatic rotation needs a rotation function "
        accept(self.db_secret, ("SMG4", rotation + "and the tasks to restart with the new password."))
        accept(self.django_secret, ("SMG4", rotation + "and would sign every user out."))
        accept(self.cognito_secret, ("SMG4", "Holds the pool's ids and client secret; rotated by a new app client."))

    def _roles_build(self) -> None:
        self.execution_role = iam.Role(
            self,
            "EcsExecutionRole",
            role_name="awsomeshop-ecs-execution-role",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            managed_policies=[
                # ECR image pull and CloudWatch Logs writes.
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonECSTaskExecutionRolePolicy")
            ],
        )
        for secret in (self.db_secret, self.cognito_secret, self.django_secret):
            secret.grant_read(self.execution_role)
        accept(
            self.execution_role,
            ("IAM4", "AWS's own policy for ECS execution roles: pull from ECR, write the task's logs."),
            applies_to=["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
        )

        self.task_role = iam.Role(
            self,
            "EcsTaskRole",
            role_name="awsomeshop-ecs-task-role",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description="What the AWSomeShop app may do; the image bucket grants it access in its bucket policy",
        )
        self.task_role.add_to_policy(
            iam.PolicyStatement(actions=COGNITO_ADMIN_ACTIONS, resources=[self.user_pool.user_pool_arn])
        )

    def _sender_role_build(self, identity: str, configuration_set: str, events_queue: str) -> None:
        """The sender's own role: the only one that may send mail, from the app's identity through
        its configuration set, and read what SES says back. The web tasks cannot send mail at all.
        ARNs by name (the mail stack makes them), so this stack depends on no other."""
        ses_arn = f"arn:{self.partition}:ses:{self.region}:{self.account}"
        self.sender_role = iam.Role(
            self,
            "EcsSenderRole",
            role_name="awsomeshop-ecs-sender-role",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description="The notification sender: sends mail through SES, reads bounces and complaints",
        )
        statements = [
            iam.PolicyStatement(
                actions=SENDER_SEND_ACTIONS,
                resources=[f"{ses_arn}:identity/{identity}", f"{ses_arn}:configuration-set/{configuration_set}"],
            ),
            iam.PolicyStatement(actions=SENDER_QUOTA_ACTIONS, resources=["*"]),
            iam.PolicyStatement(
                actions=SENDER_QUEUE_ACTIONS,
                resources=[f"arn:{self.partition}:sqs:{self.region}:{self.account}:{events_queue}"],
            ),
            iam.PolicyStatement(
                actions=SENDER_METRIC_ACTIONS,
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}},
            ),
        ]
        for statement in statements:
            self.sender_role.add_to_policy(statement)
        accept(
            self.sender_role.node.find_child("DefaultPolicy"),
            (
                "IAM5",
                "ses:GetSendQuota and cloudwatch:PutMetricData take no resource; the metrics are held to the "
                "app's namespace by condition.",
            ),
            applies_to=["Resource::*"],
        )

    def _ecs_service_linked_role_build(self) -> None:
        """ECS's service-linked role exists in an account once ECS was used; in a fresh account the
        first cluster or service can fail with "Unable to assume the service linked role". Create it
        first, and take "already exists" (InvalidInput) as done; it is never deleted (other ECS
        services in the account may use it)."""
        role_arn = f"arn:{self.partition}:iam::{self.account}:role/aws-service-role/ecs.amazonaws.com/"
        self.ecs_service_linked_role = cr.AwsCustomResource(
            self,
            "EcsServiceLinkedRole",
            on_create=cr.AwsSdkCall(
                service="IAM",
                action="createServiceLinkedRole",
                parameters={"AWSServiceName": "ecs.amazonaws.com"},
                physical_resource_id=cr.PhysicalResourceId.of(ECS_SERVICE_LINKED_ROLE),
                ignore_error_codes_matching="InvalidInput",
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["iam:CreateServiceLinkedRole"],
                        resources=[role_arn + ECS_SERVICE_LINKED_ROLE],
                        conditions={"StringLike": {"iam:AWSServiceName": "ecs.amazonaws.com"}},
                    )
                ]
            ),
            install_latest_aws_sdk=False,
        )
        accept_at(
            self,
            "AWS679f53fac002430cb0da5b7982bd2287/ServiceRole/Resource",
            ("IAM4", "CDK's own function for AwsCustomResource: AWS's basic Lambda logging policy."),
            applies_to=["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        )
