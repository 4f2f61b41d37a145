"""Settings for the second run of the sweep's tests, on SQLite: `pytest --ds=haidian.test_settings_sqlite -m sweep`.

The deadline sweep (dispatch/sweep.py) has set-based SQL for PostgreSQL and a portable twin for the
embedded demo, which runs on SQLite; this run is the twin's test. Like the demo it needs no server:
SQLite (the test database lives in memory), Django's local-memory cache, and a Celery broker in
memory (these tests send nothing to it: their transactions never commit).
"""

from haidian.test_settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "test-sweep.sqlite3"),  # noqa: F405  never opened: the test database is in memory
        "OPTIONS": {"timeout": 20},
        "CONN_MAX_AGE": 0,
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
