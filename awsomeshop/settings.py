"""AWSomeShop settings: one module, read from the environment.

Every variable read here is listed in docs/configuration.md. The defaults are safe for a
developer's machine (SQLite, local files, DEBUG on); production (DJANGO_ENV=production) has no
default for a secret and refuses to start without one.
"""

import ipaddress
import re
import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.encoding import punycode

from awsomeshop.email_address import email_address_parse

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state (the SQLite file, uploaded media, the development secret key) lives here, git-ignored.
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
_LOOPBACK = {host.strip("[]") for host in LOCAL_HOSTS}  # as urlsplit gives a host name (no brackets)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"
# Off unless asked for (DEBUG=true): `make run`'s demo shows the portal's own error pages, as
# production does, never Django's debug page with the settings and someone else's data.
DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key() -> str:
    """A key generated once per checkout, so local sessions survive a restart."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY") if IS_PRODUCTION else env.str("SECRET_KEY", default="") or _development_secret_key()
# Production names its hosts; there is no default to fall back on.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS") if IS_PRODUCTION else env.list("ALLOWED_HOSTS", default=LOCAL_HOSTS)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many proxies in front of the app append to X-Forwarded-For: in production exactly one, the
# ALB, whose entry (the last) is the client's address; earlier entries come from the client and
# can be forged. Throttles and django-axes count per this address (accounts.security.client_ip).
NUM_PROXIES = env.int("NUM_PROXIES", default=1 if IS_PRODUCTION else 0)

INSTALLED_APPS = [
    # Django's admin on a site that refuses query-string lookups beyond each list's own filters.
    "audit.admin_site.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "shop",
    "points",
    "orders",
    "recognition",
    "notifications",
    "audit",
    "programme",
    "demo",
]

MIDDLEWARE = [
    # First, before anything that reads the database: while it stalls, new requests hear so at once.
    "awsomeshop.middleware.StalledDatabaseGuardMiddleware",
    # The ALB's health check is answered before host checks, HTTPS redirects and logging.
    "awsomeshop.middleware.HealthCheckMiddleware",
    "awsomeshop.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "awsomeshop.middleware.ApiNoStoreMiddleware",
    # Cached catalog pages for API callers, before the session, CSRF and DRF work they need not do.
    "shop.catalog_cache.CatalogPageCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the language cookie (the footer's choice), then the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who changes what, for the audit trail: after the session's user is known.
    "audit.middleware.AuditContextMiddleware",
    # A signed-in person's own language setting comes before the cookie and the browser's.
    "accounts.languages.UserLanguageMiddleware",
    # Dates in the reader's own zone, when their browser has said which.
    "awsomeshop.timezones.BrowserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns its lockout into our locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "awsomeshop.urls"
WSGI_APPLICATION = "awsomeshop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "points.context_processors.balance",
                "notifications.context_processors.unread",
                "awsomeshop.timezones.time_zone",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if env.str("DB_HOST", default=""):
    # On ECS: host, port and name as settings, user and password from the RDS secret's fields.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "HOST": env.str("DB_HOST"),
            "PORT": env.int("DB_PORT", default=3306),
            "NAME": env.str("DB_NAME", default="awsomeshop"),
            "USER": env.str("DB_USER"),
            "PASSWORD": env.str("DB_PASSWORD"),
        }
    }
else:
    DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
# gunicorn's threads per worker (gunicorn.conf.py reads the same variable), and how long the oldest
# request may wait before a stalled database turns new ones away (StalledDatabaseGuardMiddleware).
WEB_THREADS = env.int("GUNICORN_THREADS", default=4)
DB_STALL_SECONDS = env.float("DB_STALL_SECONDS", default=2.0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"]["OPTIONS"] = {
        "charset": "utf8mb4",
        # Each statement sees the latest committed rows, so a conditional UPDATE re-checks the
        # balance another transaction just committed instead of a stale snapshot.
        "isolation_level": "read committed",
        # Strict mode turns silent truncation into errors; UTC keeps TIMESTAMP columns honest.
        # A lock wait ends inside the read timeout, as a 1205 that the service retries, instead of
        # MySQL's 50 s default outliving the 4 s read timeout (an unretried 2013).
        "init_command": "SET sql_mode='STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',"
        " time_zone='+00:00',"
        f" innodb_lock_wait_timeout={env.int('DB_LOCK_WAIT_TIMEOUT', default=3)}",
        # Bounded waits: a database that stops answering (a partition, a failover seen from the old
        # address) gives an error within seconds, never a worker hung: a request answers 503 within
        # about 6 s (a dead pooled connection's read, then a new connection's connect), well inside
        # gunicorn's 30 s and the ALB's 60 s, and a thread stuck so frees within 4 s for the
        # health checks (docs/reliability.md). Long jobs (the nightly ledger check) set their own
        # DB_READ_TIMEOUT.
        "connect_timeout": env.int("DB_CONNECT_TIMEOUT", default=2),
        "read_timeout": env.int("DB_READ_TIMEOUT", default=4),
        "write_timeout": env.int("DB_WRITE_TIMEOUT", default=4),
    }
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A read replica (Aurora's reader endpoint, an RDS read replica), off by default: set
# DB_REPLICA_HOST and the selectors' reads outside transactions go there (awsomeshop/db_router.py).
if env.str("DB_REPLICA_HOST", default=""):
    DATABASES["replica"] = {
        **DATABASES["default"],
        "HOST": env.str("DB_REPLICA_HOST"),
        "TEST": {**DATABASES["default"].get("TEST", {}), "MIRROR": "default"},
    }
DATABASE_ROUTERS = ["awsomeshop.db_router.ReadReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "shop:product_list"
LOGOUT_REDIRECT_URL = "login"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Tokens first, so an anonymous API call is a 401 with the right `WWW-Authenticate` challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.ApiTokenAuthentication",
        "accounts.api_auth.BrowserSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "awsomeshop.api_defaults.PageNumberPaginationWithSize",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["awsomeshop.api_defaults.BoundedJSONParser"],
    "DEFAULT_METADATA_CLASS": "awsomeshop.api_defaults.InputMetadata",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["awsomeshop.api_defaults.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "redemptions": env.str("THROTTLE_REDEMPTIONS", default="30/min"),
        "awards": env.str("THROTTLE_AWARDS", default="600/min"),
        "sign_in": env.str("THROTTLE_SIGN_IN", default="10/min"),
    },
    "EXCEPTION_HANDLER": "awsomeshop.api.api_exception_handler",
    # Throttles count per client address (accounts.security.client_ip), never the raw header.
    "NUM_PROXIES": NUM_PROXIES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")
SPECTACULAR_SETTINGS = {
    "TITLE": "AWSomeShop API",
    "DESCRIPTION": (
        "The employee rewards shop for mobile clients. Sign in with `POST /api/v1/auth/token` (local) or a "
        "Cognito token, then send `Authorization: Token <token>` (or `Bearer <JWT>`). Every error has the "
        'shape `{"error": {"code", "message", "details"}}`. Redemptions take an `Idempotency-Key` header.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Orders and award requests both have a `status`; each keeps its own enum's name.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "AwardRequestStatusEnum": "points.models.AwardBatch.Status",
    },
    # Component names without the serializers' Output/Request suffixes: Order, OrderDetail, RedeemInput.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "awsomeshop.api_defaults.schema_component_names_tidied",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Points ---------------------------------------------------------------------------------
# The most one award may give: large enough for any real bonus, small enough that a typo
# (an extra three zeros) is refused instead of paid out.
POINTS_MAX_AWARD = env.int("POINTS_MAX_AWARD", default=100_000)
# Four eyes: an award of more than this many points waits for a second HR user's approval
# before it credits anything (0: no award needs one).
POINTS_APPROVAL_ABOVE = env.int("POINTS_APPROVAL_ABOVE", default=1_000)
# Points lapse this many months after the month they were earned in (points.expiry); 0: never.
# Switched on for a programme that already runs, lots earned before POINTS_EXPIRY_STARTS count
# from that day, so nothing old lapses the first night and everyone is reminded first.
POINTS_EXPIRY_MONTHS = env.int("POINTS_EXPIRY_MONTHS", default=0)
_expiry_starts = env.str("POINTS_EXPIRY_STARTS", default="")
try:
    POINTS_EXPIRY_STARTS = date.fromisoformat(_expiry_starts) if _expiry_starts else None
except ValueError:
    raise ImproperlyConfigured(f"POINTS_EXPIRY_STARTS is a day, YYYY-MM-DD, not {_expiry_starts!r}.") from None
if not 0 <= POINTS_EXPIRY_MONTHS <= 120:
    raise ImproperlyConfigured(f"POINTS_EXPIRY_MONTHS is 0 (off) to 120, not {POINTS_EXPIRY_MONTHS}.")
if POINTS_EXPIRY_STARTS is not None and not date(2000, 1, 1) <= POINTS_EXPIRY_STARTS <= date(2099, 12, 31):
    raise ImproperlyConfigured(f"POINTS_EXPIRY_STARTS is a day from 2000 to 2099, not {POINTS_EXPIRY_STARTS}.")
if POINTS_EXPIRY_MONTHS and POINTS_EXPIRY_STARTS is None:
    raise ImproperlyConfigured(
        "POINTS_EXPIRY_MONTHS needs POINTS_EXPIRY_STARTS (YYYY-MM-DD): the day expiry is switched on, which "
        "points earned before it count from."
    )

# --- Internationalisation -------------------------------------------------------------------
# The shop speaks English and German (locale/). A page's language is the person's own setting, then
# the footer's choice (a cookie), then the browser's Accept-Language, then LANGUAGE_CODE: the
# company's language, which e-mails to people without a setting are written in too.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE is one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# One rule for numbers, dates and times, per language (awsomeshop/formats): thousands grouped
# ("1,100" / "1.100"), days as "3 Dec 2026" / "3. Dez. 2026", times with their zone.
FORMAT_MODULE_PATH = ["awsomeshop.formats"]
USE_THOUSAND_SEPARATOR = True
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, whitenoise serves straight from the app folders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
# Outside production the files are found where they are written (no collectstatic), re-read as they change.
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
PRODUCT_IMAGE_MAX_BYTES = env.int("PRODUCT_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)

AWS_REGION = env.str("AWS_REGION", default="us-east-2")
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")  # local | s3
MEDIA_BACKEND: dict[str, Any]
if MEDIA_STORAGE == "s3":
    MEDIA_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "region_name": AWS_REGION,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            # A private bucket: images are served by short-lived signature v4 links, never ACLs.
            "signature_version": "s3v4",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=900),
            "default_acl": None,
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE == "local":
    MEDIA_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE is local or s3, not {MEDIA_STORAGE!r}.")
# --- Caches ---------------------------------------------------------------------------------
# "default" holds the throttle counters, which every worker and ECS task must share or each one
# allows the whole rate again: in production Django's database cache on the app's own database
# (its table is made by a migration: no new infrastructure), or CACHE_URL (e.g. redis://...).
# Locally one process serves, so memory will do. The catalog entries stay in each worker's memory:
# they are keyed by the catalog's version in the database, read on every request, so they are
# never stale and need no shared cache (see shop/catalog_cache.py).
CACHES = {
    "default": env.cache_url(
        "CACHE_URL", default="dbcache://awsomeshop_cache" if IS_PRODUCTION else "locmemcache://default"
    ),
    "catalog": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "catalog",
        "OPTIONS": {"MAX_ENTRIES": env.int("CATALOG_CACHE_ENTRIES", default=500)},
    },
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # Its incr locks the row, so counters shared by many workers count every request.
    CACHES["default"]["BACKEND"] = "awsomeshop.cache.LockingDatabaseCache"
    # Django culls a third of the table past MAX_ENTRIES (300 by default), which would forget the
    # counters of active clients; a counter lives at most a minute or an hour.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)
# How long a rendered catalog page is kept (0 turns the page cache off). Catalog changes (price,
# name, availability, restock, a sell-out) reach every page at once through the catalog version;
# the stock level a redemption leaves is not a catalog change (no global hot row), so in lists
# it shows within this many seconds (product pages and redemptions always read it fresh).
# Presigned image links expire, so with S3 a page never outlives a third of their lifetime.
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=5)
if MEDIA_STORAGE == "s3":
    CATALOG_CACHE_SECONDS = min(CATALOG_CACHE_SECONDS, MEDIA_BACKEND["OPTIONS"]["querystring_expire"] // 3)

STORAGES = {
    "default": MEDIA_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Sign-in ---------------------------------------------------------------------------------
AUTH_BACKEND = env.str("AUTH_BACKEND", default="local")  # local | cognito
COGNITO_USER_POOL_ID = env.str("COGNITO_USER_POOL_ID", default="")
COGNITO_APP_CLIENT_ID = env.str("COGNITO_APP_CLIENT_ID", default="")
COGNITO_APP_CLIENT_SECRET = env.str("COGNITO_APP_CLIENT_SECRET", default="")
COGNITO_HR_GROUP = env.str("COGNITO_HR_GROUP", default="hr")
# The pool's attributes that hold a hire date and a birthday (YYYY-MM-DD), when the company keeps
# them there: `sync_cognito_users` copies them into the milestone dates. Empty: HR records them.
COGNITO_HIRE_DATE_ATTRIBUTE = env.str("COGNITO_HIRE_DATE_ATTRIBUTE", default="")
COGNITO_BIRTHDATE_ATTRIBUTE = env.str("COGNITO_BIRTHDATE_ATTRIBUTE", default="")
# Where boto3 sends Cognito calls and where the signing keys are fetched: AWS by default, the
# emulator in tests and local runs.
COGNITO_ENDPOINT_URL = env.str("COGNITO_ENDPOINT_URL", default="") or None
COGNITO_JWKS_BASE_URL = env.str("COGNITO_JWKS_BASE_URL", default=f"https://cognito-idp.{AWS_REGION}.amazonaws.com")
COGNITO_ISSUER = f"https://cognito-idp.{AWS_REGION}.amazonaws.com/{COGNITO_USER_POOL_ID}"
COGNITO_JWKS_CACHE_SECONDS = env.int("COGNITO_JWKS_CACHE_SECONDS", default=3600)
COGNITO_HTTP_TIMEOUT = env.int("COGNITO_HTTP_TIMEOUT", default=5)
if AUTH_BACKEND == "cognito":
    missing = [
        name
        for name in ("COGNITO_USER_POOL_ID", "COGNITO_APP_CLIENT_ID", "COGNITO_APP_CLIENT_SECRET")
        if not globals()[name]
    ]
    if missing:
        raise ImproperlyConfigured(f"AUTH_BACKEND=cognito needs {', '.join(missing)}.")
elif AUTH_BACKEND != "local":
    raise ImproperlyConfigured(f"AUTH_BACKEND is local or cognito, not {AUTH_BACKEND!r}.")
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while a client is locked out after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.CognitoBackend" if AUTH_BACKEND == "cognito" else "django.contrib.auth.backends.ModelBackend",
]

# --- Brute-force protection (django-axes) ------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# One person guessing one account from one address; the address is the ALB's client, not the ALB.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_USERNAME_CALLABLE = "accounts.security.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# --- Content-Security-Policy: no inline scripts, nothing from other sites but the image bucket --
IMAGE_ORIGINS = env.list("CSP_IMAGE_ORIGINS", default=[])
if MEDIA_STORAGE == "s3":
    _bucket = MEDIA_BACKEND["OPTIONS"]["bucket_name"]
    IMAGE_ORIGINS += [MEDIA_BACKEND["OPTIONS"]["endpoint_url"] or f"https://{_bucket}.s3.{AWS_REGION}.amazonaws.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],  # the admin's style attributes; scripts stay strict
        "img-src": [SELF, "data:", *IMAGE_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Production hardening (behind the ALB, which terminates TLS) ----------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # the portal's JavaScript never reads it; forms carry the token
CSRF_FAILURE_VIEW = "awsomeshop.views.csrf_failure"  # the portal's page, not Django's bare one
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logs: one JSON object per line on stdout for CloudWatch (text locally) -----------------
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "text")
# --- E-mail and notifications (notifications/services.py) ---------------------------------------
# EMAIL_BACKEND: "file" writes each message under var/mail/ (make run shows them there), "console"
# prints them, "ses" sends through Amazon SES (django-ses; the task role needs ses:SendRawEmail on
# the verified identity of DEFAULT_FROM_EMAIL), "smtp" uses EMAIL_HOST/EMAIL_PORT. Tests use
# Django's locmem backend (pytest-django sets it).
_EMAIL_BACKENDS = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "ses": "django_ses.SESBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_backend = env.str("EMAIL_BACKEND", default="ses" if IS_PRODUCTION else "file")
if _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(f"EMAIL_BACKEND is one of {', '.join(_EMAIL_BACKENDS)}, not {_email_backend!r}.")
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "mail")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Production names its own sender and site: the defaults would send from a made-up address with
# every link pointing at this machine. The CDK app sets both from its deploy values.
DEFAULT_FROM_EMAIL = (
    env.str("DEFAULT_FROM_EMAIL")
    if IS_PRODUCTION
    else env.str("DEFAULT_FROM_EMAIL", default="AWSomeShop <rewards@awsomeshop.local>")
)


try:  # one sender, optionally with a name ("AWSomeShop <rewards@…>"), on one line
    email_address_parse(DEFAULT_FROM_EMAIL)
except ValueError:
    raise ImproperlyConfigured(
        f'DEFAULT_FROM_EMAIL is one address, optionally with a name ("AWSomeShop <rewards@…>"), '
        f"not {DEFAULT_FROM_EMAIL!r}."
    ) from None
# Links in e-mails point here.
SITE_URL = env.str("SITE_URL") if IS_PRODUCTION else env.str("SITE_URL", default="http://127.0.0.1:8000")
_site = urlsplit(SITE_URL)


def _is_an_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _host_is_a_name_or_an_address(host: str | None) -> bool:
    if not host:
        return False
    if _is_an_ip_address(host):
        return True
    try:
        ascii_host = punycode(host)
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return all(re.fullmatch(r"(?!-)[a-z0-9-]{1,63}(?<!-)", label, re.IGNORECASE) for label in labels)


def _site_url_fits(site) -> bool:
    """A scheme and a host (and maybe a port and a path), nothing a link could be bent with: no
    user part, query or fragment (not even an empty one), no backslash, semicolon, escape or
    bracket a browser might read otherwise. https, but for this machine's own address (make
    run-aws runs production settings on loopback)."""
    try:
        port = site.port
    except ValueError:
        return False
    shaped = _host_is_a_name_or_an_address(site.hostname) and port != 0 and site.scheme in ("http", "https")
    shaped = shaped and not (site.username or site.password) and not any(c in SITE_URL for c in "?#\\;%<>\"'")
    shaped = shaped and not any(c.isspace() for c in SITE_URL)
    secure = site.scheme == "https" or site.hostname in _LOOPBACK or not IS_PRODUCTION
    return shaped and secure


if not _site_url_fits(_site):
    raise ImproperlyConfigured(
        f"SITE_URL is the site's https:// address in production (https://host[:port][/path], no user, "
        f"query or fragment), not {SITE_URL!r}."
    )
AWS_SES_REGION_NAME = env.str("AWS_SES_REGION_NAME", default=AWS_REGION)
# Only for a local emulator (moto); AWS itself is found from the region.
AWS_SES_REGION_ENDPOINT_URL = env.str("AWS_SES_ENDPOINT_URL", default="") or None
# django-ses keeps under this share of SES's own send rate (asked once with GetSendQuota); 0 turns it
# off (the emulator allows 1 message a second, which would make make run-aws's mail crawl).
AWS_SES_AUTO_THROTTLE = env.float("SES_AUTO_THROTTLE", default=0.5) or None
# SES's configuration set: its event destination sends bounces and complaints to the queue below.
AWS_SES_CONFIGURATION_SET = env.str("SES_CONFIGURATION_SET", default="") or None
# The SQS queue the sender reads SES's bounces and complaints from (notifications/mail_events.py).
SES_EVENTS_QUEUE_URL = env.str("SES_EVENTS_QUEUE_URL", default="")
# The sender's other AWS calls (SQS, CloudWatch) go to this emulator when set (make run-aws, tests).
AWS_ENDPOINT_URL = env.str("AWS_ENDPOINT_URL", default="") or None
# "cloudwatch": the sender publishes the outbox's figures for the alarms; "log": it only logs them.
NOTIFICATIONS_METRICS = env.str("NOTIFICATIONS_METRICS", default="log")
if NOTIFICATIONS_METRICS not in ("cloudwatch", "log"):
    raise ImproperlyConfigured(f"NOTIFICATIONS_METRICS is cloudwatch or log, not {NOTIFICATIONS_METRICS!r}.")


# The right-hand side of every e-mail's Message-ID: the site's own host name, in ASCII (an IP
# address or this machine has none to give).
def _message_id_domain(host: str | None) -> str:
    if not host or host in _LOOPBACK or _is_an_ip_address(host):
        return "awsomeshop.local"
    return punycode(host)


NOTIFICATION_MESSAGE_ID_DOMAIN = env.str(
    "NOTIFICATION_MESSAGE_ID_DOMAIN",
    default=_message_id_domain(_site.hostname),
)
# After commit: "thread" (a background thread per process: `make run`), "inline" (in the request:
# some tests), "off" (only the sender, `manage.py send_notifications --forever`). Production's web
# workers only write outbox rows: sending in them took the GIL from requests (docs/performance.md).
NOTIFICATIONS_SEND_ON_COMMIT = env.str("NOTIFICATIONS_SEND_ON_COMMIT", default="off" if IS_PRODUCTION else "thread")
if NOTIFICATIONS_SEND_ON_COMMIT not in ("thread", "inline", "off"):
    raise ImproperlyConfigured(
        f"NOTIFICATIONS_SEND_ON_COMMIT is thread, inline or off, not {NOTIFICATIONS_SEND_ON_COMMIT!r}."
    )
if IS_PRODUCTION and NOTIFICATIONS_SEND_ON_COMMIT != "off":
    raise ImproperlyConfigured(
        "In production the sender sends (send_notifications --forever): NOTIFICATIONS_SEND_ON_COMMIT=off."
    )
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
# How long a sender's claim on a row lasts; a row still claimed after this is sent again.
NOTIFICATION_CLAIM_SECONDS = env.int("NOTIFICATION_CLAIM_SECONDS", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "awsomeshop.middleware.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "timestamp", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO").upper()},
    "loggers": {
        # Our request log replaces Django's own lines for the same requests.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # Not news: boto3 found the task role's credentials; the development server's reloader.
        "botocore": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
    },
}
