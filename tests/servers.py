"""Real servers for the tests that need them: the container's gunicorn command, a TCP proxy
that can cut the database away, and a tiny HTTP client with cookies."""

import http.cookiejar
import os
import re
import secrets
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _SecureCookiesOverLoopback(http.cookiejar.DefaultCookiePolicy):
    """Production marks cookies Secure; the ALB would speak HTTPS, these tests speak HTTP to loopback."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class Browser:
    """urllib with a cookie jar and no redirect following: enough to act like a person or a client."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar(policy=_SecureCookiesOverLoopback())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(
        self,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict | None = None,
        method: str | None = None,
        timeout: float = 15,
    ):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {}, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def sign_in(self, email: str, password: str) -> int:
        _status, _headers, body = self.request("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        form = urllib.parse.urlencode({"username": email, "password": password, "csrfmiddlewaretoken": token}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.base + "/accounts/login/"}
        return self.request("/accounts/login/", data=form, headers=headers)[0]


def run_manage(args: list[str], env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True, timeout=timeout
    )


# Every process the tests start outside AWS: boto3 never looks for real credentials (nor asks the
# instance-metadata address for them); the AWS tests point it at the emulator.
NO_AWS_ENV = {
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def production_env(**overrides) -> dict:
    """Production settings, as the task definition sets them, for a server on loopback."""
    return {
        "PATH": os.environ["PATH"],
        **NO_AWS_ENV,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1:8000",
        "DEFAULT_FROM_EMAIL": "AWSomeShop <rewards@awsomeshop.local>",
        "SECURE_SSL_REDIRECT": "false",  # the tests speak plain HTTP to loopback, without the ALB
        "LOG_LEVEL": "WARNING",
        "GUNICORN_WORKERS": "1",
        # No mail leaves this machine: notifications stay in the outbox (SES itself is tested
        # against the emulator in tests/aws/test_ses_notifications.py).
        "EMAIL_BACKEND": "console",
        "NOTIFICATIONS_SEND_ON_COMMIT": "off",
        **overrides,
    }


@contextmanager
def gunicorn(env: dict, log_path: Path):
    """The Dockerfile's command on a free loopback port; yields (base URL, process)."""
    port = free_port()
    log = log_path.open("w+")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "awsomeshop.wsgi:application",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=BASE,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Browser(base).request("/health/", timeout=2)[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    try:
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target. `cut()` drops every connection and refuses new ones
    (the database is gone, as far as the app can tell); `blackhole()` keeps every connection open
    and accepts new ones but passes nothing either way (a partition: packets dropped, nobody
    answers); `restore()` brings it back on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.open = False
        self.silent = threading.Event()
        self.restore()

    def blackhole(self) -> None:
        self.silent.set()

    def restore(self) -> None:
        if self.silent.is_set():
            # The partition heals: what was held silent is dead by now, as after a real one.
            self.cut()
            self.silent.clear()
        with self.lock:
            self.open = True
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            self.open = False
            # Shut down first: a close alone leaves a thread blocked in accept() holding the port.
            with suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            for sock in self.connections:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            # Every socket is registered while the proxy is open, or closed at once: a connection
            # accepted just before a cut must not survive it.
            if not self._register(client):
                return
            if self.silent.is_set():
                continue  # accepted and held, never answered
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            if not self._register(upstream):
                client.close()
                return
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _register(self, sock: socket.socket) -> bool:
        with self.lock:
            if not self.open:
                sock.close()
                return False
            self.connections.append(sock)
            return True

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                if self.silent.is_set():
                    time.sleep(0.1)  # nothing passes while the partition lasts
                    continue
                readable, _, _ = select.select([a, b], [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except (OSError, ValueError):  # ValueError: a cut closed a socket while select waited
            return
        finally:
            a.close()
            b.close()


@contextmanager
def scratch_database(prefix: str):
    """A new, empty database on the test server for a server under test; dropped afterwards."""
    import uuid

    from django.db import connection

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")
