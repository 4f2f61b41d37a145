"""/healthz: which part is answering — the database, the broker (Redis for Celery), the cache.

    {"status": "ok" | "degraded" | "error", "database": "ok" | "error: …", "broker": …, "cache": …,
     "outbox": <tasks waiting for the broker>}

- 200 "ok": every part answers.
- 200 "degraded": the database answers but the broker or the cache does not. Every page and the API
  still work (the cache falls back to the database, tasks wait in the outbox), so a load balancer
  that reads the status code keeps routing to this server. Monitoring alerts on "degraded".
- 503 "error": the database does not answer; nothing works, take the server out of rotation.

`?strict=1` answers 503 for "degraded" too, for a monitor that reads only status codes.
"""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from haidian import outbox
from haidian.celery import app


def _error(exc: Exception) -> str:
    return f"error: {exc.__class__.__name__}"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any driver error means "down", reported, not raised
        return _error(exc)


def _broker() -> str:
    try:
        with app.connection_for_write() as conn:
            # One try, no retry: a load balancer's check must get its answer within its timeout.
            conn.ensure_connection(max_retries=0, timeout=2)
        return "ok"
    except Exception as exc:  # kombu raises transport-specific errors
        return _error(exc)


def _cache() -> str:
    """Redis itself when the cache is haidian.cache's (its reads never fail: they fall back to the
    database); any other backend by a write and a read."""
    ping = getattr(cache, "ping", None)
    if ping is not None:
        return ping()
    try:
        cache.set("healthz", "ok", 10)
        return "ok" if cache.get("healthz") == "ok" else "error: value not kept"
    except Exception as exc:
        return _error(exc)


def healthz(request):
    checks = {"database": _database(), "broker": _broker(), "cache": _cache()}
    if checks["database"] != "ok":
        state = "error"
    else:
        state = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
        try:
            checks["outbox"] = outbox.waiting()
        except Exception as exc:  # the table is new or locked: the check itself must not fail
            checks["outbox"] = _error(exc)
    strict = request.GET.get("strict") in ("1", "true", "yes")
    code = 200 if state == "ok" or (state == "degraded" and not strict) else 503
    return JsonResponse({"status": state, **checks}, status=code)
