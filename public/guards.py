"""Protection of the pages anyone may post to: rate limits per client address, and the report
form's robot checks (a honeypot field and a signed time stamp).

Counts live in Django's cache (Redis in production and tests), in one counter per limit, client
address and clock hour: `incr` is atomic in Redis, so parallel requests cannot slip past a limit,
and a counter simply expires with its hour. The window is the clock hour rather than a sliding
one: a burst at the turn of an hour may reach twice the limit, which is fine for a resident's
report and far too slow for guessing phone digits.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache

from public.conf import int_setting

WINDOW_SECONDS = 60 * 60


def clock() -> float:
    """The time the limits and stamps read (a function, so tests can move it forward)."""
    return time.time()


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or with PUBLIC_TRUSTED_PROXIES = n, the address the
    outermost of our n proxies saw (the n-th entry of X-Forwarded-For from the right); entries to
    its left are whatever the client chose to send and are never trusted. IPv6 clients count per
    /64, the block one household or phone gets."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = int_setting("PUBLIC_TRUSTED_PROXIES")
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address) + "/64"
    return str(parsed)


@dataclass(frozen=True)
class RateLimit:
    """At most `int_setting(setting)` counted actions per client address and clock hour."""

    name: str
    setting: str

    @property
    def limit(self) -> int:
        return int_setting(self.setting)

    def _key(self, ip: str, now: float) -> str:
        return f"public:limit:{self.name}:{int(now // WINDOW_SECONDS)}:{ip}"

    def count(self, ip: str) -> int:
        return cache.get(self._key(ip, clock()), 0)

    def exceeded(self, ip: str) -> bool:
        return self.count(ip) >= self.limit

    def hit(self, ip: str) -> bool:
        """Count one action; False when it goes past the limit (the action must then be refused)."""
        key = self._key(ip, clock())
        cache.add(key, 0, WINDOW_SECONDS + 60)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr: this is the first of a new hour
            cache.set(key, 1, WINDOW_SECONDS + 60)
            used = 1
        return used <= self.limit

    def undo(self, ip: str) -> None:
        """Give back a counted action that did not happen (the report could not be stored)."""
        try:
            cache.decr(self._key(ip, clock()))
        except ValueError:
            pass

    def reset(self, ip: str) -> None:
        cache.delete(self._key(ip, clock()))

    def retry_after(self) -> int:
        """Seconds until the current window ends, for the Retry-After header."""
        return int(WINDOW_SECONDS - clock() % WINDOW_SECONDS) + 1


REPORTS = RateLimit("report", "PUBLIC_REPORTS_PER_HOUR")
FOLLOW_TRIES = RateLimit("follow", "PUBLIC_FOLLOW_TRIES_PER_HOUR")


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
