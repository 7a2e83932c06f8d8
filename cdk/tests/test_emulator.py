"""`make run-aws`'s emulator is the deployment's setup, not a look-alike: the pool, its client and
group, the bucket and the mail route that scripts/aws_emulator_setup.py makes in the emulator are
compared with what the CDK app synthesizes (both read cdk/resource_values.py)."""

import sys

import boto3
import pytest
from conftest import CDK_DIR
from moto.server import ThreadedMotoServer

sys.path.insert(0, str(CDK_DIR.parent / "scripts"))
from aws_emulator_setup import REGION, emulator_setup  # noqa: E402

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


@pytest.fixture(scope="module")
def emulator(monkeypatch_module):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch_module.setenv(name, "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    settings = emulator_setup(endpoint)

    def client(service: str):
        return boto3.client(service, region_name=REGION, endpoint_url=endpoint)

    yield settings, client
    server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def only(template, resource_type: str) -> dict:
    (resource,) = template.find_resources(resource_type).values()
    return resource["Properties"]


def seconds(validity: int, unit: str) -> int:
    return validity * UNIT_SECONDS[unit]


def test_the_user_pool_is_the_deployed_one(emulator, security):
    settings, client = emulator
    pool = client("cognito-idp").describe_user_pool(UserPoolId=settings["COGNITO_USER_POOL_ID"])["UserPool"]
    deployed = only(security, "AWS::Cognito::UserPool")

    assert pool["Name"] == deployed["UserPoolName"]
    assert pool["Policies"]["PasswordPolicy"] == {
        key: value
        for key, value in deployed["Policies"]["PasswordPolicy"].items()
        if key in pool["Policies"]["PasswordPolicy"]
    }
    assert set(pool["Policies"]["PasswordPolicy"]) >= {"MinimumLength", "RequireUppercase", "RequireNumbers"}
    assert pool["UsernameAttributes"] == deployed["UsernameAttributes"]
    assert pool["AutoVerifiedAttributes"] == deployed["AutoVerifiedAttributes"]
    assert (
        pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"]
        is deployed["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"]
    )


def test_the_web_client_and_the_hr_group_are_the_deployed_ones(emulator, security):
    settings, client = emulator
    idp = client("cognito-idp")
    web = idp.describe_user_pool_client(
        UserPoolId=settings["COGNITO_USER_POOL_ID"], ClientId=settings["COGNITO_APP_CLIENT_ID"]
    )["UserPoolClient"]
    deployed = only(security, "AWS::Cognito::UserPoolClient")

    assert web["ClientName"] == deployed["ClientName"]
    assert sorted(web["ExplicitAuthFlows"]) == sorted(deployed["ExplicitAuthFlows"])
    for token in ("AccessToken", "IdToken", "RefreshToken"):
        emulated = seconds(web[f"{token}Validity"], web["TokenValidityUnits"][token])
        assert emulated == seconds(deployed[f"{token}Validity"], deployed["TokenValidityUnits"][token]), token
    (group,) = idp.list_groups(UserPoolId=settings["COGNITO_USER_POOL_ID"])["Groups"]
    assert group["GroupName"] == only(security, "AWS::Cognito::UserPoolGroup")["GroupName"]


def test_the_bucket_and_the_mail_route_are_named_as_deployed(emulator, data, mail):
    settings, client = emulator
    # The deployed name ends with the stack's own suffix, the emulator's with "local".
    prefix = settings["AWS_STORAGE_BUCKET_NAME"].removesuffix("-local")
    names = [str(b["Properties"].get("BucketName")) for b in data.find_resources("AWS::S3::Bucket").values()]
    assert any(f"'{prefix}-'" in name for name in names), (prefix, names)

    ses = client("ses")
    assert settings["SES_CONFIGURATION_SET"] == only(mail, "AWS::SES::ConfigurationSet")["Name"]
    (destination,) = ses.describe_configuration_set(
        ConfigurationSetName=settings["SES_CONFIGURATION_SET"], ConfigurationSetAttributeNames=["eventDestinations"]
    )["EventDestinations"]
    deployed_destination = only(mail, "AWS::SES::ConfigurationSetEventDestination")["EventDestination"]
    assert sorted(destination["MatchingEventTypes"]) == sorted(deployed_destination["MatchingEventTypes"])

    sqs = client("sqs")
    queue = settings["SES_EVENTS_QUEUE_URL"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    queues = {q["Properties"]["QueueName"]: q["Properties"] for q in mail.find_resources("AWS::SQS::Queue").values()}
    name = queue.rsplit("/", 1)[1]
    assert name in queues
    assert '"maxReceiveCount": ' + str(queues[name]["RedrivePolicy"]["maxReceiveCount"]) in attributes["RedrivePolicy"]
    assert settings["DEFAULT_FROM_EMAIL"].endswith("@awsomeshop.local>")
