"""While the database stalls, each worker keeps a request thread free for the health checks: once
all but one of its threads wait on requests older than DB_STALL_SECONDS, new requests get a 503 at
once. Ordinary load, where requests take milliseconds, is never turned away."""

import threading
import time

from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from awsomeshop.middleware import StalledDatabaseGuardMiddleware


def _guard_with_stuck_requests(count: int, release: threading.Event):
    started = threading.Barrier(count + 1)

    def view(request):
        if request.path == "/stuck/":
            started.wait(timeout=5)
            release.wait(timeout=10)
        return HttpResponse("ok")

    guard = StalledDatabaseGuardMiddleware(view)
    threads = [threading.Thread(target=guard, args=(RequestFactory().get("/stuck/"),)) for _ in range(count)]
    for thread in threads:
        thread.start()
    started.wait(timeout=5)
    return guard, threads


@override_settings(WEB_THREADS=4, DB_STALL_SECONDS=0.05)
def test_with_all_but_one_thread_stuck_a_new_request_is_a_503_at_once():
    release = threading.Event()
    guard, threads = _guard_with_stuck_requests(3, release)
    time.sleep(0.1)

    started = time.monotonic()
    api, page = guard(RequestFactory().get("/api/v1/me")), guard(RequestFactory().get("/points/"))
    took = time.monotonic() - started
    release.set()
    for thread in threads:
        thread.join()

    assert (api.status_code, page.status_code) == (503, 503)
    assert api["Retry-After"] == "5" and b"service_unavailable" in api.content
    assert took < 1
    assert guard(RequestFactory().get("/points/")).status_code == 200  # the stuck ones ended: served again


@override_settings(WEB_THREADS=4, DB_STALL_SECONDS=5)
def test_busy_threads_that_are_not_stalled_turn_nobody_away():
    release = threading.Event()
    guard, threads = _guard_with_stuck_requests(3, release)

    answer = guard(RequestFactory().get("/points/"))
    release.set()
    for thread in threads:
        thread.join()

    assert answer.status_code == 200
