"""Protection of the pages anyone may post to: rate limits per client address, and the report
form's robot checks (a honeypot field and a signed time stamp).

The limits are haidian.throttling's (one counter per limit, client address and clock hour, where
every limit of the platform is counted); the client's address is `throttling.client_ip`.
"""

from __future__ import annotations

import time

from django.core import signing

from haidian import throttling
from haidian.throttling import RateLimit, client_ip  # noqa: F401  (the public views' names for them)
from public.conf import int_setting

WINDOW_SECONDS = throttling.HOUR


def clock() -> float:
    """The time the form's stamps read (a function, so tests can move it forward)."""
    return time.time()


def _per_hour(setting: str):
    return lambda: int_setting(setting)


REPORTS = RateLimit("public-report", _per_hour("PUBLIC_REPORTS_PER_HOUR"), WINDOW_SECONDS)
FOLLOW_TRIES = RateLimit("public-follow", _per_hour("PUBLIC_FOLLOW_TRIES_PER_HOUR"), WINDOW_SECONDS)


# --- the report form's time stamp ----------------------------------------------------------------

STAMP_SALT = "public.report-form"


def issue_stamp(at: float | None = None) -> str:
    """A signed note of when the form was handed out (tamper-proof; not a secret)."""
    return signing.dumps({"t": round(at if at is not None else clock(), 3)}, salt=STAMP_SALT, compress=True)


def stamp_refusal(stamp: str) -> str | None:
    """None when the form was filled by someone taking human time over it; else why not:
    "too_fast" (sent within PUBLIC_REPORT_MIN_SECONDS of being opened), "stale" (older than
    PUBLIC_REPORT_MAX_SECONDS) or "invalid" (missing or forged)."""
    try:
        issued = float(signing.loads(stamp, salt=STAMP_SALT)["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return "invalid"
    age = clock() - issued
    if age < int_setting("PUBLIC_REPORT_MIN_SECONDS"):
        return "too_fast"
    if age > int_setting("PUBLIC_REPORT_MAX_SECONDS"):
        return "stale"
    return None
