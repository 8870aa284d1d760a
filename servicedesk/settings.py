"""The one settings module. Every value that differs between machines comes from the
environment through the small helpers below, which refuse values they cannot parse.

Production is selected by the environment alone: DEBUG=0 (the default), a SECRET_KEY and
ALLOWED_HOSTS. Development (`make run`, `make test`) sets DEBUG=1 explicitly.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from servicedesk.registry import registry

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SERVICEDESK_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from exc


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as `60/minute`."""
    value = env_str(name, default) or default
    number, _, period = value.partition("/")
    if not number.isdigit() or period[:1] not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate (e.g. 60/minute).")
    return value


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "servicedesk",
    "tickets",
    "complaints",
    "reporting",
    "staffing",
    "demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # JSON, not HTML, for an unknown /api/ route, a too-large body or a malformed request.
    "servicedesk.api.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, as django-axes asks: turns a locked-out sign-in into its answer
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"

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
                "servicedesk.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL selects the database (postgres://user@host:5432/name, or any SQLite file:
# sqlite:////abs/path.sqlite3); the default is an SQLite file under var/. Every SQLite
# database gets the same tuning, so a web process and a worker can share it.
DATABASE_URL = env_str("DATABASE_URL")
# Seconds a web process keeps its database connection between requests (0: a connection
# per request). Persistent connections need a server with a bounded set of threads
# (gunicorn, as `make run` and docker compose start it); `manage.py runserver` opens a
# thread per request and only the garbage collector closes their connections.
DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 60)
if DATABASE_URL:
    _database = dj_database_url.parse(
        DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True
    )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _database = {"ENGINE": "django.db.backends.sqlite3",
                 "NAME": str(VAR_DIR / "servicedesk.sqlite3")}
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _name = str(_database.get("NAME") or ":memory:")
    _stem = "memory" if ":memory:" in _name or "mode=memory" in _name else Path(_name).stem
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _database.update({
        # One connection per thread and request, as SQLite is happiest with.
        "CONN_MAX_AGE": 0,
        # A file under var/, not the in-memory default, whatever the URL: concurrency
        # tests then see the same locking (busy timeout, IMMEDIATE transactions) as the web
        # process and worker. One per process, so two test runs never share it.
        "TEST": {"NAME": str(VAR_DIR / f"test_{_stem}_{os.getpid()}.sqlite3")},
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            **_database.get("OPTIONS", {}),  # what the URL's query string says wins
        },
    })
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (vendored or from installed packages; never a CDN) -----------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (safe by default; DEBUG=1 relaxes what needs HTTPS) ----------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain HTTP inside the cluster.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The API speaks JSON: a form-encoded or multipart body is a 415, not a body read as
    # empty (which would, e.g., mark every notification read). Uploads get their own parser.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Service errors → 400 with field keys, a stale version → 409, PermissionDenied → 403.
    "EXCEPTION_HANDLER": "servicedesk.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "servicedesk API",
    "DESCRIPTION": "客服中心后台 API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set that several fields share: each app names its own
    # (servicedesk.registry), read when the schema is generated.
    "ENUM_NAME_OVERRIDES": registry.enum_names_view(),
    # Request and response components apart: required strings get `minLength: 1`, and
    # read-only fields stay out of request bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error answers and headers, decided once (servicedesk/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "servicedesk.api.schema.error_responses_document",
    ],
}

