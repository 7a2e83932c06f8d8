"""Production settings, the container definition, the health check and the request log."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "shop.example.com",
    "SITE_URL": "https://shop.example.com",
    "DEFAULT_FROM_EMAIL": "AWSomeShop <rewards@shop.example.com>",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_has_zero_warnings_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DEFAULT_FROM_EMAIL"])
def test_production_refuses_to_start_without_its_secrets_hosts_site_and_sender(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("SITE_URL", "http://shop.example.com", "SITE_URL is the site's https:// address in production"),
        ("NOTIFICATIONS_SEND_ON_COMMIT", "thread", "In production the sender sends"),
        ("NOTIFICATIONS_SEND_ON_COMMIT", "sometimes", "NOTIFICATIONS_SEND_ON_COMMIT is thread, inline or off"),
        # Links that would lead nowhere, or somewhere else than the shop.
        ("SITE_URL", "https://", "SITE_URL is the site's https:// address in production"),
        ("SITE_URL", "https:///evil.example", "SITE_URL is the site's https:// address in production"),
        ("SITE_URL", "https://shop.example.com@evil.example", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://shop.example.com/?next=x", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://shop.example.com/#top", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://shop.example.com:99999", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://shop example.com", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://evil.example\\.shop.example.com", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://shop.example.com?", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://shop.example.com#", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://<script>", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://-", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://shop.example.com;evil", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://shop.example.com%2f%2fevil.example", "SITE_URL is the site's https:// address"),
        ("SITE_URL", "https://shop.example.com:0", "SITE_URL is the site's https:// address"),
        ("DEFAULT_FROM_EMAIL", "AWSomeShop <rewards@shop.example.com", "DEFAULT_FROM_EMAIL is one address"),
        # A sender SES would refuse, or a header someone could inject into.
        ("DEFAULT_FROM_EMAIL", "", "DEFAULT_FROM_EMAIL is one address"),
        ("DEFAULT_FROM_EMAIL", "AWSomeShop", "DEFAULT_FROM_EMAIL is one address"),
        ("DEFAULT_FROM_EMAIL", "AWSomeShop <rewards@shop.example.com>\nBcc: x@evil.example", "DEFAULT_FROM_EMAIL is"),
        ("DEFAULT_FROM_EMAIL", "a@shop.example.com, b@shop.example.com", "DEFAULT_FROM_EMAIL is one address"),
        ("NOTIFICATIONS_METRICS", "cloudwach", "NOTIFICATIONS_METRICS is cloudwatch or log"),
    ],
)
def test_production_refuses_links_without_tls_and_sending_in_the_web_workers(setting, value, said):
    result = manage("check", env={**PRODUCTION_ENV, setting: value})

    assert result.returncode != 0
    assert said in result.stderr


@pytest.mark.parametrize(
    ("site", "message_id_domain"),
    [
        ("http://[::1]:8000", "awsomeshop.local"),
        ("https://shöp.example.com", "xn--shp-tna.example.com"),
        ("https://shop.example.com/rewards/", "shop.example.com"),
        ("https://[2001:db8::1]", "awsomeshop.local"),
    ],
)
def test_production_takes_every_honest_site_address(site, message_id_domain):
    code = "from django.conf import settings as s; print(s.NOTIFICATION_MESSAGE_ID_DOMAIN)"
    result = manage("shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV, "SITE_URL": site})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == message_id_domain


def test_production_names_messages_after_the_site_and_leaves_sending_to_the_sender():
    code = (
        "from django.conf import settings as s; "
        "print(s.NOTIFICATION_MESSAGE_ID_DOMAIN, s.NOTIFICATIONS_SEND_ON_COMMIT, s.DEFAULT_FROM_EMAIL)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)

    assert result.stdout.split("\n")[0] == "shop.example.com off AWSomeShop <rewards@shop.example.com>"


def test_production_trusts_one_proxy_hop_and_shares_throttle_counters_in_the_database():
    code = (
        "from django.conf import settings as s; "
        "print(s.NUM_PROXIES, s.REST_FRAMEWORK['NUM_PROXIES'], s.CACHES['default']['BACKEND'], "
        "s.CACHES['default']['LOCATION'], s.AXES_CLIENT_IP_CALLABLE)"
    )

    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    with_redis = manage(
        "shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV, "CACHE_URL": "redis://127.0.0.1:6379/1"}
    )

    assert result.stdout.split() == [
        "1",
        "1",
        "awsomeshop.cache.LockingDatabaseCache",
        "awsomeshop_cache",
        "accounts.security.client_ip",
    ]
    assert with_redis.stdout.split()[2] == "django.core.cache.backends.redis.RedisCache"


def test_cognito_mode_refuses_to_start_without_its_pool_settings():
    result = manage("check", env={**PRODUCTION_ENV, "AUTH_BACKEND": "cognito", "COGNITO_USER_POOL_ID": "us-east-2_x"})

    assert result.returncode != 0
    assert "AUTH_BACKEND=cognito needs COGNITO_APP_CLIENT_ID, COGNITO_APP_CLIENT_SECRET." in result.stderr


def test_the_dockerfile_passes_hadolint():
    hadolint = Path(sys.executable).with_name("hadolint")

    result = subprocess.run([str(hadolint), "Dockerfile"], cwd=BASE, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_builds_in_two_stages_and_runs_as_a_non_root_user():
    dockerfile = (BASE / "Dockerfile").read_text()

    assert dockerfile.count("\nFROM ") + dockerfile.startswith("FROM ") == 2
    assert "default-libmysqlclient-dev" in dockerfile.split("# --- Runtime")[0]
    assert "libmariadb3" in dockerfile.split("# --- Runtime")[1]
    assert "\nUSER 10001:10001\n" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert 'CMD ["gunicorn", "awsomeshop.wsgi:application", "--config", "gunicorn.conf.py"]' in dockerfile


@pytest.mark.django_db
def test_health_is_200_with_the_database_up_whatever_the_host_and_without_https(client, settings):
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/health/", HTTP_HOST="10.0.2.37:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db
def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from awsomeshop import middleware

    monkeypatch.setattr(middleware, "database_is_up", lambda: False)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_liveness_is_200_while_the_database_is_away_and_touches_no_database(client, monkeypatch):
    # No django_db mark: any database access in this test raises, so a 200 proves none happened.
    from awsomeshop import middleware

    monkeypatch.setattr(middleware, "database_is_up", lambda: False)

    response = client.get("/health/live/", HTTP_HOST="10.0.1.23")  # the ALB asks by the task's IP

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.get("/health/").status_code == 503  # readiness still says what is wrong


@pytest.mark.django_db
def test_each_request_is_logged_once_with_its_id_status_and_duration(client, caplog, employee):
    client.force_login(employee)
    with caplog.at_level(logging.INFO, logger="awsomeshop.request"):
        response = client.get("/points/", HTTP_X_REQUEST_ID="req-123")
        client.get("/health/")

    records = [r for r in caplog.records if r.name == "awsomeshop.request"]
    assert len(records) == 1  # the health check stays out of the log
    (record,) = records
    assert response["X-Request-ID"] == "req-123"
    assert (record.method, record.path, record.status) == ("GET", "/points/", 200)
    assert record.duration_ms >= 0


def test_the_json_log_format_has_the_fields_cloudwatch_searches(capsys):
    from pythonjsonlogger.json import JsonFormatter

    from awsomeshop.middleware import RequestContextFilter, request_id_var, user_id_var

    formatter = JsonFormatter(**{k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"})
    record = logging.LogRecord("awsomeshop.request", logging.INFO, __file__, 1, "GET /x 200", None, None)
    record.status, record.path, record.duration_ms = 200, "/x", 1.5
    token, user = request_id_var.set("abc"), user_id_var.set("u-1")
    RequestContextFilter().filter(record)
    request_id_var.reset(token)
    user_id_var.reset(user)

    line = json.loads(formatter.format(record))

    assert {"timestamp", "level", "logger", "message", "request_id", "user_id", "path", "status", "duration_ms"} <= set(
        line
    )
    assert (line["level"], line["request_id"], line["user_id"], line["status"]) == ("INFO", "abc", "u-1", 200)


def test_gunicorn_opens_no_control_socket():
    """gunicorn 27 listens on ~/.gunicorn/gunicorn.ctl by default: nothing here uses it, two
    servers on one machine would share it, and the container's home need not be writable."""
    import runpy

    from gunicorn.config import KNOWN_SETTINGS

    config = runpy.run_path(str(BASE / "gunicorn.conf.py"))

    assert "control_socket_disable" in {setting.name for setting in KNOWN_SETTINGS}
    assert config["control_socket_disable"] is True
