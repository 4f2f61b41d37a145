"""SUPERVISION_INQUIRY_WORKING_DAYS comes from the environment (default haidian.reform's), and a bad value
stops the start loudly."""

import os
import subprocess
import sys
from pathlib import Path

from haidian import reform

ROOT = Path(__file__).resolve().parents[2]
NAME = "SUPERVISION_INQUIRY_WORKING_DAYS"


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {NAME, "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run([sys.executable, "-c", f"import haidian.settings as s; print(s.{NAME})"],
                          cwd=ROOT, env={**clean, **env}, capture_output=True, text=True)


def test_ten_working_days_unless_the_environment_says_otherwise():
    assert reform.SUPERVISION_INQUIRY_WORKING_DAYS == 10
    assert load_settings().stdout.strip() == "10"
    assert load_settings(**{NAME: "15"}).stdout.strip() == "15"


def test_a_bad_value_is_refused_with_its_name():
    for bad in ("two weeks", "0", "-3"):
        result = load_settings(**{NAME: bad})
        assert result.returncode != 0 and NAME in result.stderr, bad
