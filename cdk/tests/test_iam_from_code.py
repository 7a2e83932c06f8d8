"""The task roles may do exactly what the app's code does, on exactly its own resources: read from
the code, not from a list kept by hand (the AWS emulator does not check IAM, so nothing else
would notice a missing or an extra permission)."""

import ast
import json
from pathlib import Path

import botocore.session
from aws_cdk.assertions import Match
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "shop", "points", "orders", "notifications", "awsomeshop")
# How accounts/cognito.py calls Cognito: _call("operation", ...) and _pages("operation", ...).
COGNITO_CALLERS = {"_call", "_pages"}
# What django-storages (S3Storage, file_overwrite=False) sends to S3 for each storage method the
# app uses, and the IAM actions those need. save: HeadObject (is the name free?) then PutObject;
# delete: DeleteObject; url: nothing (a presigned GetObject, signed with the task role). HeadObject
# needs s3:GetObject, and s3:ListBucket so that a missing key is a 404, not a 403.
STORAGE_METHOD_ACTIONS = {
    "save": {"s3:GetObject", "s3:ListBucket", "s3:PutObject"},
    "delete": {"s3:DeleteObject"},
    "url": {"s3:GetObject"},
}


def app_modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text())


def boto3_services_created() -> set[str]:
    return {
        node.args[0].value
        for _path, tree in app_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "client"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def cognito_operations_called() -> set[str]:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    operations = {xform_name(name): name for name in model.operation_names}
    called = set()
    for _path, tree in app_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in COGNITO_CALLERS:
                python_name = node.args[0].value
                assert python_name in operations, f"{python_name} is not a Cognito operation"
                called.add(operations[python_name])
    return called


def cognito_actions_needing_iam() -> set[str]:
    """Public client calls (sign-in, challenges, password reset) are authorized by the app client,
    not IAM: botocore marks them auth type "none"."""
    model = botocore.session.get_session().get_service_model("cognito-idp")
    return {
        f"cognito-idp:{operation}"
        for operation in cognito_operations_called()
        if model.operation_model(operation).auth_type != "none"
    }


def storage_methods_used() -> set[str]:
    """The media storage methods the app's code calls (storage.save, storage.delete) and image URLs."""
    used = set()
    for _path, tree in app_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute | ast.Name):
                owner = node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id
                if owner == "storage":
                    used.add(node.attr)
                if owner == "image" and node.attr == "url":
                    used.add("url")
    return used


def statements_for(template, resource_type: str, logical_id_pattern: str) -> list[dict]:
    resources = template.find_resources(resource_type)
    return [
        statement
        for resource in resources.values()
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if logical_id_pattern in str(resource["Properties"].get("Roles", ""))
        or logical_id_pattern in str(statement.get("Principal", ""))
    ]


def actions_of(statements: list[dict]) -> set[str]:
    return {action for s in statements for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}


def test_the_app_talks_to_aws_only_through_cognito_and_the_media_storage():
    assert boto3_services_created() == {"cognito-idp"}
    assert storage_methods_used() <= set(STORAGE_METHOD_ACTIONS), storage_methods_used()


def test_the_task_role_grants_exactly_the_cognito_calls_the_code_makes_on_its_pool(security):
    statements = statements_for(security, "AWS::IAM::Policy", "EcsTaskRole")

    assert actions_of(statements) == cognito_actions_needing_iam()
    assert cognito_actions_needing_iam() == {
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminGetUser",
        "cognito-idp:ListUsers",
        "cognito-idp:ListUsersInGroup",
    }
    for statement in statements:
        assert statement["Resource"] == {"Fn::GetAtt": [Match.string_like_regexp("UserPool"), "Arn"]} or (
            "UserPool" in str(statement["Resource"]) and "*" not in str(statement["Resource"])
        )


