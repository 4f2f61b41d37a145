"""Rate limits (入侵防范, 资源控制): how often one client may do one thing, in one place.

Every limit of the platform is a `RateLimit` here, counted the same way:

- the public pages per client address (public.guards: reports, follow look-ups; assessment's
  rating links), `client_ip` below deciding what the address is;
- Open311's POST requests per API key (open311.services.rate_limit);
- the API's writes per user (`WriteThrottle`, REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES, at the rate
  REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["writes"]).

Counts are one counter per limit, subject and window (a clock minute, hour…), kept by `counters`:
Django's cache (Redis in production and tests), where `incr` is atomic, so parallel requests cannot
slip past a limit, and a counter expires with its window. A fixed window rather than a sliding one:
a burst at the turn of a window may reach twice the limit, which is fine for these limits and far
too slow for guessing phone digits or tokens. Where the counts are kept is `counters`' business
alone (haidian.settings [faults]: a fallback when the cache is down), never a caller's.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from haidian.env import setting_int

SECOND, MINUTE, HOUR, DAY = 1, 60, 60 * 60, 24 * 60 * 60
_PERIODS = {"s": SECOND, "m": MINUTE, "h": HOUR, "d": DAY}


def clock() -> float:
    """The time the limits read (a function, so that tests can move it on without waiting)."""
    return time.time()


def parse_rate(rate: str | None) -> tuple[int | None, int]:
    """DRF's notation: "300/minute" → (300, 60); "10/h", "5/day"… None or "" → no limit."""
    if not rate:
        return None, MINUTE
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip()[0]]


class CacheCounters:
    """Counters in Django's cache. The only code that knows where counts are kept."""

    def get(self, key: str) -> int:
        return cache.get(key, 0)

    def hit(self, key: str, ttl: int) -> int:
        """Add one to the counter (created for `ttl` seconds); returns the new count."""
        cache.add(key, 0, ttl)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: the first of a new window
            cache.set(key, 1, ttl)
            return 1

    def give_back(self, key: str) -> None:
        try:
            cache.decr(key)
        except ValueError:
            pass

    def delete(self, key: str) -> None:
        cache.delete(key)


counters = CacheCounters()


@dataclass(frozen=True)
class RateLimit:
    """At most `limit()` counted actions per subject (an address, a key, a user) and window of
    `window` seconds; `limit()` None means no limit."""

    name: str
    limit: Callable[[], int | None]
    window: int = HOUR

    def _key(self, subject: str, now: float) -> str:
        return f"limit:{self.name}:{self.window}:{int(now // self.window)}:{subject}"

    def count(self, subject: str) -> int:
        return counters.get(self._key(subject, clock()))

    def exceeded(self, subject: str) -> bool:
        """True when the subject has used up the window's actions (checked without counting one)."""
        limit = self.limit()
        return limit is not None and self.count(subject) >= limit

    def hit(self, subject: str) -> bool:
        """Count one action; False when it goes past the limit (the action must then be refused)."""
        limit = self.limit()
        if limit is None:
            return True
        used = counters.hit(self._key(subject, clock()), self.window + 60)
        return used <= limit

    def undo(self, subject: str) -> None:
        """Give back a counted action that did not happen (e.g. a report that could not be stored)."""
        counters.give_back(self._key(subject, clock()))

    def reset(self, subject: str) -> None:
        counters.delete(self._key(subject, clock()))

    def retry_after(self) -> int:
        """Seconds until the current window ends, for the Retry-After header."""
        return int(self.window - clock() % self.window) + 1


def setting_limit(name: str, default: int, *, zero_is_off: bool = False) -> Callable[[], int | None]:
    """A limit read at each use from the Django setting `name`, else the environment, else `default`
    (so that tests and a deployment can change it)."""

    def limit() -> int | None:
        value = setting_int(name, default)
        return None if zero_is_off and value <= 0 else value

    return limit


# --- the client's address --------------------------------------------------------------------------

def request_address(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address, the one rule for every limit, the login lockout and the audit log:
    REMOTE_ADDR, or with PUBLIC_TRUSTED_PROXIES = n, the address the outermost of our n proxies saw
    (the n-th entry of X-Forwarded-For from the right); entries to its left are whatever the client
    chose to send and are never trusted. None when it does not parse."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = setting_int("PUBLIC_TRUSTED_PROXIES", 0)
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def client_ip(request) -> str:
    """The subject a per-address limit counts: `request_address`, IPv6 clients per /64 (the block one
    household or phone gets)."""
    parsed = request_address(request)
    if parsed is None:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address) + "/64"
    return str(parsed)


# --- the API ---------------------------------------------------------------------------------------

class Throttled(exceptions.Throttled):
    """DRF's 429 with our own message (DRF's "expected available in …" is never translated)."""

    def __init__(self, wait: float):
        seconds = max(1, math.ceil(wait))
        super().__init__(detail=_("Too many changes in a short time: try again in %(seconds)s seconds.")
                         % {"seconds": seconds})
        self.wait = seconds  # the exception handler sends it as Retry-After


class WriteThrottle(BaseThrottle):
    """The API's writes (POST, PUT, PATCH, DELETE) per user, or per address for anonymous writes, at
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["writes"] (e.g. "300/minute"); reads are not counted.
    A script gone wrong cannot flood the case tables, while no person at a desk comes near it."""

    scope = "writes"
    methods = frozenset({"POST", "PUT", "PATCH", "DELETE"})  # what it counts (the schema documents 429 on these)

    def allow_request(self, request, view) -> bool:
        if request.method not in self.methods:
            return True
        count, window = parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get("writes"))
        if count is None:
            return True
        limit = RateLimit("api-writes", lambda: count, window)
        user = getattr(request, "user", None)
        subject = f"user:{user.pk}" if user is not None and user.is_authenticated else f"ip:{client_ip(request)}"
        if limit.hit(subject):
            return True
        raise Throttled(limit.retry_after())

    def wait(self):  # allow_request raises instead of returning False
        return None
