"""WHISTLE_MINUTES comes from the environment, and a bad value stops the start loudly."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"WHISTLE_MINUTES", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run([sys.executable, "-c", "import haidian.settings as s; print(s.WHISTLE_MINUTES)"],
                          cwd=ROOT, env={**clean, **env}, capture_output=True, text=True)


def test_thirty_minutes_unless_the_environment_says_otherwise():
    assert load_settings().stdout.strip() == "30"
    assert load_settings(WHISTLE_MINUTES="45").stdout.strip() == "45"


def test_a_bad_value_is_refused_with_its_name():
    for bad in ("half an hour", "0", "1441"):
        result = load_settings(WHISTLE_MINUTES=bad)
        assert result.returncode != 0 and "WHISTLE_MINUTES" in result.stderr, bad
