"""Create, in a running AWS emulator (moto server), what the CDK app creates in AWS: the Cognito
user pool with its web client and `hr` group, demo users, and the product-image bucket. Prints the
environment variables that point the app at them.

Usage: python scripts/aws_emulator_setup.py http://127.0.0.1:5055 > var/aws.env
"""

import sys
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from accounts.roles import HR  # noqa: E402
from demo.users import DEMO_USERS, NEW_HIRE  # noqa: E402

REGION = "us-east-2"
BUCKET = "awsomeshop-product-images-local"


def main(endpoint: str) -> None:
    idp = boto3.client("cognito-idp", region_name=REGION, endpoint_url=endpoint)
    pool = idp.create_user_pool(
        PoolName="awsomeshop-users",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
    )["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="awsomeshop-web-client",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    idp.create_group(UserPoolId=pool, GroupName="hr")
    # Every demo user, as HR would add them (names included); the new hire must choose a password.
    for user in [*DEMO_USERS, NEW_HIRE]:
        idp.admin_create_user(
            UserPoolId=pool,
            Username=user.email,
            TemporaryPassword=user.cognito_password,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": user.email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "given_name", "Value": user.first_name},
                {"Name": "family_name", "Value": user.last_name},
            ],
        )
        if user is not NEW_HIRE:
            idp.admin_set_user_password(
                UserPoolId=pool, Username=user.email, Password=user.cognito_password, Permanent=True
            )
        if user.group == HR:
            idp.admin_add_user_to_group(UserPoolId=pool, Username=user.email, GroupName="hr")
    boto3.client("s3", region_name=REGION, endpoint_url=endpoint).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    # Notification e-mails go through SES, from a verified sender, as in production.
    boto3.client("ses", region_name=REGION, endpoint_url=endpoint).verify_email_identity(
        EmailAddress="rewards@awsomeshop.local"
    )
    settings = {
        "EMAIL_BACKEND": "ses",
        "AWS_SES_ENDPOINT_URL": endpoint,
        "DEFAULT_FROM_EMAIL": "rewards@awsomeshop.local",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
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
        "DATABASE_URL": "sqlite:///var/aws.sqlite3",
    }
    for name, value in settings.items():
        print(f"export {name}={value}")


if __name__ == "__main__":
    main(sys.argv[1])
