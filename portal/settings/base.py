"""Settings shared by every mode; each value that differs between machines comes from the
environment (see .env.example and the settings table in README.md)."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "portal.axes_config.LoginProtectionConfig",  # django-axes, named in the reader's language
    "portal",
    "patents",
    "demands",
    "matching",
    "finance",
    "reports",
    "cleanup",
    "demo",
]

MIDDLEWARE = [
    # Outermost: every response (and log line) of a request carries its request id.
    "portal.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Every response, error pages included, carries the Content-Security-Policy (portal/security.py).
    "portal.security.ContentSecurityPolicyMiddleware",
    "portal.security.RequestSizeLimitMiddleware",
    "portal.security.NullCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions and authentication: their database errors become the 503 page too.
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "portal.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ needs no service; DATABASE_URL points at PostgreSQL in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default needs its folder; a fresh clone has none.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Write-ahead log: pages keep reading while an import or a job writes (the default rollback
    # journal locks readers out for the whole write transaction).
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    # A transaction takes the write lock when it begins, so it waits (timeout above) for another
    # writer instead of failing with "database is locked" when it turns from reading to writing.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
else:
    # A database host that does not answer (rather than refusing) must not hold a request for the
    # kernel's TCP timeout: after this many seconds the request gets the 503 page.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )
    # Settings for every session of this process (libpq "options"), e.g. "-c jit=off".
    # gunicorn.conf.py gives the web workers one: see there.
    if session_options := os.environ.get("DATABASE_SESSION_OPTIONS", "").strip():
        DATABASES["default"]["OPTIONS"]["options"] = session_options
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Security headers in every mode (production adds HSTS, secure cookies and the SSL redirect).
# The Content-Security-Policy (portal/security.py): the portal's own origin only, no inline
# scripts or style attributes, no eval; {directive: [sources]}.
PORTAL_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Login throttling: five failures lock the username+address pair for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: none). The lockout and
# the API rate limits key on the address portal.security.client_ip derives from it.
PORTAL_TRUSTED_PROXIES = int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"

LANGUAGE_CODE = "zh-hans"
# Each language named in itself (the language menu): not translated.
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded files live outside the static root and are only served through views that check
# permissions.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# SQLite only: a dry run of a file with more rows validates every row but skips the trial write that
# counts created / updated rows, which would lock the database for every other writer meanwhile.
PORTAL_IMPORT_SQLITE_TRIAL_WRITE_MAX_ROWS = int(
    os.environ.get("PORTAL_IMPORT_SQLITE_TRIAL_WRITE_MAX_ROWS", "20000")
)
PORTAL_UPLOAD_MAX_BYTES = int(os.environ.get("PORTAL_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
# Any request body that is not a file upload (forms, API JSON): the largest free text a form
# takes is 20,000 characters (portal/limits.py), a few times that in UTF-8 and JSON escapes.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(1024 * 1024)))
# An import step whose Celery message no worker has taken for this long is sent again (beat).
PORTAL_IMPORT_RESEND_SECONDS = int(os.environ.get("PORTAL_IMPORT_RESEND_SECONDS", "300"))
# A running import step writes a heartbeat this often; one silent for PORTAL_IMPORT_STALL_SECONDS
# (its worker was killed) is restarted by the watchdog, at most PORTAL_IMPORT_MAX_RESTARTS times.
PORTAL_IMPORT_HEARTBEAT_SECONDS = int(os.environ.get("PORTAL_IMPORT_HEARTBEAT_SECONDS", "20"))
PORTAL_IMPORT_STALL_SECONDS = int(os.environ.get("PORTAL_IMPORT_STALL_SECONDS", "120"))
PORTAL_IMPORT_MAX_RESTARTS = int(os.environ.get("PORTAL_IMPORT_MAX_RESTARTS", "3"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@example.invalid")

CACHES = {
    "default": (
        {"BACKEND": "portal.cache.RedisCache", "LOCATION": os.environ["REDIS_CACHE_URL"]}
        if os.environ.get("REDIS_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: with no broker configured, tasks run eagerly in-process so the portal needs no services.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker, the slow jobs (report generation, file exports, a published demand's first
# matching) run on a thread of the web process after commit, so the page answers at once and shows
# their progress (portal/background.py); off in tests, which run tasks inline unless they ask.
PORTAL_EAGER_JOBS_IN_BACKGROUND = CELERY_TASK_ALWAYS_EAGER and env_bool(
    "PORTAL_EAGER_JOBS_IN_BACKGROUND", True
)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
# A message a killed worker had taken is redelivered after this many seconds (Redis transport);
# tasks are idempotent, so a redelivery of a slow task only repeats work.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 30 * 60
CELERY_TASK_TIME_LIMIT = 35 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers keep Django's LOGGING (JSON when DJANGO_LOG_JSON is on) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The beat schedule lives in one place: portal/schedule.py (DatabaseScheduler installs it).
from portal.schedule import BEAT_SCHEDULE

CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# API tokens (portal/tokens.py) stop working this many days after they were issued.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # drf-spectacular's AutoSchema, plus the API's error answers (portal/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    # DRF reads X-Forwarded-For the same way; its default (None) would trust whatever the client sent.
    "NUM_PROXIES": PORTAL_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "专利转化运营服务平台 API",
    "DESCRIPTION": "Patent conversion portal: patents, demands, matches, finance records and KPI reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the vendored sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" or "kind"; name each choice set once, after its model.
    "ENUM_NAME_OVERRIDES": {
        "DemandStatusEnum": "demands.models.Demand.Status",
        "DealKindEnum": "demands.models.Demand.DealKind",
        "InquiryStatusEnum": "matching.models.Inquiry.Status",
        "EventKindEnum": "matching.models.Event.Kind",
        "EventStatusEnum": "matching.models.Event.Status",
        "NavigationProjectStatusEnum": "patents.models.NavigationProject.Status",
        "NotificationKindEnum": "matching.models.Notification.Kind",
        "DealStatusEnum": "finance.models.Deal.Status",
        "PledgeStatusEnum": "finance.models.Pledge.Status",
        "SubsidyStatusEnum": "finance.models.Subsidy.Status",
    },
}

# Matching engine: where the persisted text index lives (shared by the workers of one machine),
# how many matches each demand keeps, chunk size of a full run, when a run counts as stuck.
MATCHING_INDEX_DIR = Path(os.environ.get("PORTAL_MATCHING_INDEX_DIR", VAR_DIR / "match-index"))
MATCHING_TOP_N = int(os.environ.get("PORTAL_MATCHING_TOP_N", "20"))
MATCHING_CHUNK_SIZE = int(os.environ.get("PORTAL_MATCHING_CHUNK_SIZE", "500"))
MATCHING_STUCK_SECONDS = int(os.environ.get("PORTAL_MATCHING_STUCK_SECONDS", "600"))
MATCHING_NOTIFY_MIN_SCORE = float(os.environ.get("PORTAL_MATCHING_NOTIFY_MIN_SCORE", "0.5"))

# KPI reports on PostgreSQL: how many database connections (sharing one snapshot) run a report's
# queries side by side; 1 runs them one after the other on the request's own connection.
REPORTS_KPI_CONNECTIONS = max(1, int(os.environ.get("PORTAL_KPI_CONNECTIONS", "2")))
# KPI reports on PostgreSQL: keep the figures of closed years (before this one) and reuse them until
# a record they depend on changes (database triggers record every change; reports.kpi.snapshots).
REPORTS_KPI_SNAPSHOTS = env_bool("PORTAL_KPI_SNAPSHOTS", True)
# The bureau named on the cover of the reports it submits (annual report, plan-period summary).
REPORTS_BUREAU_NAME = os.environ.get("PORTAL_BUREAU_NAME", "鄂尔多斯市市场监督管理局（知识产权局）")

# Verified institutions may publish listings without review when this is on.
PORTAL_DIRECT_PUBLISH = env_bool("PORTAL_DIRECT_PUBLISH", False)
PORTAL_SITE_NAME = os.environ.get("PORTAL_SITE_NAME", "鄂尔多斯市专利转化运营服务平台")

# One console handler for web and Celery processes. With DJANGO_LOG_JSON each line is one JSON object
# with the request's id, method, path and user id (web) or the task's id and name (Celery), added by
# portal.logging.ContextFilter; portal.request logs one line per request with status and duration.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "portal.logging.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if env_bool("DJANGO_LOG_JSON", False) else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
