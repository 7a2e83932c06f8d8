"""The sender's calls to AWS besides the mail itself (django-ses sends that): it reads SES's
bounce and complaint events from their SQS queue and publishes the outbox's figures to
CloudWatch. Every call goes through `aws_call`, so cdk/tests/test_iam_from_code.py can read
which operations the code makes and hold the sender's role to exactly those."""

from functools import cache

import boto3
from botocore.config import Config
from django.conf import settings


@cache
def _client(service: str):
    return boto3.client(
        service,
        region_name=settings.AWS_REGION,
        # Only for a local emulator (moto); AWS itself is found from the region.
        endpoint_url=settings.AWS_ENDPOINT_URL,
        config=Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2}),
    )


def aws_call(service: str, operation: str, **kwargs) -> dict:
    """One call of `service`'s `operation` (boto3's snake_case name); boto3's errors propagate."""
    return getattr(_client(service), operation)(**kwargs)
