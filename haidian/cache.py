"""Django's cache on Redis, with the database behind it when Redis cannot be reached.

    CACHES = {"default": {"BACKEND": "haidian.cache.RedisWithDatabaseFallback", "LOCATION": REDIS_URL}}

Every page and every limiter reads the cache: with plain RedisCache a Redis that is down turns each
of them into a 500 (the public report form, the follow look-up, the grid outlines), and a limiter
that catches the error lets everything through. Here a connection error sends the call to
`DatabaseCache` below, a table in our own PostgreSQL (haidian.models.CacheEntry), and for the next
REDIS_RETRY_SECONDS this process goes straight there instead of paying a connect attempt per call;
then it tries Redis again. Nothing raises because Redis is down:

- reads degrade: a value Redis had is simply missing (rebuilt, as on any cache miss), and a read
  that fails in the database too answers the default;
- limiters keep counting, atomically: `add` is one INSERT … ON CONFLICT, `incr` one UPDATE …
  RETURNING, so parallel requests cannot slip past a limit (never "fail open"). The counts made
  during an outage stay in the database and are not carried back to Redis: when Redis returns, a
  client may use one more window's allowance, never more;
- when a process finds Redis back, it empties the fallback table, so that a later outage cannot
  serve values older than what Redis held meanwhile.

Expired rows are deleted by beat (`haidian.flush_outbox`, every minute) through `cull_expired`.
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import threading
import time
from contextlib import nullcontext

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Redis is unreachable (refused, timed out, DNS): what makes a call go to the database instead.
REDIS_DOWN_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
DEFAULT_RETRY_SECONDS = 5.0
# A value with no timeout (None) is kept "for ever": far enough to never expire, inside every backend's range.
FOREVER = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
TABLE = "haidian_cacheentry"


class DatabaseCache(BaseCache):
    """A cache in the table haidian.models.CacheEntry: `value` pickled, except plain integers, which
    live in `number` so that `incr` is one atomic UPDATE. Works on PostgreSQL and SQLite (≥ 3.35)."""

    def _expiry(self, timeout) -> dt.datetime | None:
        """When a value set now with `timeout` expires; None: it is expired already (timeout ≤ 0)."""
        seconds = self.get_backend_timeout(timeout)
        if seconds is None:
            return FOREVER
        if seconds <= time.time():
            return None
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)

    @staticmethod
    def _columns(value) -> tuple[bytes | None, int | None]:
        if type(value) is int and -(2**63) <= value < 2**63:  # not bool: what incr can count, in a bigint
            return None, value
        return pickle.dumps(value, pickle.HIGHEST_PROTOCOL), None

    @staticmethod
    def _value(blob, number):
        return number if blob is None else pickle.loads(bytes(blob))

    @staticmethod
    def _execute(sql: str, params: list):
        params = [connection.ops.adapt_datetimefield_value(value) if isinstance(value, dt.datetime) else value
                  for value in params]
        # Inside a transaction, a savepoint: a failed statement here must not break the caller's.
        with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        rows = self._execute(f"SELECT value, number FROM {TABLE} WHERE key = %s AND expires > %s",
                             [key, timezone.now()])
        return self._value(*rows[0]) if rows else default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        expires = self._expiry(timeout)
        if expires is None:
            self._execute(f"DELETE FROM {TABLE} WHERE key = %s", [key])
            return
        blob, number = self._columns(value)
        self._execute(
            f"INSERT INTO {TABLE} (key, value, number, expires) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, number = excluded.number, "
            "expires = excluded.expires", [key, blob, number, expires])

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """True if the key was missing (or expired) and is now set: one statement, so of two racing
        adds exactly one wins."""
        key = self.make_and_validate_key(key, version=version)
        expires = self._expiry(timeout)
        if expires is None:
            return False
        blob, number = self._columns(value)
        return bool(self._execute(
            f"INSERT INTO {TABLE} (key, value, number, expires) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (key) DO UPDATE SET value = excluded.value, number = excluded.number, "
            f"expires = excluded.expires WHERE {TABLE}.expires <= %s RETURNING key",
            [key, blob, number, expires, timezone.now()]))

    def incr(self, key, delta=1, version=None):
        """Atomic (one UPDATE … RETURNING); ValueError for a missing key, as Django's backends."""
        key = self.make_and_validate_key(key, version=version)
        rows = self._execute(
            f"UPDATE {TABLE} SET number = number + %s WHERE key = %s AND expires > %s AND number IS NOT NULL "
            "RETURNING number", [delta, key, timezone.now()])
        if not rows:
            raise ValueError(f"Key '{key}' not found")
        return rows[0][0]

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        expires = self._expiry(timeout)
        if expires is None:
            return self.delete(key, version=version)
        return bool(self._execute(f"UPDATE {TABLE} SET expires = %s WHERE key = %s AND expires > %s RETURNING key",
                                  [expires, key, timezone.now()]))

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return bool(self._execute(f"DELETE FROM {TABLE} WHERE key = %s RETURNING key", [key]))

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return bool(self._execute(f"SELECT 1 FROM {TABLE} WHERE key = %s AND expires > %s",
                                  [key, timezone.now()]))

    def clear(self):
        self._execute(f"DELETE FROM {TABLE}", [])