# --- Sign-in protection and API limits (README "Security") ----------------------------
# django-axes counts failed sign-ins (page, admin and POST /api/v1/auth/token/ alike) in the
# database, so every web process sees them: LOGIN_FAILURE_LIMIT failures for one username,
# or from one address, lock it for LOGIN_LOCKOUT_MINUTES (unlock: admin → Access attempts,
# or `manage.py axes_reset_username <name>` / `axes_reset_ip <address>`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "servicedesk.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "servicedesk.signin.client_ip"
# How many proxies in front of the web server append to X-Forwarded-For (0: none, the
# client address is REMOTE_ADDR). Used for the lockout and for the API's throttles.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Password-reset mails: at most this many per hour to one address, and from one client.
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env_int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", 3)
PASSWORD_RESET_PER_CLIENT_PER_HOUR = env_int("PASSWORD_RESET_PER_CLIENT_PER_HOUR", 10)
# API tokens expire API_TOKEN_LIFETIME_DAYS after they were issued; a user revokes their
# own with DELETE /api/v1/auth/token/.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 30)
# The OpenAPI schema and its docs page need a sign-in unless this is on (default: only
# with DEBUG=1).
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", DEBUG)
# Token first: a missing, wrong or expired token is then a 401 with `WWW-Authenticate`.
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "servicedesk.api.authentication.ExpiringTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "rest_framework.throttling.AnonRateThrottle",
    "rest_framework.throttling.UserRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": env_rate("API_THROTTLE_ANON", "60/minute"),
    "user": env_rate("API_THROTTLE_USER", "1200/minute"),
    # POST /api/v1/auth/token/, per client address
    "auth-token": env_rate("API_THROTTLE_TOKEN", "10/minute"),
}
# 0: the address is REMOTE_ADDR (DRF's None would trust any X-Forwarded-For a client sends)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["servicedesk.api.permissions.SchemaAccess"]

# Every write of the API needs the model permission its page needs, and a staff profile
# (servicedesk.api.permissions.WriteNeedsPermission; README "Security").
REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = [
    "rest_framework.permissions.IsAuthenticated",
    "servicedesk.api.permissions.WriteNeedsPermission",
]

# --- Outbound messages ------------------------------------------------------------------
# Which channel reaches staff and customers (servicedesk/notifiers.py). Mail goes to the
# console unless EMAIL_BACKEND says otherwise (e.g. django.core.mail.backends.smtp.EmailBackend
# with EMAIL_HOST / EMAIL_PORT).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "servicedesk@localhost")
NOTIFIER_CHANNELS = {
    "staff": env_str("NOTIFIER_STAFF", "servicedesk.notifiers.EmailChannel"),
    # Customers are reached by phone: plug an SMS gateway in here; the console by default.
    "customer": env_str("NOTIFIER_CUSTOMER", "servicedesk.notifiers.ConsoleChannel"),
}

# --- Celery ---------------------------------------------------------------------------
# REDIS_URL selects Redis as the broker; the default is kombu's filesystem transport under
# var/, which needs no server. It can lose a task in flight when a worker is killed, so
# every periodic job re-derives its work from the database on each run.
REDIS_URL = env_str("REDIS_URL")
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    # kombu's filesystem transport does not create its folders.
    for _folder in ("queue", "processed", "control"):
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The one place where periodic jobs are listed (the DatabaseScheduler copies it into the
# admin-editable tables on start, by entry name): the kernel's jobs below, followed by those
# each app registers from its AppConfig.ready() (servicedesk.registry). Each entry expires
# so a backlog never piles up.
CELERY_BEAT_SCHEDULE = registry.beat_schedule_with({
    "heartbeat": {
        "task": "servicedesk.tasks.heartbeat_task",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "idempotency-keys-purge": {
        "task": "servicedesk.tasks.idempotency_keys_purge_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
})
HEARTBEAT_MAX_AGE_SECONDS = env_int("HEARTBEAT_MAX_AGE_SECONDS", 120)
# How often the SLA dashboard refreshes its figures (seconds; at most 30 is used).
SLA_DASHBOARD_REFRESH_SECONDS = env_int("SLA_DASHBOARD_REFRESH_SECONDS", 30)
# A complaint of a customer about a type they complained about within this many days is a
# repeat complaint (再度投诉, seed 002): linked to the first one and reported to the general
# manager at once (issue 11: 30 days).
COMPLAINT_REPEAT_DAYS = env_int("COMPLAINT_REPEAT_DAYS", 30)

# --- Complaints -----------------------------------------------------------------------
# The monthly person check (seed 002 处罚标准 8: 月投诉累计达三次以上(含三次)): a person with at
# least this many valid complaints in a Beijing calendar month is flagged for suspension
# and rectification and files a rectification report (complaints.checks). Each check keeps
# the threshold it was flagged at, so changing this never rewrites a past month.
COMPLAINT_PERSON_MONTH_THRESHOLD = env_int("COMPLAINT_PERSON_MONTH_THRESHOLD", 3)
if COMPLAINT_PERSON_MONTH_THRESHOLD < 1:
    raise ImproperlyConfigured("COMPLAINT_PERSON_MONTH_THRESHOLD must be 1 or more.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