def test_the_image_bucket_grants_the_task_role_exactly_what_the_storage_calls_need(data):
    (policy,) = data.find_resources("AWS::S3::BucketPolicy").values()
    for_the_task_role = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if "EcsTaskRole" in str(s.get("Principal"))
    ]
    needed = set().union(*(STORAGE_METHOD_ACTIONS[method] for method in storage_methods_used()))

    assert actions_of(for_the_task_role) == needed
    for statement in for_the_task_role:
        on_objects = actions_of([statement]) <= {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
        assert ("/*" in str(statement["Resource"])) == on_objects  # objects, or the bucket for ListBucket


# --- The sender: SES through django-ses, SQS and CloudWatch through notifications/aws.py --------
# IAM's prefix for each boto3 service name the sender uses.
IAM_PREFIX = {"ses": "ses", "sqs": "sqs", "cloudwatch": "cloudwatch"}


def aws_calls_in_code() -> set[str]:
    """The IAM actions of every `aws_call("service", "operation", …)` in the apps."""
    session = botocore.session.get_session()
    actions = set()
    for _path, tree in app_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "aws_call":
                service, operation = (arg.value for arg in node.args[:2])
                model = session.get_service_model(service)
                by_python_name = {xform_name(name): name for name in model.operation_names}
                assert operation in by_python_name, f"{operation} is not a {service} operation"
                actions.add(f"{IAM_PREFIX[service]}:{by_python_name[operation]}")
    return actions


def ses_calls_of_the_mail_backend() -> set[str]:
    """What django-ses asks SES when production's backend sends one e-mail, recorded from boto3
    itself against the emulator: the code's calls, whatever the library version does."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django_ses import SESBackend
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
        calls: set[str] = set()
        backend = SESBackend(
            aws_access_key="testing",
            aws_secret_key="testing",  # noqa: S106 - the emulator's
            aws_region_name="us-east-2",
            aws_region_endpoint=endpoint,
            aws_auto_throttle=settings.AWS_SES_AUTO_THROTTLE,  # production's (SES_AUTO_THROTTLE unset)
        )
        assert backend._use_ses_v2 is False  # the v1 API: SendRawEmail (v2 would be SendEmail)
        backend.open()
        backend.connection.verify_email_identity(EmailAddress="rewards@example.com")
        backend.connection.meta.events.register("before-call.ses.*", lambda model, **_: calls.add(f"ses:{model.name}"))
        sent = backend.send_messages([EmailMessage("Subject", "Body", "rewards@example.com", ["someone@example.com"])])
        assert sent == 1
        return calls
    finally:
        server.stop()


def sender_statements(security) -> list[dict]:
    return statements_for(security, "AWS::IAM::Policy", "EcsSenderRole")


def test_the_sender_role_grants_exactly_the_calls_the_sender_makes(security):
    needed = ses_calls_of_the_mail_backend() | aws_calls_in_code()

    assert needed == {
        "ses:SendRawEmail",
        "ses:GetSendQuota",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "cloudwatch:PutMetricData",
    }
    assert actions_of(sender_statements(security)) == needed


def test_sending_is_scoped_to_the_identity_and_the_configuration_set(security, mail):
    (send,) = [s for s in sender_statements(security) if "ses:SendRawEmail" in actions_of([s])]
    resources = [json.dumps(r) for r in send["Resource"]]
    assert len(resources) == 2
    assert any(":identity/rewards@awsomeshop.example.com" in r for r in resources)
    assert any(":configuration-set/awsomeshop" in r for r in resources)
    (identity,) = mail.find_resources("AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == "rewards@awsomeshop.example.com"
    (queue_grant,) = [s for s in sender_statements(security) if "sqs:ReceiveMessage" in actions_of([s])]
    assert ":awsomeshop-mail-events" in json.dumps(queue_grant["Resource"])
    (metrics,) = [s for s in sender_statements(security) if "cloudwatch:PutMetricData" in actions_of([s])]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "AWSomeShop"}}


def test_only_the_sender_may_send_mail(security, compute):
    web = actions_of(statements_for(security, "AWS::IAM::Policy", "EcsTaskRole"))
    assert not any(action.startswith(("ses:", "sqs:", "cloudwatch:")) for action in web)
    roles = {
        d["Properties"]["Family"]: json.dumps(d["Properties"]["TaskRoleArn"])
        for d in compute.find_resources("AWS::ECS::TaskDefinition").values()
    }
    assert "EcsSenderRole" in roles["awsomeshop-sender"]
    assert all("EcsSenderRole" not in role for family, role in roles.items() if family != "awsomeshop-sender")
