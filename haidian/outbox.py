"""Celery tasks that are never lost to a broker that is down: the one way our code enqueues work.

    enqueue(task, *args)     send `task` (a Celery task name) with `args` once the current
                             transaction commits; if the broker cannot take it, keep the call in
                             the database (haidian.models.OutboxTask) instead of failing the step
                             or dropping the work
    send_or_keep(task, args) the same at once; True if sent, False if kept
    flush()                  send what is kept, oldest first, and delete each row sent: run by beat
                             every minute (`haidian.flush_outbox`), when a worker starts, and as
                             soon as a process that had to keep something finds the broker back

Our tasks are idempotent adapters (they take ids, and the services they call check the state), so
the same call kept twice is kept once (the row's key is the call's digest) and a call sent twice
(a process dying between sending and deleting the row) does no harm.

After a broker error this process keeps its calls without trying the broker for
OUTBOX_BROKER_RETRY_SECONDS (default 10): a broker that refuses connections costs about 0.6 s per
attempt, which no request should pay each time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from haidian.celery import app as celery_app
from haidian.models import OutboxTask

logger = logging.getLogger(__name__)

FLUSH_TASK = "haidian.flush_outbox"
DEFAULT_RETRY_SECONDS = 10
# What a broker that is down (or full, or refusing us) raises through kombu and the Redis client.
BROKER_ERRORS = (KombuError, RedisError, OSError, TimeoutError)
MAX_ERROR_LENGTH = 500

# Shared by the threads of a process: until when calls are kept without trying, and whether any was.
_down_until = {"until": 0.0, "kept": False}
_lock = threading.Lock()


def _retry_seconds() -> float:
    return float(getattr(settings, "OUTBOX_BROKER_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))


def call_key(task: str, args) -> str:
    return hashlib.sha256(json.dumps([task, list(args)], sort_keys=True, default=str).encode()).hexdigest()


def broker_down() -> bool:
    """True while this process keeps calls without trying the broker (after a recent error)."""
    return _down_until["until"] > time.monotonic()


def keep(task: str, args, error: str = "") -> None:
    """Store the call (once per key)."""
    OutboxTask.objects.bulk_create(
        [OutboxTask(task=task, args=list(args), key=call_key(task, args), created_at=timezone.now(),
                    last_error=error[:MAX_ERROR_LENGTH])],
        ignore_conflicts=True)


def _send(task: str, args) -> None:
    # retry=False: the outbox is the retry. ignore_result: our tasks' results are read from the rows
    # they write, never from a result backend (which would be one more Redis to wait for).
    celery_app.send_task(task, args=list(args), retry=False, ignore_result=True)


def send_or_keep(task: str, args=()) -> bool:
    """Send the task now, or keep it if the broker cannot take it; True if sent. Raises only if the
    call can be neither sent nor kept (the database is down too)."""
    args = list(args)
    if not broker_down():
        try:
            _send(task, args)
        except BROKER_ERRORS as exc:
            with _lock:
                _down_until["until"], _down_until["kept"] = time.monotonic() + _retry_seconds(), True
            logger.warning("broker unreachable (%s: %s): %s kept in the outbox", type(exc).__name__, exc, task)
            keep(task, args, f"{type(exc).__name__}: {exc}")
            return False
        else:
            _after_success()
            return True
    keep(task, args, "broker unreachable")
    return False


def _after_success() -> None:
    """The first send that works after this process kept calls: have a worker flush the outbox now,
    rather than at beat's next tick."""
    if not _down_until["kept"]:
        return
    with _lock:
        if not _down_until["kept"]:
            return
        _down_until["kept"] = False
    try:
        _send(FLUSH_TASK, [])
    except BROKER_ERRORS:
        _down_until["kept"] = True


def enqueue(task: str, *args) -> None:
    """Send `task(*args)` once the current transaction commits (at once outside one). `robust`: a
    failure to keep it too (the database went down after the commit) is logged, never raised into
    a step that has committed already."""
    transaction.on_commit(partial(send_or_keep, task, args), robust=True)


def flush(*, limit: int = 1000) -> int:
    """Send the kept calls, oldest first, each deleted once sent; stop at the first broker error
    (the row stays, with the error). Rows are taken under SKIP LOCKED: two flushes at once send
    different rows. Returns how many were sent."""
    sent = 0
    for _round in range(limit):
        with transaction.atomic():
            row = OutboxTask.objects.select_for_update(skip_locked=True).order_by("id").first()
            if row is None:
                break
            try:
                _send(row.task, row.args)
            except BROKER_ERRORS as exc:
                OutboxTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH])
                logger.warning("outbox: broker still unreachable (%s), %s waiting", type(exc).__name__,
                               OutboxTask.objects.count())
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("outbox: %s kept task(s) sent", sent)
    return sent


def waiting() -> int:
    return OutboxTask.objects.count()


def forget_broker_errors() -> None:
    """Try the broker again at the next call (the tests, between them)."""
    with _lock:
        _down_until["until"], _down_until["kept"] = 0.0, False
