"""Settings for the 公租房 portal, read from the environment (django-environ).

Defaults give a working development portal on SQLite with Celery tasks run in-process.
`DATABASE_URL` switches to PostgreSQL, `REDIS_URL` makes Redis the Celery broker and the cache.
A `.env` file in the project root is read when present (`make run` writes one with fresh local keys).
"""

import os
from pathlib import Path

import environ
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# ENV_FILE points elsewhere (or to /dev/null) when a process must not read the local .env.
environ.Env.read_env(os.environ.get("ENV_FILE", str(BASE_DIR / ".env")), overwrite=False)


def _read(name, cast, default=environ.Env.NOTSET):
    """Read one variable; a malformed value stops start-up with a message naming the variable."""
    try:
        return cast(name, default=default)
    except Exception as exc:  # ValueError, ImproperlyConfigured and friends from the casts
        raise ImproperlyConfigured(f"环境变量 {name} 的值无效（invalid value for {name}）: {exc}") from exc


def _strict_bool(name, default=False):
    # environ's bool() reads anything unknown as False; a typo in DEBUG must not pass silently.
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"“{raw}”不是布尔值，请用 true 或 false")


def _required(name):
    value = env.str(name, default="")
    if not value.strip():
        raise ImproperlyConfigured(
            f"缺少环境变量 {name}（{name} is required）。开发环境请先运行 `make run` 或 "
            f"`python scripts/make_dev_env.py` 生成本地 .env。"
        )
    return value


DEBUG = _read("DEBUG", _strict_bool, False)
SECRET_KEY = _required("SECRET_KEY")
PII_ENCRYPTION_KEY = _required("PII_ENCRYPTION_KEY")
PII_HASH_KEY = _required("PII_HASH_KEY")
ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, [])
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks; gongzufang/client_ip.py).
TRUSTED_PROXIES = _read("TRUSTED_PROXIES", env.list, [])

INSTALLED_APPS = [
    "gongzufang.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_prose_editor",  # static files of the article body editor (gongzufang/admin/articles.py)
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "axes",
    "phonenumber_field",
    "gongzufang.apps.GongzufangConfig",
    "gongzufang.dashboard.apps.DashboardConfig",  # issue 17: the monthly figures table
    "notifications",
    "applications",
    "housing",
    "allocation",
    "rent",
    "subsidies",
    "tenancy",
    "complaints",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Lock-out after repeated failed log-ins; must come last (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzufang.urls"
WSGI_APPLICATION = "gongzufang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzufang.context_processors.portal",
                "notifications.context_processors.unread_messages",  # the admin header's unread count
            ],
        },
    },
]

