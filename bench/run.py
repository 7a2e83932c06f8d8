"""`make bench`: how fast AWSomeShop is, against what, and how its cost grows.

Prepares a MariaDB database with a realistic data set, starts the app under gunicorn with
production settings on 127.0.0.1, drives it with a small threaded HTTP load generator on the same
machine, and prints a table (JSON goes to bench/results/). Every figure is the median of
several runs, with the spread (min–max) of throughput.
"""

import http.client
import json
import multiprocessing
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DB", "awsomeshop_bench")
DB_URL = os.environ.get("BENCH_DATABASE_URL", f"mysql://root@127.0.0.1:3306/{DB_NAME}")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(30))
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Points expire (issue 29): every redemption spends from lots either way; with expiry on, as here.
os.environ.setdefault("POINTS_EXPIRY_MONTHS", "12")
os.environ.setdefault("POINTS_EXPIRY_STARTS", "2026-01-01")
# Nothing here is on AWS: boto3 must never look for credentials (the instance-metadata address).
os.environ.update(AWS_EC2_METADATA_DISABLED="true", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")  # noqa: S106

import django  # noqa: E402

django.setup()


from django.db import connection, connections  # noqa: E402

from bench.db import database_reset  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
# Reads are cheap and their runs spread more (which worker gets which keep-alive connection):
# more, shorter runs in the same time.
READ_RUNS = int(os.environ.get("BENCH_READ_RUNS", "5"))
READ_SECONDS = float(os.environ.get("BENCH_READ_SECONDS", "2"))
SMALL_CATALOG, BIG_CATALOG = 1_000, 100_000
SMALL_LEDGER, BIG_LEDGER = 10_000, 1_000_000
USERS = 200
RESULTS = ROOT / "bench" / "results"


# --- Data --------------------------------------------------------------------------------------
def products_add(count: int, *, start: int = 0) -> None:
    """Through the catalog's one write path (a bulk import), which moves the catalog version."""
    from shop.models import Product
    from shop.services import product_import

    categories = ["Tech", "Home & Office", "Wellbeing", "Experiences", "Apparel", "Food & Drink", "Gift cards"]
    batch = []
    for i in range(start, start + count):
        batch.append(
            Product(
                name=f"Product {i:06d}",
                description=f"A fine thing, number {i}, for people who do great work.",
                category=categories[i % len(categories)],
                points_cost=50 + (i * 37) % 2000,
                stock_quantity=1_000_000,
                image=f"products/bench-{i % 50}.png",
                # Digital rewards need no delivery details in the request; their redemption also
                # looks for a code in the (empty) pool, which the figures include.
                delivery_method="digital",
            )
        )
        if len(batch) == 5000:
            product_import(products=batch)
            batch = []
    product_import(products=batch)


def users_add(count: int, points: int) -> list[tuple[str, str]]:
    """Users with a balance (and its ledger row) and an API token: (user id, token)."""
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from points.models import PointsLot, PointsTransaction, UserPoints

    users = User.objects.bulk_create([User(email=f"bench{i}-{uuid.uuid4().hex[:6]}@example.com") for i in range(count)])
    UserPoints.objects.bulk_create([UserPoints(user=u, current_points=points, total_earned=points) for u in users])
    awards = PointsTransaction.objects.bulk_create(
        [
            PointsTransaction(
                user=u, transaction_type="earned", points_amount=points, description="Bench", balance_after=points
            )
            for u in users
        ]
    )
    # Each award's lot, as the ledger opens one: redemptions spend from it.
    PointsLot.objects.bulk_create(
        [
            PointsLot(
                credit=a, user_id=a.user_id, credited_at=a.created_at, points=points, remaining=points, is_open=True
            )
            for a in awards
        ]
    )
    tokens = Token.objects.bulk_create([Token(user=u, key=secrets.token_hex(20)) for u in users])
    return [(t.user_id, t.key) for t in tokens]


def ledger_fill(rows: int, *, user_id: str) -> None:
    """Earned rows of 1 point for one user, with the balance kept equal to the ledger. Their ids
    are sequential, so a million rows append to the index instead of landing all over it."""
    now = "2026-01-01 00:00:00"
    first = ledger_count()
    with connection.cursor() as cursor:
        for start in range(0, rows, 20_000):
            size = min(20_000, rows - start)
            values = [(f"fill-{first + start + i:010d}", user_id, "earned", 1, "Filler", now) for i in range(size)]
            cursor.executemany(
                "INSERT INTO points_transactions (transaction_id, user_id, transaction_type, points_amount, description, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                values,
            )
            # Every award opens its lot (the ledger check proves the lots sum to the balance).
            cursor.executemany(
                "INSERT INTO points_lots (transaction_id, user_id, credited_at, points, remaining, is_open) "
                "VALUES (%s, %s, %s, 1, 1, TRUE)",
                [(row[0], user_id, now) for row in values],
            )
        cursor.execute(
            "UPDATE user_points SET current_points = current_points + %s, total_earned = total_earned + %s WHERE user_id = %s",
            [rows, rows, user_id],
        )


def ledger_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM points_transactions")
        return cursor.fetchone()[0]


# --- The server --------------------------------------------------------------------------------
class Server:
    def __init__(self, log: Path, workers: int = 2, threads: int = 4, **settings: str) -> None:
        self.port = self._free_port()
        env = {
            **os.environ,
            **settings,
            "DJANGO_ENV": "production",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "http://127.0.0.1:8000",
            "DEFAULT_FROM_EMAIL": "AWSomeShop <rewards@awsomeshop.local>",
            "SECURE_SSL_REDIRECT": "false",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "STATIC_ROOT": str(RESULTS / "static"),
            "THROTTLE_REDEMPTIONS": "1000000/min",
            # Each redemption's e-mail is written, after commit, by the background sender as in
            # production; to files here, since no mail may leave this machine.
            "EMAIL_BACKEND": "file",
            "EMAIL_FILE_PATH": str(RESULTS / "mail"),
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        self.log = log
        started = time.monotonic()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "awsomeshop.wsgi:application",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        while True:
            try:
                if self.get("/health/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
            if time.monotonic() - started > 60:
                raise RuntimeError("gunicorn did not become healthy in 60 s")
        self.first_healthy_seconds = time.monotonic() - started

    @staticmethod
    def _free_port() -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()

    def worker_rss_mb(self) -> list[float]:
        pids = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        sizes = []
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def retries_logged(self) -> int:
        return self.log.read_text().count("Retrying")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# --- The load generator ------------------------------------------------------------------------
def run_timed(make_caller, clients: int, seconds: float) -> dict:
    """`clients` threads, each calling its own `call(n)` (made by `make_caller(i)`) until the time
    is up; `call` returns the status it got. Latencies and statuses of all threads, summed up."""
    return summary(*_run_threads(make_caller, range(clients), seconds))


def _run_threads(make_caller, indexes: range, seconds: float, ready=None) -> tuple[list[float], Counter, float]:
    """One thread per client index; the timed window opens once every client is ready (and,
    with `ready`, once every load process is). Returns latencies, statuses and elapsed time."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    window: dict[str, float] = {}

    def open_window() -> None:
        if ready is not None:
            ready.wait()
        window["began"] = time.monotonic()
        window["deadline"] = window["began"] + seconds

    start = threading.Barrier(len(indexes), action=open_window)

    def worker(index: int) -> None:
        call, close = make_caller(index)
        mine, counts, n = [], Counter(), 0
        start.wait()
        try:
            while time.monotonic() < window["deadline"]:
                began = time.perf_counter()
                counts[call(n)] += 1
                mine.append(time.perf_counter() - began)
                n += 1
        finally:
            close()
        with lock:
            latencies.extend(mine)
            statuses.update(counts)

    threads = [threading.Thread(target=worker, args=(i,)) for i in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.monotonic() - window["began"]


CONNECT_STAGGER_SECONDS = 0.01
# HTTP clients run in this many processes: one Python process's threads contend for its GIL, and
# at 32 clients of a fast endpoint the generator, not the server, set the pace.
LOAD_PROCESSES = 2


def drive(port: int, request_for, clients: int, seconds: float) -> dict:
    """HTTP load: each client keeps one keep-alive connection."""

    def make_caller(index: int):
        state = {"conn": http.client.HTTPConnection("127.0.0.1", port, timeout=30)}
        # Connect one by one, not in one burst: a burst lets one gunicorn worker accept most of
        # the connections (kept alive for the whole run), which halved some runs' throughput.
        time.sleep(index * CONNECT_STAGGER_SECONDS)
        state["conn"].connect()

        def call(n: int):
            method, path, body, headers = request_for(index, n)
            try:
                state["conn"].request(method, path, body=body, headers=headers)
                response = state["conn"].getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                state["conn"] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                return "error"

        return call, lambda: state["conn"].close()

    if clients < LOAD_PROCESSES:
        return run_timed(make_caller, clients, seconds)
    return summary(*_run_in_processes(make_caller, clients, seconds))


def _run_in_processes(
    make_caller, clients: int, seconds: float, processes: int = LOAD_PROCESSES
) -> tuple[list[float], Counter, float]:
    """The clients split over forked processes whose timed windows open together."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    ready = context.Barrier(processes)
    shares = [range(i, clients, processes) for i in range(processes)]

    def child(indexes: range) -> None:
        results.put(_run_threads(make_caller, indexes, seconds, ready))
        results.close()
        results.join_thread()
        # No interpreter clean-up: it would close the parent's database connection, inherited here.
        os._exit(0)

    processes = [context.Process(target=child, args=(share,)) for share in shares]
    for process in processes:
        process.start()
    parts = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    latencies = [latency for part in parts for latency in part[0]]
    statuses = sum((part[1] for part in parts), Counter())
    return latencies, statuses, max(part[2] for part in parts)


def summary(latencies: list[float], statuses: Counter, elapsed: float) -> dict:
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "statuses": dict(statuses),
    }


def repeated(run_once, times: int = RUNS) -> dict:
    runs = [run_once() for _ in range(times)]
    merged_statuses: Counter = Counter()
    for run in runs:
        merged_statuses.update(run["statuses"])
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "rps_min": min(r["rps"] for r in runs),
        "rps_max": max(r["rps"] for r in runs),
        "p50": statistics.median(r["p50"] for r in runs),
        "p95": statistics.median(r["p95"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "statuses": {str(k): v for k, v in merged_statuses.items()},
    }


# --- Scenarios ---------------------------------------------------------------------------------
def catalog_endpoints(cached: Server, uncached: Server, token: str, session: str) -> list[tuple]:
    """(name, server, path, headers): the floor first, then each API page without and with the
    catalog page cache (two servers that differ only in CATALOG_CACHE_SECONDS)."""
    auth = {"Authorization": f"Token {token}"}
    return [
        ("floor: .values() + JsonResponse (20 rows)", uncached, "/bench/floor/products?page_size=20", {}),
        ("API /products, page of 20", uncached, "/api/v1/products?page_size=20", auth),
        ("API /products, page of 20, cached", cached, "/api/v1/products?page_size=20", auth),
        ("API /products, page of 100", uncached, "/api/v1/products?page_size=100", auth),
        ("API /products, page of 100, cached", cached, "/api/v1/products?page_size=100", auth),
        ("API /products?category=Tech, 20", uncached, "/api/v1/products?page_size=20&category=Tech", auth),
        ("API /products?category=Tech, 20, cached", cached, "/api/v1/products?page_size=20&category=Tech", auth),
        ("portal catalog page (12 cards)", uncached, "/", {"Cookie": f"sessionid={session}"}),
    ]


def catalog_read(endpoints: list[tuple]) -> list[dict]:
    """Each endpoint at 8 and 32 clients, as a ratio of the floor (the first endpoint)."""
    for _name, server, path, headers in endpoints:  # warm-up: connections, imports, caches
        drive(server.port, lambda i, n, p=path, h=headers: ("GET", p, None, h), 8, 1)
    rows = []
    for clients in (8, 32):
        floor = None
        for name, server, path, headers in endpoints:
            result = repeated(
                lambda s=server, p=path, h=headers, c=clients: drive(
                    s.port, lambda i, n: ("GET", p, None, h), c, READ_SECONDS
                ),
                times=READ_RUNS,
            )
            floor = floor or result["rps"]
            rows.append({"scenario": name, "clients": clients, **result, "vs_floor": round(result["rps"] / floor, 2)})
    return rows


# Direct (no HTTP) redemption loads run in this many processes, so one process's GIL does not
# set the pace of the service or of its plain-SQL floor.
DIRECT_PROCESSES = 4


def redemption(server: Server, users: list[tuple[str, str]], product_ids: list[str]) -> list[dict]:
    from orders.services import order_redeem
    from programme.selectors import ledger_problem_list
    from shop.models import Product

    prices = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "points_cost"))

    rows = []
    for label, pick in (
        ("spread over 200 products", lambda i, n: product_ids[(i * 7 + n) % len(product_ids)]),
        ("one hot product", lambda i, n: product_ids[0]),
    ):
        for clients in (1, 4, 16, 64):

            def request_for(i, n, pick=pick):
                user_token = users[i % len(users)][1]
                body = json.dumps({"product_id": pick(i, n)})
                headers = {
                    "Authorization": f"Token {user_token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": uuid.uuid4().hex,
                }
                return "POST", "/api/v1/orders", body, headers

            retries_before = server.retries_logged()
            http_result = repeated(lambda c=clients, r=request_for: drive(server.port, r, c, SECONDS))
            direct = repeated(lambda c=clients, p=pick: direct_redeem(order_redeem, users, p, c, SECONDS))
            floor = repeated(lambda c=clients, p=pick: floor_redeem(prices, users, p, c, SECONDS))
            problems = ledger_problem_list()
            rows.append(
                {
                    "scenario": f"redeem, {label}",
                    "clients": clients,
                    **http_result,
                    "direct_rps": direct["rps"],
                    "floor_rps": floor["rps"],
                    "vs_direct": round(http_result["rps"] / direct["rps"], 2) if direct["rps"] else None,
                    "direct_vs_floor": round(direct["rps"] / floor["rps"], 2) if floor["rps"] else None,
                    "deadlock_retries": server.retries_logged() - retries_before,
                    "ledger_problems": len(problems),
                }
            )
    return rows


def _direct_load(make_caller, clients: int, seconds: float) -> dict:
    """Threads, spread over DIRECT_PROCESSES processes once there are enough clients."""
    if clients < DIRECT_PROCESSES:
        return run_timed(make_caller, clients, seconds)
    connections.close_all()  # each forked process opens its own
    return summary(*_run_in_processes(make_caller, clients, seconds, processes=DIRECT_PROCESSES))


def direct_redeem(order_redeem, users, pick, clients: int, seconds: float) -> dict:
    """The baseline: the redemption service called from threads, no HTTP."""
    from awsomeshop.exceptions import ShopError

    def make_caller(index: int):
        def call(n: int):
            try:
                order_redeem(
                    user_id=users[index % len(users)][0], product_id=pick(index, n), idempotency_key=uuid.uuid4().hex
                )
                return 201
            except ShopError:
                return 422

        return call, connections.close_all

    return _direct_load(make_caller, clients, seconds)


def floor_redeem(prices: dict[str, int], users, pick, clients: int, seconds: float) -> dict:
    """The redemption's floor: every row a placed order writes, by plain SQL in one transaction
    (lock and update the balance, update the stock, insert the order, the ledger row and the
    outbox row, take the points from the oldest lot and record the move, take the product off the
    wishlist), no checks. A Placed order writes no status-history row: its first step is the
    order's own created_at (only a digital order delivered at once records a step)."""
    from django.db import transaction
    from django.utils import timezone

    def make_caller(index: int):
        user_id = users[index % len(users)][0]

        def call(n: int):
            product_id = pick(index, n)
            cost = prices[product_id]
            order_id, now = str(uuid.uuid4()), connection.ops.adapt_datetimefield_value(timezone.now())
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT current_points FROM user_points WHERE user_id = %s FOR UPDATE", [user_id])
                balance = cursor.fetchone()[0]
                if balance < cost:
                    return 422
                cursor.execute(
                    "UPDATE user_points SET current_points = current_points - %s, total_redeemed = total_redeemed + %s,"
                    " updated_at = %s WHERE user_id = %s",
                    [cost, cost, now, user_id],
                )
                cursor.execute(
                    "UPDATE products SET stock_quantity = stock_quantity - 1, updated_at = %s WHERE product_id = %s",
                    [now, product_id],
                )
                cursor.execute(
                    "INSERT INTO orders (order_id, user_id, product_id, points_used, status, created_at,"
                    " idempotency_key) VALUES (%s, %s, %s, %s, 'Placed', %s, %s)",
                    [order_id, user_id, product_id, cost, now, uuid.uuid4().hex],
                )
                entry_id = str(uuid.uuid4())
                cursor.execute(
                    "INSERT INTO points_transactions (transaction_id, user_id, transaction_type, points_amount,"
                    " order_id, description, created_at, balance_after) VALUES (%s, %s, 'redeemed', %s, %s, %s, %s, %s)",
                    [entry_id, user_id, cost, order_id, "Redeemed", now, balance - cost],
                )
                # Spent from the oldest lot, as the ledger spends (one lot covers it here).
                cursor.execute(
                    "SELECT transaction_id, remaining FROM points_lots WHERE user_id = %s AND is_open"
                    " ORDER BY credited_at, transaction_id LIMIT 1 FOR UPDATE",
                    [user_id],
                )
                lot_id, remaining = cursor.fetchone()
                cursor.execute(
                    "UPDATE points_lots SET remaining = %s, is_open = %s WHERE transaction_id = %s",
                    [remaining - cost, remaining > cost, lot_id],
                )
                cursor.execute(
                    "INSERT INTO points_lot_moves (lot_id, transaction_id, points) VALUES (%s, %s, %s)",
                    [lot_id, entry_id, cost],
                )
                # A redeemed product leaves the wishlist (here: nothing to delete, as in the service).
                cursor.execute(
                    "DELETE FROM wishlist_items WHERE user_id = %s AND product_id = %s", [user_id, product_id]
                )
                cursor.execute(
                    "INSERT INTO notifications (recipient_id, kind, topic, title, body, link, created_at,"
                    " email_status, attempts, last_error, next_attempt_at)"
                    " VALUES (%s, 'order_placed', 'orders', %s, %s, %s, %s, 'pending', 0, '', %s)",
                    [user_id, f"Order {order_id[:8]} is placed", f"{cost:,} points", f"/orders/{order_id}/", now, now],
                )
            return 201

        return call, connections.close_all

    return _direct_load(make_caller, clients, seconds)


# --- The sender beside the load ------------------------------------------------------------------
class Sender:
    """`manage.py send_notifications --forever` as its own process, as production runs it, writing
    the e-mails to files (no mail leaves this machine): one file per batch, each message with its
    Message-ID, so every row's e-mails can be counted."""

    def __init__(self, mail_dir: Path, log: Path) -> None:
        mail_dir.mkdir(parents=True, exist_ok=True)
        for old in mail_dir.iterdir():
            old.unlink()
        self.mail_dir = mail_dir
        env = {
            **os.environ,
            "DJANGO_ENV": "production",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "http://127.0.0.1:8000",
            "DEFAULT_FROM_EMAIL": "AWSomeShop <rewards@awsomeshop.local>",
            "EMAIL_BACKEND": "file",
            "EMAIL_FILE_PATH": str(mail_dir),
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "send_notifications", "--forever", "--batch", "200"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def message_ids(self) -> Counter:
        ids: Counter = Counter()
        for path in self.mail_dir.iterdir():
            for line in path.read_text(errors="replace").splitlines():
                found = re.match(r"Message-ID: <notification-(\d+)@", line)
                if found:
                    ids[int(found.group(1))] += 1
        return ids

    def stop(self) -> int:
        self.process.send_signal(15)
        return self.process.wait(timeout=60)


def _outbox_unsent(since_id: int) -> int:
    from notifications.models import Notification

    return Notification.objects.filter(pk__gt=since_id, email_status__in=["pending", "sending"]).count()


def sender_beside_load(server: Server, users: list[tuple[str, str]], product_ids: list[str]) -> dict:
    """HTTP redemptions at 16 clients with the sender running beside them, then: how long the outbox
    takes to drain after the load stops, whether every row of the load was sent exactly once, and
    how long an e-mail waits from its commit to its sending (sent_at - created_at), under the load
    and on a quiet system (one redemption a second)."""
    from django.db.models import Max

    from notifications.models import Notification

    # What the earlier runs left in the outbox is not this phase's: set aside.
    Notification.objects.filter(email_status__in=["pending", "sending"]).update(email_status="skipped")
    since = Notification.objects.aggregate(last=Max("id"))["last"] or 0
    sender = Sender(RESULTS / "mail-sender", RESULTS / "sender.log")

    def request_for(i, n):
        body = json.dumps({"product_id": product_ids[(i * 7 + n) % len(product_ids)]})
        headers = {
            "Authorization": f"Token {users[i % len(users)][1]}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        return "POST", "/api/v1/orders", body, headers

    try:
        load = drive(server.port, request_for, 16, SECONDS * RUNS)
        stopped = time.monotonic()
        backlog_at_stop = _outbox_unsent(since)
        while _outbox_unsent(since) and time.monotonic() - stopped < 120:
            time.sleep(0.05)
        drain = time.monotonic() - stopped
        under_load = Notification.objects.filter(pk__gt=since).values_list("pk", flat=True)
        quiet_since = max(under_load, default=since)
        for n in range(10):  # a quiet system: one redemption a second
            drive(server.port, lambda i, k, n=n: request_for(1000 + n, k), 1, 0.01)
            time.sleep(1)
        while _outbox_unsent(quiet_since) and time.monotonic() - stopped < 180:
            time.sleep(0.05)
        sent = sender.message_ids()
    finally:
        exit_code = sender.stop()

    def waits(rows) -> dict:
        seconds = sorted((row.sent_at - row.created_at).total_seconds() for row in rows if row.sent_at)
        if not seconds:
            return {}
        return {
            "p50_s": round(statistics.median(seconds), 2),
            "p95_s": round(seconds[int(len(seconds) * 0.95) - 1], 2),
            "max_s": round(seconds[-1], 2),
        }

    load_rows = list(Notification.objects.filter(pk__gt=since, pk__lte=quiet_since).only("created_at", "sent_at"))
    quiet_rows = list(Notification.objects.filter(pk__gt=quiet_since).only("created_at", "sent_at"))
    ids = [row.pk for row in load_rows]
    return {
        "redemptions": sum(v for k, v in load["statuses"].items() if str(k) == "201"),
        "redemptions_per_s": load["rps"],
        "notifications": len(ids),
        "backlog_at_stop": backlog_at_stop,
        "drained_after_s": round(drain, 2),
        "sent_once": sum(1 for pk in ids if sent.get(pk) == 1),
        "sent_twice_or_more": sum(1 for pk in ids if sent.get(pk, 0) > 1),
        "not_sent": sum(1 for pk in ids if pk not in sent),
        "wait_under_load": waits(load_rows),
        "wait_quiet": waits(quiet_rows),
        "sender_exit_code": exit_code,
    }


def explain_list_queries(user_id: str) -> list[dict]:
    from orders.selectors import order_list_for_user
    from points.selectors import points_transaction_list
    from shop.filters import SORTS
    from shop.selectors import product_list

    queries = {
        "catalog page (by name)": product_list().order_by(*SORTS["name"][1])[:20],
        "catalog by category": product_list().filter(category="Tech").order_by(*SORTS["name"][1])[:20],
        "catalog by points": product_list().order_by(*SORTS["points"][1])[:20],
        "my transactions": points_transaction_list(user_id=user_id)[:20],
        "my orders": order_list_for_user(user_id=user_id)[:20],
    }
    report = []
    for name, queryset in queries.items():
        plan = queryset.explain()
        report.append({"query": name, "full_scan": " ALL " in f" {plan} ".replace("\t", " "), "plan": plan})
    return report


def growth(server: Server, token: str, heavy_user_token: str) -> dict:
    auth = {"Authorization": f"Token {token}"}

    def latency(path: str, headers: dict) -> dict:
        return repeated(lambda: drive(server.port, lambda i, n: ("GET", path, None, headers), 4, SECONDS / 2))

    return {
        "catalog": latency("/api/v1/products?page_size=20", auth),
        "my_transactions": latency(
            "/api/v1/me/transactions?page_size=20", {"Authorization": f"Token {heavy_user_token}"}
        ),
    }


def session_for(user_id: str) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    store = SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = user.pk, "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


# --- Footprint ----------------------------------------------------------------------------------
def image_layers_mb() -> dict:
    """What the Dockerfile adds to its base image, computed without Docker: the installed files
    of the runtime requirements and everything they need, the app as `COPY . .` takes it (minus
    .dockerignore), and the static files collectstatic writes."""
    from importlib import metadata

    from packaging.requirements import Requirement

    lines = (ROOT / "requirements.txt").read_text().splitlines()
    todo = [Requirement(line).name for line in lines if line.strip() and not line.startswith("#")]
    seen: set[str] = set()
    packages = 0
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        dist = metadata.distribution(name)
        packages += sum(f.locate().stat().st_size for f in dist.files or [] if f.locate().is_file())
        for requirement in map(Requirement, dist.requires or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    ignored = [p.strip().rstrip("/") for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip()]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    app = sum(
        (ROOT / path).stat().st_size
        for path in tracked.splitlines()
        if (ROOT / path).is_file() and not any(path == p or path.startswith(p + "/") for p in ignored)
    )
    static = sum(f.stat().st_size for f in (RESULTS / "static").rglob("*") if f.is_file())
    mb = 1024 * 1024
    return {
        "packages": round(packages / mb, 1),
        "app": round(app / mb, 1),
        "static": round(static / mb, 1),
        "total": round((packages + app + static) / mb, 1),
    }


# --- Main ------------------------------------------------------------------------------------------
def targets(results: dict) -> list[dict]:
    """Each performance target (docs/performance.md) with this run's figure, met or missed."""
    catalog = {(row["scenario"], row["clients"]): row for row in results["catalog"]}
    redeem = {(row["scenario"], row["clients"]): row for row in results["redemption"]}
    spread16, hot16 = redeem[("redeem, spread over 200 products", 16)], redeem[("redeem, one hot product", 16)]
    rows = []

    def check(target: str, figure, met: bool) -> None:
        rows.append({"target": target, "figure": figure, "result": "met" if met else "MISSED"})

    for clients in (8, 32):
        uncached = catalog[("API /products, page of 20", clients)]["vs_floor"]
        cached = catalog[("API /products, page of 20, cached", clients)]["vs_floor"]
        check(f"uncached catalog page of 20 >= 0.6x floor ({clients} clients)", uncached, uncached >= 0.6)
        check(f"cached catalog page of 20 >= 1.5x floor ({clients} clients)", cached, cached >= 1.5)
    check(
        "direct redemption >= 0.5x its floor (16 clients, 200 products)",
        spread16["direct_vs_floor"],
        spread16["direct_vs_floor"] >= 0.5,
    )
    for row in (spread16, hot16):
        label = row["scenario"].removeprefix("redeem, ")
        check(f"HTTP redemption >= 0.5x direct (16 clients, {label})", row["vs_direct"], row["vs_direct"] >= 0.5)
        check(f"HTTP redemption p99 < 250 ms (16 clients, {label})", row["p99"], row["p99"] < 250)
    ratio = round(spread16["rps"] / hot16["rps"], 2)
    check("spread over 200 products >= 1.3x one hot product (HTTP, 16 clients)", ratio, ratio >= 1.3)
    server_errors = sum(v for row in results["redemption"] for k, v in row["statuses"].items() if k.startswith("5"))
    check("no 5xx in any redemption run", server_errors, server_errors == 0)
    problems = sum(row["ledger_problems"] for row in results["redemption"])
    check("ledger clean after every redemption run", problems, problems == 0)
    sender = results["sender"]
    check(
        "the outbox drains within 10 s after the load stops", sender["drained_after_s"], sender["drained_after_s"] < 10
    )
    once = sender["sent_once"] == sender["notifications"] and not sender["sent_twice_or_more"]
    check("every redemption's e-mail sent exactly once", f"{sender['sent_once']}/{sender['notifications']}", once)
    growth = results["growth"][0]["ratio"]
    check("catalog p50 from 1,000 to 100,000 products <= 1.5x", growth, growth <= 1.5)
    quiet = sender["wait_quiet"].get("max_s")
    check("an e-mail leaves within a few seconds of its commit (quiet, max)", quiet, quiet is not None and quiet < 5)
    return rows


def table(rows: list[dict], columns: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    lines = [" | ".join(c.ljust(widths[c]) for c in columns), "-+-".join("-" * widths[c] for c in columns)]
    lines += [" | ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    machine = f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {connection.vendor}"
    print(f"Preparing {DB_NAME} ({SMALL_CATALOG:,} products, {USERS} users) on {machine}", flush=True)
    database_reset()
    products_add(SMALL_CATALOG)
    users = users_add(USERS, points=2_000_000_000)  # enough for every run of every load
    heavy_user = users[0][0]
    ledger_fill(SMALL_LEDGER - ledger_count(), user_id=users[-1][0])
    from shop.models import Product

    product_ids = list(Product.objects.order_by("name").values_list("pk", flat=True)[:200])
    server = Server(RESULTS / "gunicorn.log")
    uncached = Server(RESULTS / "gunicorn-uncached.log", CATALOG_CACHE_SECONDS="0")
    results: dict = {"machine": machine, "first_healthy_seconds": round(server.first_healthy_seconds, 2)}
    try:
        session = session_for(users[1][0])
        endpoints = catalog_endpoints(server, uncached, users[1][1], session)
        print("Catalog read path…", flush=True)
        results["catalog"] = catalog_read(endpoints)
        results["worker_rss_mb"] = [round(x, 1) for x in server.worker_rss_mb()]
        print("Redemption write path…", flush=True)
        results["redemption"] = redemption(server, users, product_ids)
        print("The sender beside the load…", flush=True)
        results["sender"] = sender_beside_load(server, users, product_ids)
        print("Growth: small data set…", flush=True)
        small = growth(uncached, users[1][1], users[2][1])
        print(
            f"Growth: adding {BIG_CATALOG - SMALL_CATALOG:,} products and {BIG_LEDGER - ledger_count():,} ledger rows…",
            flush=True,
        )
        products_add(BIG_CATALOG - SMALL_CATALOG, start=SMALL_CATALOG)
        ledger_fill(BIG_LEDGER - ledger_count(), user_id=users[-1][0])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE TABLE products, points_transactions, orders")
            cursor.fetchall()
        big = growth(uncached, users[1][1], users[2][1])
        results["growth"] = [
            {
                "what": f"catalog API, {SMALL_CATALOG:,} → {BIG_CATALOG:,} products",
                "small_p50": small["catalog"]["p50"],
                "big_p50": big["catalog"]["p50"],
                "ratio": round(big["catalog"]["p50"] / small["catalog"]["p50"], 2),
            },
            {
                "what": f"my transactions, {SMALL_LEDGER:,} → {BIG_LEDGER:,} ledger rows",
                "small_p50": small["my_transactions"]["p50"],
                "big_p50": big["my_transactions"]["p50"],
                "ratio": round(big["my_transactions"]["p50"] / small["my_transactions"]["p50"], 2),
            },
        ]
        results["explain"] = explain_list_queries(heavy_user)
    finally:
        server.stop()
        uncached.stop()
    results["image_layers_mb"] = image_layers_mb()
    results["targets"] = targets(results)
    results["seconds"] = round(time.monotonic() - began)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))

    print(
        f"\nAWSomeShop benchmark — {machine}; load generator on the same machine; median of {READ_RUNS} runs of "
        f"{READ_SECONDS:g} s (reads) and {RUNS} runs of {SECONDS:g} s (redemptions)\n"
    )
    print("Catalog read path (requests/s; latency ms)")
    print(
        table(results["catalog"], ["scenario", "clients", "rps", "rps_min", "rps_max", "p50", "p95", "p99", "vs_floor"])
    )
    print(
        "\nRedemption write path (POST /api/v1/orders; direct = the service, floor = the same rows by plain SQL,"
        f" both without HTTP from threads in {DIRECT_PROCESSES} processes)"
    )
    print(
        table(
            results["redemption"],
            [
                "scenario",
                "clients",
                "rps",
                "p50",
                "p95",
                "p99",
                "statuses",
                "deadlock_retries",
                "ledger_problems",
                "direct_rps",
                "floor_rps",
                "vs_direct",
                "direct_vs_floor",
            ],
        )
    )
    sender = results["sender"]
    print(
        f"\nThe sender beside the load (its own process, 16 HTTP clients for {SECONDS * RUNS:g} s): "
        f"{sender['redemptions']:,} redemptions at {sender['redemptions_per_s']:,}/s wrote {sender['notifications']:,} "
        f"notifications; {sender['backlog_at_stop']:,} waited when the load stopped, all sent "
        f"{sender['drained_after_s']} s later; sent once: {sender['sent_once']:,}, twice or more: "
        f"{sender['sent_twice_or_more']}, not sent: {sender['not_sent']}. Commit to sending: under the load "
        f"{sender['wait_under_load']}, quiet {sender['wait_quiet']}; the sender stopped with exit code "
        f"{sender['sender_exit_code']}."
    )
    print("\nTargets")
    print(table(results["targets"], ["target", "figure", "result"]))
    print("\nGrowth (p50 ms with 4 clients)")
    print(table(results["growth"], ["what", "small_p50", "big_p50", "ratio"]))
    print("\nEXPLAIN of the list queries (big data set)")
    print(
        table(
            [{**e, "full_scan": "FULL SCAN" if e["full_scan"] else "index"} for e in results["explain"]],
            ["query", "full_scan"],
        )
    )
    print(
        f"\nFootprint: worker RSS after warm-up {results['worker_rss_mb']} MB; first healthy /health/ after {results['first_healthy_seconds']} s"
    )
    layers = results["image_layers_mb"]
    print(
        f"Image: our layers add {layers['total']} MB to the python:3.11-slim-bookworm base (runtime packages "
        f"{layers['packages']} MB, app {layers['app']} MB, collected static {layers['static']} MB; the base and "
        "libmariadb3 come on top and are not measured: no Docker engine here)"
    )
    print(f"Total time: {results['seconds']} s; JSON: bench/results/bench-{stamp}.json")


if __name__ == "__main__":
    main()
