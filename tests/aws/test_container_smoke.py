"""The container's command, for real: gunicorn with production settings against MariaDB and the
AWS emulator (Cognito sign-in, S3 images), checked over HTTP like the ALB and a client would."""

import json
import uuid

import pytest
from django.db import connection

from tests.servers import Browser, gunicorn, production_env, run_manage, scratch_database

from .conftest import Pool, aws_client

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smoke_database():
    with scratch_database("awsomeshop_smoke") as name:
        yield name


@pytest.fixture
def server(aws_endpoint, smoke_database, tmp_path):
    pool = Pool(aws_endpoint)
    bucket = f"awsomeshop-smoke-{uuid.uuid4().hex[:8]}"
    aws_client("s3", aws_endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-east-2"}
    )
    db = connection.settings_dict
    env = production_env(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        ALLOWED_HOSTS="shop.example.com,127.0.0.1",
        SECURE_SSL_REDIRECT="true",
        DB_HOST=db["HOST"] or "127.0.0.1",
        DB_PORT=str(db["PORT"] or 3306),
        DB_NAME=smoke_database,
        DB_USER=db["USER"],
        DB_PASSWORD=db["PASSWORD"],
        AUTH_BACKEND="cognito",
        COGNITO_USER_POOL_ID=pool.id,
        COGNITO_APP_CLIENT_ID=pool.client_id,
        COGNITO_APP_CLIENT_SECRET=pool.client_secret,
        COGNITO_ENDPOINT_URL=aws_endpoint,
        COGNITO_JWKS_BASE_URL=aws_endpoint,
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=aws_endpoint,
        AWS_S3_ADDRESSING_STYLE="path",
        STATIC_ROOT=str(tmp_path / "static"),
        LOG_LEVEL="INFO",
    )
    for step in (["collectstatic", "--noinput", "-v0"], ["migrate", "--noinput", "-v0"]):
        result = run_manage(step, env)
        assert result.returncode == 0, result.stdout + result.stderr
    log_path = tmp_path / "gunicorn.log"
    with gunicorn(env, log_path) as (base, _process):
        yield Browser(base), pool, log_path


def test_gunicorn_with_production_settings_serves_health_portal_and_api(server):
    browser, pool, log_path = server
    https = {"X-Forwarded-Proto": "https", "Host": "shop.example.com"}

    status, _headers, body = browser.request("/health/")  # the ALB: by IP, plain HTTP
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "up"})

    status, headers, _ = browser.request("/", headers={"Host": "shop.example.com"})
    assert status == 301 and headers["Location"].startswith("https://")  # HTTP is redirected to HTTPS

    status, headers, body = browser.request("/accounts/login/", headers=https)
    assert status == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert b"Forgot your password?" in body
    stylesheet = body.decode().split('rel="stylesheet" href="')[1].split('"')[0]
    assert stylesheet.startswith("/static/css/portal.") and stylesheet != "/static/css/portal.css"  # hashed
    assert browser.request(stylesheet, headers=https)[0] == 200

    pool.user_create("emma@example.com", password="Password1", permanent=True)
    token = pool.tokens("emma@example.com", "Password1")["AccessToken"]
    status, _headers, body = browser.request("/api/v1/me", headers={**https, "Authorization": f"Bearer {token}"})
    assert status == 200, body
    assert json.loads(body)["email"] == "emma@example.com"
    assert browser.request("/api/v1/me", headers={**https, "Authorization": "Bearer garbage"})[0] == 401

    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    me = next(line for line in lines if line.get("path") == "/api/v1/me" and line.get("status") == 200)
    assert me["level"] == "INFO" and me["request_id"] and me["duration_ms"] >= 0
    assert not any(line.get("path") == "/health/" for line in lines)