def cull_expired(now: dt.datetime | None = None) -> int:
    """Delete the fallback's expired rows; returns how many."""
    return len(DatabaseCache._execute(f"DELETE FROM {TABLE} WHERE expires <= %s RETURNING key",
                                      [now or timezone.now()]))


# Per Redis location, shared by the threads of a process (Django makes one cache object per thread):
# until when calls skip Redis, and whether an outage was seen (to empty the fallback on recovery).
_down_until: dict[str, float] = {}
_was_down: set[str] = set()
_state_lock = threading.Lock()


class RedisWithDatabaseFallback(RedisCache):
    """RedisCache; while Redis cannot be reached, the same calls on `DatabaseCache` (see the module).

    OPTIONS as RedisCache's (socket_connect_timeout and socket_timeout keep a Redis that does not
    answer from holding requests), plus RETRY_SECONDS: how long a process keeps to the database
    after a failed call before it tries Redis again (default 5)."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.fallback = DatabaseCache(params)
        self._location = server if isinstance(server, str) else ",".join(server)

    # --- which of the two ------------------------------------------------------------------------

    def redis_down(self) -> bool:
        return _down_until.get(self._location, 0.0) > time.monotonic()

    def _mark_down(self, exc: Exception, operation: str) -> None:
        with _state_lock:
            first = self._location not in _was_down
            _down_until[self._location] = time.monotonic() + self.retry_seconds
            _was_down.add(self._location)
        log = logger.warning if first else logger.info
        log("Redis cache unreachable (%s on %s: %s): using the database for %.0f s", type(exc).__name__,
            operation, exc, self.retry_seconds)

    def _mark_up(self) -> None:
        if self._location not in _was_down:
            return
        with _state_lock:
            if self._location not in _was_down:
                return
            _was_down.discard(self._location)
            _down_until.pop(self._location, None)
        logger.warning("Redis cache reachable again: emptying the database fallback")
        try:
            self.fallback.clear()
        except DatabaseError:
            logger.warning("could not empty the cache's database fallback", exc_info=True)

    def _call(self, operation: str, *args, **kwargs):
        if not self.redis_down():
            try:
                result = getattr(super(), operation)(*args, **kwargs)
            except REDIS_DOWN_ERRORS as exc:
                self._mark_down(exc, operation)
            else:
                self._mark_up()
                return result
        return getattr(self.fallback, operation)(*args, **kwargs)

    def ping(self) -> str:
        """Redis itself, for /healthz: "ok" or "error: …" (never raises, never uses the fallback)."""
        try:
            self._cache.get_client(write=False).ping()
        except Exception as exc:  # whatever the client raises means: not reachable
            return f"error: {type(exc).__name__}"
        return "ok"

    # --- the cache API ---------------------------------------------------------------------------
    # decr, get_or_set, incr_version, __contains__ … are BaseCache's, built on these.

    def get(self, key, default=None, version=None):
        try:
            return self._call("get", key, default, version=version)
        except DatabaseError:  # Redis and the database both failing: a miss, never an error page
            logger.warning("cache read failed in Redis and in the database", exc_info=True)
            return default

    def get_many(self, keys, version=None):
        try:
            return self._call("get_many", keys, version=version)
        except DatabaseError:
            logger.warning("cache read failed in Redis and in the database", exc_info=True)
            return {}

    def has_key(self, key, version=None):
        try:
            return self._call("has_key", key, version=version)
        except DatabaseError:
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        return self._call("clear")
