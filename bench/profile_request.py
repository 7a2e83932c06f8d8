"""What one request costs inside the app, without HTTP or a load generator: wall and CPU time per
request through Django's WSGI handler with production settings, on the database `make bench`
left behind (awsomeshop_bench), optionally with cProfile's top functions.

    .venv/bin/python bench/profile_request.py "/api/v1/products?page_size=20" [--requests 2000] [--profile]

Set CATALOG_CACHE_SECONDS=0 to see the uncached path. The figures in docs/performance.md's "before →
after" table come from this script.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault(
    "DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", "mysql://root@127.0.0.1:3306/awsomeshop_bench")
)
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(30))
os.environ.update(
    {
        "DJANGO_ENV": "production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": "http://127.0.0.1:8000",
        "DEFAULT_FROM_EMAIL": "rewards@awsomeshop.local",
    }
)
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("STATIC_ROOT", str(ROOT / "bench" / "results" / "static"))

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="path and query, e.g. /api/v1/products?page_size=20")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print cProfile's 40 costliest functions")
    args = parser.parse_args()
    path, _, query = args.url.partition("?")
    token = Token.objects.order_by("created").first()
    handler = WSGIHandler()

    def environ() -> dict:
        return {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Token {token.key}" if token else "",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }

    statuses = []

    def request() -> None:
        b"".join(handler(environ(), lambda status, headers: statuses.append(status)))

    for _ in range(100):  # warm-up: connections, caches, imports
        request()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.requests):
        request()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{args.url}: {statuses[-1]}; per request {wall / args.requests * 1000:.2f} ms wall, {cpu / args.requests * 1000:.2f} ms CPU"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            request()
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
