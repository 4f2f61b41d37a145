"""Settings for the Haidian grid governance platform.

Everything that differs between the embedded demo, the test suite and production comes from the
environment. Defaults make `make demo` work on a fresh machine: SQLite under var/, a Celery broker
on the local filesystem, DEBUG on. Production sets HAIDIAN_ENV=production and must then give a
real SECRET_KEY.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from haidian import reform
from haidian.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HAIDIAN_VAR_DIR", str(BASE_DIR / "var")))

HAIDIAN_ENV = env_str("HAIDIAN_ENV", "demo")
if HAIDIAN_ENV not in {"demo", "test", "production"}:
    raise ImproperlyConfigured(f"HAIDIAN_ENV must be demo, test or production, not {HAIDIAN_ENV!r}")

_INSECURE_KEY = "django-insecure-haidian-demo-key-not-for-production-use-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_KEY)
if HAIDIAN_ENV == "production" and (
    SECRET_KEY == _INSECURE_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production"
    )

DEBUG = env_bool("DEBUG", HAIDIAN_ENV == "demo")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_htmx",
    "import_export",
]
# Our own apps, lowest layer first (DESIGN §3): each may import only the ones before it. Their
# pages and API routes are gathered from each app's urls.py (haidian.urls) in this order.
HAIDIAN_APPS = [
    "haidian",
    "agencies",
    "grids",
    "people",
    "notifications",
    "dispatch",
    "assessment",
    "open311",
    "public",
    "dashboard",
    "appointments",
    "comanagers",
    "workaccess",
    "committees",
    "whistle",
    "supervision",
]
if HAIDIAN_ENV in {"demo", "test"}:
    HAIDIAN_APPS += ["demo", "bench"]  # demo data and the benchmark generator: never in production
INSTALLED_APPS += HAIDIAN_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "haidian.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "haidian.urls"
WSGI_APPLICATION = "haidian.wsgi.application"
ASGI_APPLICATION = "haidian.asgi.application"

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
                "haidian.navigation.workplaces",
                "notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'haidian.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo runs web, worker and beat against one file: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian anonymous user: residents never log in, and scope is never granted to "anyone".
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if HAIDIAN_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Maps draw our own grid outlines on a blank background; a tile server on the intranet is optional.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files are never served from MEDIA_URL: only views that check the reader's scope hand
# them out. Set to nginx's `internal` location (e.g. "/protected-media/", an alias of MEDIA_ROOT)
# and those views answer with an X-Accel-Redirect header instead of streaming the file themselves.
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT", "")
if MEDIA_ACCEL_REDIRECT and not (MEDIA_ACCEL_REDIRECT.startswith("/") and MEDIA_ACCEL_REDIRECT.endswith("/")):
    raise ImproperlyConfigured(f"MEDIA_ACCEL_REDIRECT must be a path that starts and ends with /, "
                               f"not {MEDIA_ACCEL_REDIRECT!r}")

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HAIDIAN_ENV == "production")
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HAIDIAN_ENV == "production")

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# Celery: a broker that needs no server by default (kombu's filesystem transport under var/);
# production points CELERY_BROKER_URL at Redis.
CELERY_QUEUE_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
        # The worker looks for new messages this often (seconds; kombu's default is 1): one at a time, so
        # a burst of reporters' messages would otherwise hold up everything behind it.
        "polling_interval": 0.1,
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# One default queue per deployment (a test's worker and beat use their own, on a shared Redis).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")

REST_FRAMEWORK = {
    # Token first, so that an anonymous API call is answered 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "haidian.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "haidian.api.CodeCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "haidian.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Haidian grid governance API",
    "DESCRIPTION": "海淀区网格化社会服务管理平台 REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets whose field names other components use too ("kind", "verdict"), each named once.
    "ENUM_NAME_OVERRIDES": {
        "VerdictEnum": "appointments.models.Verdict",
        "SupervisoryBodyKindEnum": "supervision.models.BodyKind",
        "InspectionVerdictEnum": "supervision.models.Verdict",
    },
}

# Working calendar: the hours of a working day, local time, as "HH:MM-HH:MM" periods.
WORKING_PERIODS = env_list("WORKING_PERIODS", ["08:30-12:00", "13:00-17:30"])
# How often (seconds) a process checks whether the grids changed and its locate index is stale.
GRID_INDEX_CHECK_SECONDS = env_int("GRID_INDEX_CHECK_SECONDS", 10)

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "haidian2013")

# The deadline sweep (dispatch.sweep): how often beat runs it, and how long past its due time a
# street-tier lead task may stay unanswered before the case goes up to the district command center.
DEADLINE_SWEEP_MINUTES = env_int("DEADLINE_SWEEP_MINUTES", 5)
ESCALATION_GRACE_WORKING_DAYS = env_int("ESCALATION_GRACE_WORKING_DAYS", reform.ESCALATION_GRACE_WORKING_DAYS)
# 问题分级处置: an urgent case's time limit is this share of its category's; a critical case has this
# many calendar hours, whatever its category.
PRIORITY_URGENT_SHARE = env_float("PRIORITY_URGENT_SHARE", reform.URGENT_LIMIT_SHARE)
PRIORITY_CRITICAL_HOURS = env_float("PRIORITY_CRITICAL_HOURS", reform.CRITICAL_LIMIT_HOURS)
# 吹哨报到 (街乡吹哨、部门报到): the minutes a summoned agency or department has, by default, to report
# on site; a street may give from 1 minute to a day. Beat sweeps for units that did not come every minute.
WHISTLE_MINUTES = env_int("WHISTLE_MINUTES", 30)
if not 1 <= WHISTLE_MINUTES <= 24 * 60:
    raise ImproperlyConfigured(f"WHISTLE_MINUTES must be between 1 and 1440, not {WHISTLE_MINUTES}")
# A deadline letter's default time to answer (问题限期受理函告).
LETTER_DEADLINE_WORKING_DAYS = env_int("LETTER_DEADLINE_WORKING_DAYS", reform.LETTER_DEADLINE_WORKING_DAYS)
# 质询: the working days a street or agency has, by default, to answer a supervision body's inquiry.
SUPERVISION_INQUIRY_WORKING_DAYS = env_int("SUPERVISION_INQUIRY_WORKING_DAYS", reform.SUPERVISION_INQUIRY_WORKING_DAYS)
if SUPERVISION_INQUIRY_WORKING_DAYS < 1:
    raise ImproperlyConfigured("SUPERVISION_INQUIRY_WORKING_DAYS must be at least 1, "
                               f"not {SUPERVISION_INQUIRY_WORKING_DAYS}")
# "Strongly reflected" (群众反映强烈): this many reports of one category in one grid within the
# window, or this many reporters merged onto one case, flag it and suggest a deadline letter.
STRONGLY_REFLECTED_REPORTS = env_int("STRONGLY_REFLECTED_REPORTS", reform.STRONGLY_REFLECTED_REPORTS)
STRONGLY_REFLECTED_DAYS = env_int("STRONGLY_REFLECTED_DAYS", reform.STRONGLY_REFLECTED_DAYS)
# The half-yearly assessment: how long the rating window stays open, and when raters are reminded.
ASSESSMENT_WINDOW_DAYS = env_int("ASSESSMENT_WINDOW_DAYS", reform.ASSESSMENT_WINDOW_DAYS)
ASSESSMENT_REMIND_DAYS = env_int("ASSESSMENT_REMIND_DAYS", reform.ASSESSMENT_REMIND_DAYS)
# Small samples in the assessment: below ASSESSMENT_MIN_SAMPLE a rate is shrunk toward its kind's
# mean with the weight ASSESSMENT_SHRINK_K (assessment.scoring), and the unit is not ranked.
ASSESSMENT_MIN_SAMPLE = env_int("ASSESSMENT_MIN_SAMPLE", reform.ASSESSMENT_MIN_SAMPLE)
ASSESSMENT_SHRINK_K = env_int("ASSESSMENT_SHRINK_K", reform.ASSESSMENT_SHRINK_K)
if ASSESSMENT_MIN_SAMPLE < 1 or ASSESSMENT_SHRINK_K < 0:
    raise ImproperlyConfigured("ASSESSMENT_MIN_SAMPLE must be at least 1 and ASSESSMENT_SHRINK_K not negative")
# The dashboard: how often its page refreshes itself, and (without PostgreSQL's triggers, i.e. the
# SQLite demo) how often its roll-ups are rebuilt.
DASHBOARD_REFRESH_SECONDS = env_int("DASHBOARD_REFRESH_SECONDS", 30)
DASHBOARD_REBUILD_SECONDS = env_int("DASHBOARD_REBUILD_SECONDS", 60)
# Case exports: an Excel file is written at about 2,300 rows/s, so it is capped well below Excel's own
# 1,048,575 rows to finish inside the web server's timeout; CSV is streamed and has no cap.
CASE_EXPORT_XLSX_MAX_ROWS = env_int("CASE_EXPORT_XLSX_MAX_ROWS", 50_000)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the filebased backend
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@haidian.invalid")

# Messages to reporters (notifications.messages): SMS through SMS_BACKEND (notifications/sms.py; the
# demo appends them to SMS_FILE_PATH, production sets notifications.sms.HttpGatewayBackend and the
# gateway's URL and key), emails through EMAIL_BACKEND. A message that fails is tried again with
# growing delays, MESSAGE_ATTEMPTS times in all; beat sends what is waiting every
# MESSAGE_SEND_MINUTES in case a worker missed it.
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.FileBackend")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(VAR_DIR / "sms" / "outbox.jsonl"))
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = env_str("SMS_GATEWAY_KEY", "")
SMS_GATEWAY_KEY_HEADER = env_str("SMS_GATEWAY_KEY_HEADER", "X-Api-Key")
SMS_GATEWAY_TIMEOUT = env_float("SMS_GATEWAY_TIMEOUT", 10.0)
MESSAGE_ATTEMPTS = env_int("MESSAGE_ATTEMPTS", 5)
MESSAGE_SEND_MINUTES = env_int("MESSAGE_SEND_MINUTES", 2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every PDF step at INFO; its warnings still show.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

SITE_TITLE = _("Haidian grid-based social service management")
