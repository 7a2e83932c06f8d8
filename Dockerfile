# AWSomeShop: the Django app served by gunicorn on port 8000.

# --- Builder: compiles the wheels (mysqlclient needs a compiler and the client headers) -----
FROM python:3.11-slim-bookworm AS builder
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config default-libmysqlclient-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

# --- Runtime: the MySQL client library and the wheels, nothing to build with ----------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production \
    PORT=8000
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/* && rm -rf /wheels
COPY --chown=10001:10001 . .
# Static files are collected (hashed and compressed) into the image; the settings need a key and
# hosts, a site and a sender to load, which these placeholders give for this one command only.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost SITE_URL=https://localhost DEFAULT_FROM_EMAIL=build@localhost \
    python manage.py collectstatic --noinput
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live/', timeout=4).status != 200)"]
CMD ["gunicorn", "awsomeshop.wsgi:application", "--config", "gunicorn.conf.py"]
