"""The container's command, for real: gunicorn with production settings against MariaDB and the
AWS emulator (Cognito sign-in, S3 images), checked over HTTP like the ALB and a client would."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from .conftest import Pool, aws_client

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]
BASE = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our server on 127.0.0.1

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def smoke_database():
    name = f"awsomeshop_smoke_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE `{name}`")


@pytest.fixture
def production_env(aws_endpoint, smoke_database, tmp_path):
    pool = Pool(aws_endpoint)
    bucket = f"awsomeshop-smoke-{uuid.uuid4().hex[:8]}"
    aws_client("s3", aws_endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-east-2"}
    )
    db = connection.settings_dict
    env = {
        "PATH": os.environ["PATH"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "shop.example.com,127.0.0.1",
        "DB_HOST": db["HOST"] or "127.0.0.1",
        "DB_PORT": str(db["PORT"] or 3306),
        "DB_NAME": smoke_database,
        "DB_USER": db["USER"],
        "DB_PASSWORD": db["PASSWORD"],
        "AWS_REGION": "us-east-2",
        "AUTH_BACKEND": "cognito",
        "COGNITO_USER_POOL_ID": pool.id,
        "COGNITO_APP_CLIENT_ID": pool.client_id,
        "COGNITO_APP_CLIENT_SECRET": pool.client_secret,
        "COGNITO_ENDPOINT_URL": aws_endpoint,
        "COGNITO_JWKS_BASE_URL": aws_endpoint,
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": aws_endpoint,
        "AWS_S3_ADDRESSING_STYLE": "path",
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_WORKERS": "1",
        "LOG_LEVEL": "INFO",
    }
    return env, pool


def run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, cwd=BASE, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def gunicorn(production_env, tmp_path):
    env, pool = production_env
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    gunicorn_bin = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(  # the Dockerfile's CMD, bound to loopback
        [gunicorn_bin, "awsomeshop.wsgi:application", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=BASE,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if http(f"{base}/health/")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    yield base, pool, log
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_gunicorn_with_production_settings_serves_health_portal_and_api(gunicorn):
    base, pool, log = gunicorn
    https = {"X-Forwarded-Proto": "https", "Host": "shop.example.com"}

    status, _headers, body = http(f"{base}/health/")  # the ALB: by IP, plain HTTP
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "up"})

    status, headers, _ = http(f"{base}/", {"Host": "shop.example.com"})
    assert status == 301 and headers["Location"].startswith("https://")  # HTTP is redirected to HTTPS

    status, headers, body = http(f"{base}/accounts/login/", https)
    assert status == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert b"Forgot your password?" in body
    stylesheet = body.decode().split('rel="stylesheet" href="')[1].split('"')[0]
    assert stylesheet.startswith("/static/css/portal.") and stylesheet != "/static/css/portal.css"  # hashed
    assert http(f"{base}{stylesheet}", https)[0] == 200

    pool.user_create("emma@example.com", password="Password1", permanent=True)
    token = pool.tokens("emma@example.com", "Password1")["AccessToken"]
    status, _headers, body = http(f"{base}/api/v1/me", {**https, "Authorization": f"Bearer {token}"})
    assert status == 200, body
    assert json.loads(body)["email"] == "emma@example.com"

    status, _headers, body = http(f"{base}/api/v1/me", {**https, "Authorization": "Bearer garbage"})
    assert status == 401

    log.seek(0)
    lines = [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]
    me = next(line for line in lines if line.get("path") == "/api/v1/me" and line.get("status") == 200)
    assert me["level"] == "INFO" and me["request_id"] and me["duration_ms"] >= 0
    assert not any(line.get("path") == "/health/" for line in lines)
