"""The local AWS emulator: moto in server mode, a real HTTP endpoint on 127.0.0.1 that boto3 and
the app talk to exactly as they would to AWS."""

import contextlib
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from accounts import cognito, cognito_auth
from tests.concurrency import wait_until
from tests.servers import free_port

REGION = "us-east-2"
SPEC_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}


@contextlib.contextmanager
def emulator_credentials():
    """Credentials the emulator accepts; boto3 must never find real ones here. Restored after."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            patch.setenv(name, "testing")
        yield


@contextlib.contextmanager
def moto_server():
    """One emulator in this process on a free loopback port."""
    with emulator_credentials():
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        _host, port = server.get_host_and_port()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="session")
def aws_endpoint():
    with moto_server() as endpoint:
        yield endpoint


@contextlib.contextmanager
def moto_server_process():
    """An emulator in a process of its own, as `make run-aws` runs it: its state is its own (moto
    keeps every backend in module globals, so a second server in this process would share them)."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **{name: "testing" for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: _answers(endpoint), "the emulator's own process to answer")
        with emulator_credentials():
            yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310 - loopback
            return True
    except OSError:
        return False


def aws_client(service: str, endpoint: str):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


class Pool:
    """A user pool made like the CDK app makes it: e-mail as username, the spec's password policy,
    a web client with a secret, and the `hr` group."""

    def __init__(self, endpoint: str) -> None:
        self.idp = aws_client("cognito-idp", endpoint)
        self.id = self.idp.create_user_pool(
            PoolName="awsomeshop-users",
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            Policies={"PasswordPolicy": SPEC_PASSWORD_POLICY},
        )["UserPool"]["Id"]
        self.client_id, self.client_secret = self.client_create("awsomeshop-web-client")
        self.idp.create_group(UserPoolId=self.id, GroupName="hr")

    def client_create(self, name: str) -> tuple[str, str]:
        client = self.idp.create_user_pool_client(
            UserPoolId=self.id,
            ClientName=name,
            GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]
        return client["ClientId"], client["ClientSecret"]

    def user_create(
        self, email: str, *, password: str = "Temporary1", permanent: bool = False, hr: bool = False
    ) -> str:
        user = self.idp.admin_create_user(
            UserPoolId=self.id,
            Username=email,
            TemporaryPassword=password,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "given_name", "Value": email.split("@")[0].title()},
            ],
            MessageAction="SUPPRESS",
        )["User"]
        if permanent:
            self.idp.admin_set_user_password(UserPoolId=self.id, Username=email, Password=password, Permanent=True)
        if hr:
            self.idp.admin_add_user_to_group(UserPoolId=self.id, Username=email, GroupName="hr")
        return next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")

    def tokens(self, email: str, password: str, client_id: str | None = None, client_secret: str | None = None) -> dict:
        import base64
        import hashlib
        import hmac

        client_id, client_secret = client_id or self.client_id, client_secret or self.client_secret
        digest = hmac.new(client_secret.encode(), (email + client_id).encode(), hashlib.sha256).digest()
        response = self.idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password, "SECRET_HASH": base64.b64encode(digest).decode()},
        )
        return response["AuthenticationResult"]


@pytest.fixture
def cognito_pool(aws_endpoint, settings):
    """A fresh pool, and the app switched to AUTH_BACKEND=cognito against the emulator."""
    pool = Pool(aws_endpoint)
    settings.AUTH_BACKEND = "cognito"
    settings.COGNITO_USER_POOL_ID = pool.id
    settings.COGNITO_APP_CLIENT_ID = pool.client_id
    settings.COGNITO_APP_CLIENT_SECRET = pool.client_secret
    settings.COGNITO_ENDPOINT_URL = aws_endpoint
    settings.COGNITO_JWKS_BASE_URL = aws_endpoint
    settings.COGNITO_ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{pool.id}"
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.CognitoBackend"]
    cognito._client.cache_clear()
    cognito_auth._jwks_client.cache_clear()
    yield pool
    cognito._client.cache_clear()
    cognito_auth._jwks_client.cache_clear()
