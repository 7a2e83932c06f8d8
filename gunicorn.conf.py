"""gunicorn settings for the container (`gunicorn awsomeshop.wsgi:application --config gunicorn.conf.py`)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Threads serve the waits on MySQL and AWS well, and keep one process's memory per worker.
worker_class = "awsomeshop.gunicorn_worker.HealthFirstThreadWorker"  # gthread, liveness answered without a thread
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Longer than the ALB's 60 s idle timeout, so the ALB never reuses a connection we just closed (a 502).
keepalive = 75
# Recycle workers now and then, so a slow leak never grows into an outage. Not too often: a new
# worker starts with cold caches and connections (2,000 recycled a busy worker every 5 s in `make bench`).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# Behind the ALB in a private subnet: trust its X-Forwarded-* headers.
forwarded_allow_ips = "*"
# Worker heartbeats in memory, not on the container's overlay disk (gunicorn's own advice).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# The app logs one JSON line per request itself; gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn 27's control socket (~/.gunicorn/gunicorn.ctl): nothing uses it, two servers on one
# machine would share it, and the container's home need not be writable.
control_socket_disable = True
