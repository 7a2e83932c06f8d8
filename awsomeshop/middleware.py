"""Request plumbing: the load balancer's health check, one log line per request with its id, and
the API's caching rule."""

import logging
import threading
import time
import uuid
from contextlib import suppress
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control

from awsomeshop.db import db_retries_var
from awsomeshop.db_router import wrote_var

logger = logging.getLogger("awsomeshop.request")
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
user_id_var: ContextVar[str] = ContextVar("user_id", default="-")

HEALTH_PATH = "/health/"  # readiness: the app can serve, database included (people, alarms)
LIVENESS_PATH = "/health/live/"  # liveness: the process is up and answers (the ALB, ECS)
# Request ids we accept from the caller: the ALB's trace id or a client's own.
INCOMING_ID_HEADERS = ("HTTP_X_REQUEST_ID", "HTTP_X_AMZN_TRACE_ID")


# The readiness probe's own bounds: it answers within about this, whatever the database does.
READINESS_TIMEOUT_SECONDS = 2


_readiness_lock = threading.Lock()
_readiness_last: tuple[float, bool] = (-1e9, False)
READINESS_REUSE_SECONDS = 1.0


def database_is_up() -> bool:
    """Whether the database answers, asked by one probe at a time in this process and its answer
    shared for a second: a flood of readiness checks costs one short connection a second, not one
    connection each (the pool's budget is docs/scaling.md's)."""
    global _readiness_last
    with _readiness_lock:
        asked_at, up = _readiness_last
        if time.monotonic() - asked_at < READINESS_REUSE_SECONDS:
            return up
        up = _database_probe()
        _readiness_last = (time.monotonic(), up)
        return up


def _database_probe() -> bool:
    """The database asked on a connection of its own with short timeouts (not the request's pooled
    one, which may be a dead connection that has not noticed yet)."""
    settings_dict = {**connections[DEFAULT_DB_ALIAS].settings_dict}
    if settings_dict["ENGINE"] == "django.db.backends.mysql":
        bounds = dict.fromkeys(("connect_timeout", "read_timeout", "write_timeout"), READINESS_TIMEOUT_SECONDS)
        settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), **bounds}
    probe = connections[DEFAULT_DB_ALIAS].__class__(settings_dict, alias="readiness")
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False
    finally:
        with suppress(DatabaseError):
            probe.close()


class DatabaseWaits:
    """What this process is waiting on the database for: the statements in progress (every
    connection's execute wrapper) and when a connection was last lost (a read that timed out, a
    connect that failed). Slow clients and slow views are not the database: they count for nothing."""

    # MySQL client errors that mean the server cannot be reached or stopped answering.
    CONNECTION_LOST = frozenset({2002, 2003, 2006, 2013, 2055})

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statements: dict[object, float] = {}
        self.lost_at = -1e9

    def __call__(self, execute, sql, params, many, context):
        token = object()
        with self.lock:
            self.statements[token] = time.monotonic()
        try:
            return execute(sql, params, many, context)
        except DatabaseError as error:
            self.error_seen(error)
            raise
        finally:
            with self.lock:
                del self.statements[token]

    def connection_lost(self) -> None:
        self.lost_at = time.monotonic()

    def error_seen(self, error: Exception) -> None:
        """Count the error if it says the database is out of reach (not, say, a lock wait)."""
        if error.args and error.args[0] in self.CONNECTION_LOST:
            self.connection_lost()

    def stalled(self, *, limit: int, seconds: float) -> bool:
        now = time.monotonic()
        with self.lock:
            waiting = sorted(self.statements.values())
        if now - self.lost_at < seconds:
            return True
        return len(waiting) >= limit and now - waiting[0] > seconds


DATABASE_WAITS = DatabaseWaits()


def _database_waits_watched(sender, connection, **kwargs) -> None:
    if DATABASE_WAITS not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, DATABASE_WAITS)


class StalledDatabaseGuardMiddleware:
    """While the database stalls, new requests hear so at once (503) instead of each waiting out the
    database timeouts too; the stuck ones end within those timeouts (the liveness check needs no
    thread at all: awsomeshop/gunicorn_worker.py).

    Stalled means: a connection was lost in the last `DB_STALL_SECONDS`, or all but one of the
    worker's threads (`WEB_THREADS`, gunicorn's) wait on statements of which the oldest has run
    longer than `DB_STALL_SECONDS`. Only time spent in the database counts: slow clients sending a
    body, slow views or exports, never. First in MIDDLEWARE."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.limit = max(settings.WEB_THREADS - 1, 1)
        connection_created.connect(_database_waits_watched, dispatch_uid="database_waits")
        for alias in connections:
            if connections[alias].connection is not None:
                _database_waits_watched(None, connections[alias])

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == LIVENESS_PATH or not DATABASE_WAITS.stalled(
            limit=self.limit, seconds=settings.DB_STALL_SECONDS
        ):
            return self.get_response(request)
        logger.warning("503 %s %s: the database is stalled", request.method, request.path)
        if request.path == HEALTH_PATH:
            return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
        # Imported here: this module loads with the logging settings, before the apps.
        from awsomeshop.views import service_unavailable

        return service_unavailable(request, retry_after=5)


class HealthCheckMiddleware:
    """GET /health/live/: 200 whenever the process answers; the ALB and ECS ask it, so a database
    away for maintenance does not make them replace every task (the app answers 503s meanwhile
    and recovers by itself). GET /health/: 200 when the database answers too, 503 otherwise.
    Answered here, first: they come by the task's IP over plain HTTP (no allowed host, no HTTPS),
    without auth, every 30 seconds per task, and stay out of the request log."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == LIVENESS_PATH:
            return JsonResponse({"status": "ok"})
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        if database_is_up():
            return JsonResponse({"status": "ok", "database": "up"})
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)


def request_log_user_set(user_id: str) -> None:
    """Name the user in this request's log line when `request.user` is not set (a cached answer)."""
    user_id_var.set(user_id)


class RequestLogMiddleware:
    """Gives each request an id (kept from the caller or new), returns it as X-Request-ID, and
    logs one line when the response leaves: method, path, status, duration, user, and how many
    times a deadlock or lock-wait timeout made a transaction run again (`db_retries`)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = next((request.META[h] for h in INCOMING_ID_HEADERS if request.META.get(h)), "")
        request_id = incoming[:100] or uuid.uuid4().hex
        request_token = request_id_var.set(request_id)
        user_token = user_id_var.set("-")
        retries_token = db_retries_var.set(0)
        wrote_token = wrote_var.set(False)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                user_id_var.set(str(user.pk))
            response["X-Request-ID"] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "db_retries": db_retries_var.get(),
                },
            )
            return response
        finally:
            request_id_var.reset(request_token)
            user_id_var.reset(user_token)
            db_retries_var.reset(retries_token)
            wrote_var.reset(wrote_token)


class RequestContextFilter(logging.Filter):
    """Adds the current request's id and user to every log record made while serving it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        return True


API_PREFIX = "/api/v1/"


class ApiNoStoreMiddleware:
    """Every answer of the versioned API is about its caller (their balance, their orders, what
    they can afford), so no browser, proxy or shared device may keep a copy: `private, no-store`
    unless a view said otherwise. Before the catalog cache, so its stored pages get it too."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
