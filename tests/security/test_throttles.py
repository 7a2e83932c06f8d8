"""Sign-in throttles that hold (issue 13, finding 6): one trusted proxy hop, every sign-in form
throttled, a successful sign-in by any route resets the failure count, and the counters live in a
cache every worker and task shares."""

import pytest
from django.core.cache.backends import locmem
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token"
SIGN_IN_RATE = 10  # THROTTLE_SIGN_IN's default: 10/min


@pytest.fixture
def behind_the_alb(settings):
    settings.NUM_PROXIES = 1


def forwarded(i: int) -> dict[str, str]:
    """A client that forges the start of X-Forwarded-For; the ALB appends the real address last."""
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{i}, 203.0.113.7", "REMOTE_ADDR": "10.0.1.20"}


def test_a_forged_x_forwarded_for_does_not_escape_the_api_sign_in_throttle(behind_the_alb, employee):
    api = APIClient()
    statuses = [
        api.post(TOKEN, {"email": f"nobody{i}@example.com", "password": "x"}, format="json", **forwarded(i)).status_code
        for i in range(SIGN_IN_RATE + 1)
    ]

    assert statuses[:SIGN_IN_RATE] == [401] * SIGN_IN_RATE
    assert statuses[SIGN_IN_RATE] == 429


def test_the_client_address_is_the_one_the_alb_appended(behind_the_alb, rf):
    from accounts.security import client_ip

    assert client_ip(rf.get("/", **forwarded(1))) == "203.0.113.7"


def test_without_a_trusted_proxy_the_header_is_ignored(rf, settings):
    from accounts.security import client_ip

    settings.NUM_PROXIES = 0

    assert client_ip(rf.get("/", **forwarded(1))) == "10.0.1.20"


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_the_portal_and_admin_sign_in_forms_are_throttled(client, url_name):
    statuses = [
        client.post(reverse(url_name), {"username": f"nobody{i}@example.com", "password": "x"}).status_code
        for i in range(SIGN_IN_RATE + 1)
    ]

    assert 429 not in statuses[:SIGN_IN_RATE]
    assert statuses[SIGN_IN_RATE] == 429


def test_the_sign_in_throttle_counts_posts_only(client):
    statuses = {client.get(reverse("login")).status_code for _ in range(SIGN_IN_RATE + 5)}

    assert statuses == {200}


def test_a_successful_api_sign_in_resets_the_failure_count(employee):
    api = APIClient()

    def sign_in(password: str) -> int:
        return api.post(TOKEN, {"email": employee.email, "password": password}, format="json").status_code

    assert [sign_in("wrong") for _ in range(4)] == [401] * 4
    assert sign_in(DEFAULT_PASSWORD) == 200
    assert [sign_in("wrong") for _ in range(4)] == [401] * 4
    # Nine failures in all, but never five in a row: not locked out.
    assert sign_in(DEFAULT_PASSWORD) == 200


def test_throttle_counters_survive_a_process_that_never_saw_them(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "awsomeshop.cache.LockingDatabaseCache", "LOCATION": "awsomeshop_cache"},
    }
    for i in range(SIGN_IN_RATE):
        client.post(reverse("login"), {"username": f"nobody{i}@example.com", "password": "x"})

    # Another worker or task has none of this process's memory.
    locmem._caches.clear()
    locmem._expire_info.clear()
    response = client.post(reverse("login"), {"username": "someone@example.com", "password": "x"})

    assert response.status_code == 429


def test_the_migrations_create_the_shared_cache_table():
    assert "awsomeshop_cache" in connection.introspection.table_names()
