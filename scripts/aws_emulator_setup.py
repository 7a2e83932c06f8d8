"""Create, in a running AWS emulator (moto server), what the CDK app creates in AWS, from the same
values (cdk/resource_values.py): the Cognito user pool with its web client and `hr` group, the
demo users, the product-image bucket, and SES's sender identity, configuration set and the route
its bounces and complaints take (SNS topic → SQS queue). Prints the environment variables that
point the app at them.

Usage: python scripts/aws_emulator_setup.py http://127.0.0.1:5055 > var/aws.env
"""

import json
import shlex
import sys
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "cdk"))
import resource_values as values  # noqa: E402

from accounts.roles import HR  # noqa: E402
from demo.users import DEMO_USERS, NEW_HIRE  # noqa: E402

REGION = "us-east-2"
BUCKET = f"{values.IMAGE_BUCKET_PREFIX}-local"
SENDER = "rewards@awsomeshop.local"


def _user_pool(idp) -> tuple[str, dict]:
    requires = values.PASSWORD_REQUIRES
    pool = idp.create_user_pool(
        PoolName=values.USER_POOL_NAME,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Policies={
            "PasswordPolicy": {
                "MinimumLength": values.PASSWORD_MIN_LENGTH,
                "RequireUppercase": requires["uppercase"],
                "RequireLowercase": requires["lowercase"],
                "RequireNumbers": requires["digits"],
                "RequireSymbols": requires["symbols"],
            }
        },
    )["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName=values.WEB_CLIENT_NAME,
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=values.ACCESS_TOKEN_HOURS,
        IdTokenValidity=values.ID_TOKEN_HOURS,
        RefreshTokenValidity=values.REFRESH_TOKEN_DAYS,
        TokenValidityUnits={"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]
    idp.create_group(UserPoolId=pool, GroupName=values.HR_GROUP)
    return pool, client


def _demo_users(idp, pool: str) -> None:
    """Every demo user, as HR would add them (names included); the new hire must choose a password."""
    for user in [*DEMO_USERS, NEW_HIRE]:
        idp.admin_create_user(
            UserPoolId=pool,
            Username=user.email,
            TemporaryPassword=user.password,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": user.email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "given_name", "Value": user.first_name},
                {"Name": "family_name", "Value": user.last_name},
            ],
        )
        if user is not NEW_HIRE:
            idp.admin_set_user_password(UserPoolId=pool, Username=user.email, Password=user.password, Permanent=True)
        if user.group == HR:
            idp.admin_add_user_to_group(UserPoolId=pool, Username=user.email, GroupName=values.HR_GROUP)


def _mail(endpoint: str) -> str:
    """The sender identity and configuration set, and SES's events through SNS to the queue the
    sender reads; returns the queue's URL. (The emulator publishes no configuration-set events;
    it does publish the identity's bounce and complaint notifications for SES's simulator
    addresses, bounce@simulator.amazonses.com and complaint@simulator.amazonses.com.)"""
    ses = boto3.client("ses", region_name=REGION, endpoint_url=endpoint)
    sns = boto3.client("sns", region_name=REGION, endpoint_url=endpoint)
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=endpoint)
    ses.verify_email_identity(EmailAddress=SENDER)
    ses.verify_domain_identity(Domain=SENDER.split("@")[1])
    ses.create_configuration_set(ConfigurationSet={"Name": values.CONFIGURATION_SET})
    topic = sns.create_topic(Name=values.MAIL_EVENTS)["TopicArn"]
    dead_letters = sqs.create_queue(QueueName=f"{values.MAIL_EVENTS}-dead-letters")["QueueUrl"]
    dead_letters_arn = sqs.get_queue_attributes(QueueUrl=dead_letters, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue = sqs.create_queue(
        QueueName=values.MAIL_EVENTS,
        Attributes={
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dead_letters_arn, "maxReceiveCount": values.MAIL_EVENTS_MAX_RECEIVES}
            )
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    ses.create_configuration_set_event_destination(
        ConfigurationSetName=values.CONFIGURATION_SET,
        EventDestination={
            "Name": "bounces-and-complaints",
            "Enabled": True,
            "MatchingEventTypes": ["bounce", "complaint"],
            "SNSDestination": {"TopicARN": topic},
        },
    )
    for kind in ("Bounce", "Complaint"):
        ses.set_identity_notification_topic(Identity=SENDER.split("@")[1], NotificationType=kind, SnsTopic=topic)
    return queue


def emulator_setup(endpoint: str) -> dict[str, str]:
    """Make everything; returns the settings that point the app at it."""
    idp = boto3.client("cognito-idp", region_name=REGION, endpoint_url=endpoint)
    pool, client = _user_pool(idp)
    _demo_users(idp, pool)
    boto3.client("s3", region_name=REGION, endpoint_url=endpoint).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    queue = _mail(endpoint)
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
        "AUTH_BACKEND": "cognito",
        "COGNITO_USER_POOL_ID": pool,
        "COGNITO_APP_CLIENT_ID": client["ClientId"],
        "COGNITO_APP_CLIENT_SECRET": client["ClientSecret"],
        "COGNITO_ENDPOINT_URL": endpoint,
        "COGNITO_JWKS_BASE_URL": endpoint,
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_ADDRESSING_STYLE": "path",
        # Notification e-mails through SES, from the verified sender, as in production.
        "EMAIL_BACKEND": "ses",
        "AWS_SES_ENDPOINT_URL": endpoint,
        "DEFAULT_FROM_EMAIL": f"AWSomeShop <{SENDER}>",
        "SES_CONFIGURATION_SET": values.CONFIGURATION_SET,
        "SES_EVENTS_QUEUE_URL": queue,
        # The emulator allows one message a second; django-ses would keep under half of that.
        "SES_AUTO_THROTTLE": "0",
    }


if __name__ == "__main__":
    for name, value in emulator_setup(sys.argv[1]).items():
        print(f"export {name}={shlex.quote(value)}")
