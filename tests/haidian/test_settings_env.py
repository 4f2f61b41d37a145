"""Settings come from the environment and refuse an insecure production setup."""

import base64
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "HAIDIAN_ENV", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "-c", "import haidian.settings as s; print(s.TIME_ZONE, s.LANGUAGE_CODE, s.DEBUG)"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
    )


def test_production_refuses_the_demo_secret_key():
    result = load_settings(HAIDIAN_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_accepts_a_real_secret_key():
    result = load_settings(HAIDIAN_ENV="production", SECRET_KEY="k" * 60,
                           PERSONAL_DATA_KEY=base64.b64encode(b"e" * 32).decode(),
                           PERSONAL_DATA_INDEX_KEY=base64.b64encode(b"i" * 32).decode())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Asia/Shanghai", "zh-hans", "False"]


def test_a_bad_boolean_is_refused_with_its_name():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_demo_defaults_to_sqlite_and_a_filesystem_broker():
    result = subprocess.run(
        [sys.executable, "-c",
         "import haidian.settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"],
        cwd=ROOT, env={k: v for k, v in os.environ.items()
                       if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "HAIDIAN_ENV"}},
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]
