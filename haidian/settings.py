"""Settings for the Haidian grid governance platform.

Everything that differs between the embedded demo, the test suite and production comes from the
environment. Defaults make `make demo` work on a fresh machine: SQLite under var/, a Celery broker
on the local filesystem, DEBUG on. Production sets HAIDIAN_ENV=production and must then give a
real SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from haidian import reform
from haidian.env import env_bool, env_float, env_int, env_list, env_str, url_origin

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
    "axes",  # [identity] login failures and lockouts
    "django_otp",  # [identity] the administrators' second factor
    "django_otp.plugins.otp_totp",
    "csp",  # its checks refuse django-csp 3.x settings
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
    "security",
]
if HAIDIAN_ENV in {"demo", "test"}:
    HAIDIAN_APPS += ["demo", "bench"]  # demo data and the benchmark generator: never in production
INSTALLED_APPS += HAIDIAN_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "haidian.middleware.CSPMiddleware",  # [headers] Content-Security-Policy (django-csp)
    "haidian.middleware.PermissionsPolicyMiddleware",  # [headers]
    "django.contrib.sessions.middleware.SessionMiddleware",
    "haidian.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # [identity] request.user.is_verified()
    "haidian.middleware.AuditContextMiddleware",  # who and from where, for the audit log's receivers
    "django.contrib.messages.middleware.MessageMiddleware",
    "haidian.middleware.IdleSessionMiddleware",  # [identity] SESSION_IDLE_MINUTES
    "security.identity.PasswordChangeRequiredMiddleware",  # [identity] first login
    "security.identity.AdminSecondFactorMiddleware",  # [identity] ADMIN_REQUIRE_OTP
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # [identity] last: turns a lockout into its answer
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
        # A connection kept across requests is checked before its first use in each: after PostgreSQL
        # restarts, a worker's next request reconnects instead of answering 500 ([faults]).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo runs web, worker and beat against one file: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # [identity] first: refuses a locked account or address
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian anonymous user: residents never log in, and scope is never granted to "anyone".
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",  # [identity]
     "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # [identity] 口令复杂度: letters, digits and symbols mixed (haidian2013 has two kinds, so it is refused).
    {"NAME": "haidian.passwords.CharacterClassesValidator",
     "OPTIONS": {"min_classes": env_int("PASSWORD_MIN_CHARACTER_CLASSES", 3)}},
]
if HAIDIAN_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Maps draw our own grid outlines on a blank background; a tile server on the intranet is optional.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # people.views.start: each person's first workplace
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
# How long a Redis call may wait (cache and broker) before the fallbacks take over (seconds).
REDIS_TIMEOUT_SECONDS = env_float("REDIS_TIMEOUT_SECONDS", 2.0)
if REDIS_URL:
    # RedisCache, falling back to a table in the database while Redis cannot be reached ([faults]).
    CACHES = {"default": {"BACKEND": "haidian.cache.RedisWithDatabaseFallback", "LOCATION": REDIS_URL, "OPTIONS": {
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        "socket_timeout": REDIS_TIMEOUT_SECONDS,
        "RETRY_SECONDS": env_float("CACHE_REDIS_RETRY_SECONDS", 5.0)}}}

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
    "DEFAULT_SCHEMA_CLASS": "haidian.schema.AutoSchema",  # every refusal documented too
    "EXCEPTION_HANDLER": "haidian.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Haidian grid governance API",
    "DESCRIPTION": "海淀区网格化社会服务管理平台 REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get components of their own (FooRequest): what a client may send (no read-only
    # field, haidian.schema's text patterns) is not what it gets back.
    "COMPONENT_SPLIT_REQUEST": True,
    "GET_LIB_DOC_EXCLUDES": "haidian.schema.lib_doc_excludes",
    "PREPROCESSING_HOOKS": ["haidian.schema.one_path_per_view"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets whose field names other components use too ("kind", "verdict"), each named once.
    "ENUM_NAME_OVERRIDES": {
        "VerdictEnum": "appointments.models.Verdict",
        "SupervisoryBodyKindEnum": "supervision.models.BodyKind",
        "InspectionVerdictEnum": "supervision.models.Verdict",
        # [headers] shared choice sets named once, so that `check --deploy` reports no schema warning
        "AgencyKindEnum": "agencies.models.Agency.Kind",
        "AttachmentKindEnum": "dispatch.models.Attachment.Kind",
        "CaseStatusEnum": "dispatch.models.CaseStatus",
        "MeetingKindEnum": "committees.models.MeetingKind",
        "SatisfactionEnum": "dispatch.models.Satisfaction",
        "UnitKindEnum": "assessment.models.UnitKind",
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

# --- Security and personal data (等保 2.0, README "Security and personal data") -------------------
# [identity]
# 身份鉴别 (GB/T 22239-2019 8.1.4.1; docs/security.md "Identity"). Login failures (django-axes, database
# handler: no cache, so it works with Redis down): LOGIN_FAILURE_LIMIT failures lock the account, and
# separately the address they came from, for LOGIN_LOCKOUT_MINUTES after the last one, on the login
# page, the admin's and POST /api/v1/auth/token/ alike (answer 429). Tries while locked do not prolong
# the lock; a successful login forgets that account's failures from that address. Behind a NAT whose one
# address serves a whole office, LOGIN_LOCK_ADDRESSES=false keeps only the per-account lock.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1")
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", *(["ip_address"] if env_bool("LOGIN_LOCK_ADDRESSES", True) else [])]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # successful logins and logouts are on the audit log
AXES_CLIENT_IP_CALLABLE = "haidian.audit.client_address"  # the address the audit log records
AXES_LOCKOUT_CALLABLE = "security.identity.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The audit log records every login and failure: axes' own banner and per-login INFO lines would only
# repeat it; its warnings (a lockout) still show.
AXES_VERBOSE = False
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
# Passwords: AUTH_PASSWORD_VALIDATORS above (PASSWORD_MIN_LENGTH, PASSWORD_MIN_CHARACTER_CLASSES). An
# account whose password an administrator set must change it at its next login.
# Sessions end after SESSION_IDLE_MINUTES without a request (haidian.middleware.IdleSessionMiddleware),
# after SESSION_MAX_HOURS in any case, and when the browser closes.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
if SESSION_IDLE_MINUTES < 1 or SESSION_COOKIE_AGE < 3600:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES and SESSION_MAX_HOURS must be at least 1")
# API tokens are refused this many hours after they were issued (0: never); POST auth/token/ then
# issues a new one, POST auth/token/revoke/ ends one early.
API_TOKEN_MAX_AGE_HOURS = env_int("API_TOKEN_MAX_AGE_HOURS", 720)
if API_TOKEN_MAX_AGE_HOURS < 0:
    raise ImproperlyConfigured(f"API_TOKEN_MAX_AGE_HOURS must not be negative, not {API_TOKEN_MAX_AGE_HOURS}")
# The admin asks everyone who reaches it (superusers and the three administrators) for a TOTP code from
# a confirmed device (django-otp; set one up at /security/otp/).
ADMIN_REQUIRE_OTP = env_bool("ADMIN_REQUIRE_OTP", HAIDIAN_ENV == "production")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Haidian grid management")
# [audit]
# The audit log (安全审计) is kept at least this long; nothing in the code deletes a row (a PostgreSQL
# trigger refuses UPDATE and DELETE, and no retention job touches it). 等保 asks for six months.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS must be at least 180 (six months), not {AUDIT_RETENTION_DAYS}")
# The address recorded is the rate limits' (haidian.throttling.request_address, PUBLIC_TRUSTED_PROXIES).
# [personal]
# 个人信息保护 / 数据保密性 / 剩余信息保护 (docs/security.md "Personal data"). Reporters' names, phones and
# emails, co-managers' phones, Open311 emails and message addresses are encrypted at rest
# (haidian.privacy): SM4-GCM where the cryptography build offers it, else AES-256-GCM
# (PERSONAL_DATA_CIPHER auto|sm4|aes). Keys are the base64 of 32 random bytes, e.g.
# `python -c "import base64,os; print(base64.b64encode(os.urandom(32)).decode())"`; production must set
# PERSONAL_DATA_KEY and PERSONAL_DATA_INDEX_KEY (the blind index's HMAC key, never rotated). To rotate
# the encryption key: new PERSONAL_DATA_KEY with a new PERSONAL_DATA_KEY_ID, the old one in
# PERSONAL_DATA_KEYS_OLD as "<id>:<key>", then `manage.py personal_data_rekey`. A closed or rejected
# case's reporter data is erased PERSONAL_DATA_RETENTION_DAYS after (the beat job personal_data_retention).
_DEMO_PERSONAL_DATA_KEY = "aGFpZGlhbi1kZW1vLXBlcnNvbmFsLWRhdGEta2V5ISE="  # demo and test only: public
_DEMO_PERSONAL_DATA_INDEX_KEY = "aGFpZGlhbi1kZW1vLXBlcnNvbmFsLWluZGV4LWtleSE="
PERSONAL_DATA_KEY = env_str("PERSONAL_DATA_KEY", "" if HAIDIAN_ENV == "production" else _DEMO_PERSONAL_DATA_KEY)
PERSONAL_DATA_INDEX_KEY = env_str("PERSONAL_DATA_INDEX_KEY",
                                  "" if HAIDIAN_ENV == "production" else _DEMO_PERSONAL_DATA_INDEX_KEY)
if HAIDIAN_ENV == "production" and (
    not PERSONAL_DATA_KEY or not PERSONAL_DATA_INDEX_KEY
    or {PERSONAL_DATA_KEY, PERSONAL_DATA_INDEX_KEY} & {_DEMO_PERSONAL_DATA_KEY, _DEMO_PERSONAL_DATA_INDEX_KEY}
    or PERSONAL_DATA_KEY == PERSONAL_DATA_INDEX_KEY
):
    raise ImproperlyConfigured("PERSONAL_DATA_KEY and PERSONAL_DATA_INDEX_KEY must be set in production, to two "
                               "different random keys (base64 of 32 bytes each)")
PERSONAL_DATA_KEY_ID = env_str("PERSONAL_DATA_KEY_ID", "v1")
PERSONAL_DATA_KEYS_OLD = env_list("PERSONAL_DATA_KEYS_OLD", [])
PERSONAL_DATA_CIPHER = env_str("PERSONAL_DATA_CIPHER", "auto")
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 730)
if PERSONAL_DATA_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("PERSONAL_DATA_RETENTION_DAYS must be at least 1")
# [inputs]
# Every input answers 4xx (入侵防范; docs/security.md "Inputs and abuse"): haidian.inputs refuses
# NUL, control characters and direction overrides before any view (and in every API text field),
# haidian.parsers JSON bodies past DATA_UPLOAD_MAX_MEMORY_SIZE (413) or nested past MAX_JSON_DEPTH
# (400), haidian.uploads images of more than MAX_IMAGE_PIXELS pixels before decoding them (400).
MIDDLEWARE += ["haidian.inputs.InputGuardMiddleware"]  # after CSRF and authentication
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)  # Django's default, 2.5 MB
MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 32)
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
if MAX_JSON_DEPTH < 2 or MAX_IMAGE_PIXELS < 1_000_000:
    raise ImproperlyConfigured("MAX_JSON_DEPTH must be at least 2 and MAX_IMAGE_PIXELS at least 1000000")
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "haidian.parsers.JSONParser", "rest_framework.parsers.FormParser", "rest_framework.parsers.MultiPartParser"]
# Rate limits (haidian.throttling; 429 with a Chinese message): the API's writes per user, Open311's
# posts per API key (0: none), the public rating links per client address and hour (the report and
# follow pages' are PUBLIC_REPORTS_PER_HOUR and PUBLIC_FOLLOW_TRIES_PER_HOUR, public/conf.py).
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [*REST_FRAMEWORK.get("DEFAULT_THROTTLE_CLASSES", []),
                                              "haidian.throttling.WriteThrottle"]
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {})["writes"] = env_str("API_WRITE_RATE", "300/minute")
OPEN311_POSTS_PER_MINUTE = env_int("OPEN311_POSTS_PER_MINUTE", 60)
PUBLIC_RATINGS_PER_HOUR = env_int("PUBLIC_RATINGS_PER_HOUR", 20)
# [faults]
# Redis down (haidian.cache, haidian.outbox; the CACHES and DATABASES options above): a task that cannot
# be sent waits in the database and beat sends it; after a broker error a process keeps its tasks
# without trying the broker for this many seconds.
OUTBOX_BROKER_RETRY_SECONDS = env_float("OUTBOX_BROKER_RETRY_SECONDS", 10.0)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Sending fails at once when Redis is down (the outbox keeps the task) instead of retrying for
    # broker_connection_timeout in the request; a worker's own reconnection keeps its retries.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0,
                                       "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}
# A message or notification email left `sending` this long (its worker died) is claimed again, under
# the same idempotency key (the SMS gateway's header below, the email's Message-ID).
MESSAGE_SENDING_TIMEOUT_MINUTES = env_int("MESSAGE_SENDING_TIMEOUT_MINUTES", 10)
if MESSAGE_SENDING_TIMEOUT_MINUTES < 1:
    raise ImproperlyConfigured("MESSAGE_SENDING_TIMEOUT_MINUTES must be at least 1, "
                               f"not {MESSAGE_SENDING_TIMEOUT_MINUTES}")
SMS_GATEWAY_IDEMPOTENCY_HEADER = env_str("SMS_GATEWAY_IDEMPOTENCY_HEADER", "Idempotency-Key")
# manage.py backup: where the dated folders go; the PostgreSQL client binaries (pg_dump, pg_restore),
# if not on PATH or under /usr/lib/postgresql/<version>/bin.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
PG_BIN_DIR = env_str("PG_BIN_DIR", "")
# [headers]
# Headers and transport (通信传输, 入侵防范; README "Production", docs/security.md). What needs HTTPS is
# on by default only in production; what works over plain HTTP too is on in every mode, so that the
# demo and the browser tests run under the same policy as production and catch a violation.
_PRODUCTION = HAIDIAN_ENV == "production"
# Behind a proxy that terminates TLS (nginx), trust its X-Forwarded-Proto: only when the proxy
# overwrites the header a client sent, and gunicorn is not reachable except through it.
if env_bool("HTTPS_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's health check speaks plain HTTP
# HSTS: a year, subdomains and the preload flag. Browsers remember it: lower SECURE_HSTS_SECONDS
# (e.g. 3600) for the first days of a new deployment, and turn the subdomains off if the domain has
# sites that are not on HTTPS yet.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env_str("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = env_str("SECURE_CROSS_ORIGIN_OPENER_POLICY", "same-origin")
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No page reads the CSRF cookie from JavaScript: forms carry {% csrf_token %}, htmx sends the token
# from <body hx-headers>, Swagger UI from its page.
CSRF_COOKIE_HTTPONLY = env_bool("CSRF_COOKIE_HTTPONLY", True)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Permissions-Policy (haidian.middleware.PermissionsPolicyMiddleware): the phone pages locate the
# reporter and may take a photo; nothing uses the rest.
PERMISSIONS_POLICY = env_str(
    "PERMISSIONS_POLICY",
    "geolocation=(self), camera=(self), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), browsing-topics=()",
)
# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files (no inline
# script, no inline style, no eval); images also as data:/blob: URLs (Leaflet, ECharts, photo previews)
# and from MAP_TILE_URL's server when one is set. Two pages add to it for themselves only: /api/docs/ a
# nonce for Swagger UI's inline script and style (haidian.urls), django-import-export's export page the
# hashes of its inline handler and styles (haidian.middleware). docs/security.md "Headers and transport".
# CSP_REPORT_ONLY=true sends it as Content-Security-Policy-Report-Only instead;
# CSP_REPORT_URI names where browsers report violations. (These two stay out of the settings: django-csp
# 4's checks refuse any setting named like its 3.x CSP_* ones.)
_tile_origin = url_origin("MAP_TILE_URL", MAP_TILE_URL)
_csp_report_uri = env_str("CSP_REPORT_URI", "")
_csp = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *([_tile_origin] if _tile_origin else [])],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"report-uri": [_csp_report_uri]} if _csp_report_uri else {}),
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
else:
    CONTENT_SECURITY_POLICY = _csp
# --- end of security -----------------------------------------------------------------------------

SITE_TITLE = _("Haidian grid-based social service management")