DATABASES = {
    "default": _read("DATABASE_URL", env.db_url, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"].get("ENGINE") not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
    raise ImproperlyConfigured(
        "环境变量 DATABASE_URL 的值无效（invalid value for DATABASE_URL）：只支持 postgres:// 或 sqlite:// 。"
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", 60 if not DEBUG else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite in development (`make run`): a transaction takes the write lock when it begins (IMMEDIATE),
    # so two requests deciding one case at once queue for up to 20 s instead of one failing with
    # "database is locked" when its read lock cannot be upgraded; the loser then finds the case moved
    # and is told so. WAL lets pages be read while a write is under way.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    })
    # The covering indexes (INCLUDE columns) of the statistics and the search are PostgreSQL's; SQLite builds
    # them on their key columns only, which is all a development database needs. Not worth a warning each.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- statistics (issue 17): heavy reports read from a replica when DATABASE_REPLICA_URL is set ------------
# gongzufang/db_router.py: reads inside `reading_reports()` go to "replica"; writes and migrations to default.
if _read("DATABASE_REPLICA_URL", env.str, ""):
    DATABASES["replica"] = {**_read("DATABASE_REPLICA_URL", env.db_url, ""), "ATOMIC_REQUESTS": False,
                            "TEST": {"MIRROR": "default"}}
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASE_ROUTERS = ["gongzufang.db_router.ReportRouter"]
# --- end statistics ------------------------------------------------------------------------------------

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "gongzufang.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = _read("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded materials are private: never under STATIC or a public MEDIA_URL; served by
    # permission-checked views only (DESIGN §13).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve app static files from the finders too, so tests and `make run` need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(_read("MEDIA_ROOT", env.str, str(BASE_DIR / "private_media")))
MEDIA_URL = "/files/"  # no public route is mounted here; see gongzufang/urls.py
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

REDIS_URL = _read("REDIS_URL", env.str, "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when REDIS_URL is set, otherwise every task runs eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["gongzufang.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["gongzufang.api.permissions.IsApiClient"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "gongzufang.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "gongzufang.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "gongzufang.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["gongzufang.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": _read("API_THROTTLE_RATE", env.str, "600/min")},
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "大庆市公租房服务平台 区县接口 API",
    "DESCRIPTION": "供区县住建局系统对接的接口。每个令牌只能访问其所属区县的数据。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get their own components (read-only fields are not asked for).
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "category" with their own choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "UnitListingEnum": "housing.models.Unit.Listing",
        "ApplicationStatusEnum": "applications.models.applications.Status",
        "ApplicationCategoryEnum": "applications.models.applications.CATEGORY_CHOICES",
        "FeedbackStatusEnum": "complaints.models.Status",
        "FeedbackCategoryEnum": "complaints.models.Category",
        "UnitStatusEnum": "housing.models.Unit.Status",
    },
}

PHONENUMBER_DEFAULT_REGION = "CN"

# Excel import needs the model's add permission, export its view permission (django-import-export
# otherwise lets anyone with admin access import).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Security: strict when DEBUG is off so `manage.py check --deploy` is clean.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = _read("SECURE_SSL_REDIRECT", _strict_bool, True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _read("SECURE_HSTS_SECONDS", env.int, 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _read("LOG_LEVEL", env.str, "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The city this deployment serves.
PORTAL_CITY_NAME = "大庆市"
PORTAL_BUREAU_NAME = "大庆市住房和城乡建设局"
PORTAL_NAME = "大庆市公租房服务平台"

# --- Public information: visit counting (gongzufang/visits.py) -----------------------------
# Counts page views by kind in the cache; the periodic task `flush_visits` writes them to the
# database. Placed before AxesMiddleware, which must stay last.
MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "gongzufang.visits.VisitCountMiddleware")
# --- end public information ------------------------------------------------------------------

# --- applications (issue 4): department exchange, SMS, log-in by SMS code ----------------------------
# The city's data exchange (政务数据共享交换平台); the default is the simulated one of
# `python manage.py run_exchange` (docs/adr/0005-department-exchange.md).
EXCHANGE_URL = _read("EXCHANGE_URL", env.str, "http://127.0.0.1:8765")
EXCHANGE_TOKEN = _read("EXCHANGE_TOKEN", env.str, "")
EXCHANGE_TIMEOUT_SECONDS = _read("EXCHANGE_TIMEOUT_SECONDS", env.float, 3.0)
# Development with the simulated exchange: a valid ID number it does not know is enrolled under the name
# typed at real-name verification, so anyone can try the portal (simulated.py). Never on in production.
EXCHANGE_SIMULATED = _read("EXCHANGE_SIMULATED", _strict_bool, DEBUG)
# Requests in flight at once from one cross-check run (the exchange's agreed limit per client).
EXCHANGE_CONCURRENCY = _read("EXCHANGE_CONCURRENCY", env.int, 8)
# The monthly monitoring run sends its requests from a child process of its own, so that they do not
# wait behind the run's computing threads for the GIL (applications/crosscheck/sending.py); off: threads.
CROSSCHECK_SENDER_PROCESS = _read("CROSSCHECK_SENDER_PROCESS", _strict_bool, True)
# Text messages: the development backend logs and keeps them in the SmsOutbox table; production sets
# SMS_BACKEND=notifications.sms.HttpSmsBackend with SMS_HTTP_URL and SMS_HTTP_TOKEN (see notifications/sms.py).
SMS_BACKEND = _read("SMS_BACKEND", env.str, "notifications.sms.OutboxSmsBackend")
SMS_HTTP_URL = _read("SMS_HTTP_URL", env.str, "")
SMS_HTTP_TOKEN = _read("SMS_HTTP_TOKEN", env.str, "")
SMS_DAILY_LIMIT = _read("SMS_DAILY_LIMIT", env.int, 10)
# Links in text messages (e.g. "set your password at …").
PORTAL_BASE_URL = _read("PORTAL_BASE_URL", env.str, "http://127.0.0.1:8000")
# Log-in with phone + SMS code, after the password backends (axes stays first).
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "applications.accounts.auth_backends.SmsCodeBackend"]
# --- end applications -------------------------------------------------------------------------------

# --- bank (issue 14): payment orders, notifications, account checks, disbursement files ------------
# The bank (建设银行大庆分行); the default is the simulated one of `python manage.py run_bank`
# (gongzufang/bank/, docs/bank.md). BANK_NOTIFY_SECRET signs its notifications (DESIGN §8); the
# development value is written to .env by scripts/make_dev_env.py. Empty: every notification is refused.
BANK_URL = _read("BANK_URL", env.str, "http://127.0.0.1:8766")
BANK_NOTIFY_SECRET = _read("BANK_NOTIFY_SECRET", env.str, "")
BANK_TIMEOUT_SECONDS = _read("BANK_TIMEOUT_SECONDS", env.float, 5.0)
# --- end bank ---------------------------------------------------------------------------------------

# --- leases (issue 14): the bureau's signing pair for contract PDFs (PAdES, pyHanko) ----------------
# PEM files: the certificate (with its chain, if any) and the unencrypted private key. In development
# and tests a self-signed pair is made the first time in .lease-signing/ (git-ignored), like .env.
LEASE_SIGNING_CERT = _read("LEASE_SIGNING_CERT", env.str, str(BASE_DIR / ".lease-signing" / "cert.pem"))
LEASE_SIGNING_KEY = _read("LEASE_SIGNING_KEY", env.str, str(BASE_DIR / ".lease-signing" / "key.pem"))
# Make the development pair when the files are missing (never in production: a missing pair is an error).
LEASE_SIGNING_DEV_PAIR = _read("LEASE_SIGNING_DEV_PAIR", _strict_bool, DEBUG)
# --- end leases -------------------------------------------------------------------------------------

# --- security headers, error pages (issue 12) ------------------------------------------------------
# Content-Security-Policy on every response (django-csp 4): scripts and styles only from our own
# static files, never inline; a page that really needs an inline script gives it `request.csp_nonce`.
INSTALLED_APPS.insert(INSTALLED_APPS.index("django.contrib.staticfiles"), "csp")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
# A NUL in the address is answered 400 before anything reads it (gongzufang/middleware.py).
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1, "gongzufang.middleware.RefuseNulMiddleware")
# Pages for a signed-in person are not kept by any cache (Cache-Control: private, no-store).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "gongzufang.middleware.NoStoreWhenSignedInMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # data: for the icons inside the admin's and Swagger UI's CSS
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# --- end security headers ----------------------------------------------------------------------------
