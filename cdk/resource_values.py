"""What the CDK app creates and `make run-aws` recreates in the local AWS emulator
(scripts/aws_emulator_setup.py): one source for both, so the emulator is the deployment's pool,
bucket and mail setup, not a look-alike. cdk/tests/test_emulator.py builds both and compares.
Plain Python, no aws_cdk: the emulator script reads it without the CDK."""

# Cognito (security stack): the spec's password policy and token lifetimes.
USER_POOL_NAME = "awsomeshop-users"
WEB_CLIENT_NAME = "awsomeshop-web-client"
HR_GROUP = "hr"
PASSWORD_MIN_LENGTH = 8
PASSWORD_REQUIRES = {"uppercase": True, "lowercase": True, "digits": True, "symbols": False}
ACCESS_TOKEN_HOURS = 1
ID_TOKEN_HOURS = 1
REFRESH_TOKEN_DAYS = 30
# S3 (data stack): the deployed bucket's name ends with the stack's own suffix; the emulator's
# with "local".
IMAGE_BUCKET_PREFIX = "awsomeshop-product-images"
# SES (mail stack): the configuration set, and where its bounces and complaints go.
CONFIGURATION_SET = "awsomeshop"
MAIL_EVENTS = "awsomeshop-mail-events"
MAIL_EVENTS_MAX_RECEIVES = 5
