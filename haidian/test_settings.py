"""Settings for the test suite: real PostgreSQL and Redis (scripts/test-services starts them)."""

import os

os.environ.setdefault("HAIDIAN_ENV", "test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/haidian")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# Tests change grids inside transactions that never commit: check the locate index every call.
os.environ.setdefault("GRID_INDEX_CHECK_SECONDS", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("SMS_BACKEND", "notifications.sms.LocmemBackend")
# Rate limits the suite's many writes from one user or address must not reach (tests/haidian/
# test_throttles.py lowers them with the `settings` fixture).
os.environ.setdefault("API_WRITE_RATE", "100000/minute")
os.environ.setdefault("PUBLIC_RATINGS_PER_HOUR", "100000")

from haidian.settings import *  # noqa: E402,F403

CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
