"""While the database stalls, new requests hear so at once (503) instead of waiting on it too.
Stalled means the database, never the requests: a connection lost in the last DB_STALL_SECONDS, or
all but one thread waiting on statements older than that. Slow clients or slow views turn nobody
away."""

import threading
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from awsomeshop.middleware import DATABASE_WAITS, StalledDatabaseGuardMiddleware


@pytest.fixture(autouse=True)
def _no_connection_lost_lately():
    DATABASE_WAITS.lost_at = -1e9
    yield
    DATABASE_WAITS.lost_at = -1e9


def _statements_stuck(count: int, release: threading.Event) -> list[threading.Thread]:
    """`count` statements in progress, as the execute wrapper sees them, until released."""
    started = threading.Barrier(count + 1)

    def stuck_execute(sql, params, many, context):
        started.wait(timeout=5)
        release.wait(timeout=10)

    threads = [
        threading.Thread(target=DATABASE_WAITS, args=(stuck_execute, "SELECT 1", None, False, None))
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    started.wait(timeout=5)
    return threads


def _guard():
    return StalledDatabaseGuardMiddleware(lambda request: HttpResponse("ok"))


@override_settings(WEB_THREADS=4, DB_STALL_SECONDS=0.05)
def test_with_all_but_one_thread_stuck_in_the_database_a_new_request_is_a_503_at_once():
    release = threading.Event()
    threads = _statements_stuck(3, release)
    time.sleep(0.1)

    started = time.monotonic()
    api, page, live = (_guard()(RequestFactory().get(path)) for path in ("/api/v1/me", "/points/", "/health/live/"))
    took = time.monotonic() - started
    release.set()
    for thread in threads:
        thread.join()

    assert (api.status_code, page.status_code, live.status_code) == (503, 503, 200)
    assert api["Retry-After"] == "5" and b"service_unavailable" in api.content
    assert took < 1
    assert _guard()(RequestFactory().get("/points/")).status_code == 200  # the statements ended


@override_settings(WEB_THREADS=4, DB_STALL_SECONDS=0.05)
def test_slow_requests_that_are_not_waiting_on_the_database_turn_nobody_away():
    release, started = threading.Event(), threading.Barrier(4)

    def slow_view(request):  # a client sending its body slowly, a long export: not the database
        started.wait(timeout=5)
        release.wait(timeout=10)
        return HttpResponse("ok")

    guard = StalledDatabaseGuardMiddleware(slow_view)
    threads = [threading.Thread(target=guard, args=(RequestFactory().get("/slow/"),)) for _ in range(3)]
    for thread in threads:
        thread.start()
    started.wait(timeout=5)
    time.sleep(0.1)

    answer = _guard()(RequestFactory().get("/points/"))
    release.set()
    for thread in threads:
        thread.join()

    assert answer.status_code == 200


@override_settings(WEB_THREADS=4, DB_STALL_SECONDS=0.2)
def test_a_lost_connection_turns_new_requests_away_for_a_moment_only():
    DATABASE_WAITS.connection_lost()

    during = _guard()(RequestFactory().get("/api/v1/me")).status_code
    time.sleep(0.3)
    after = _guard()(RequestFactory().get("/api/v1/me")).status_code

    assert (during, after) == (503, 200)


@override_settings(WEB_THREADS=4, DB_STALL_SECONDS=0.5)
def test_only_an_error_that_says_the_database_is_out_of_reach_turns_requests_away():
    from django.db import OperationalError

    DATABASE_WAITS.error_seen(OperationalError(1205, "Lock wait timeout exceeded"))
    after_a_lock_wait = _guard()(RequestFactory().get("/api/v1/me")).status_code
    DATABASE_WAITS.error_seen(OperationalError(2013, "Lost connection to server during query"))
    after_a_lost_connection = _guard()(RequestFactory().get("/api/v1/me")).status_code

    assert (after_a_lock_wait, after_a_lost_connection) == (200, 503)
