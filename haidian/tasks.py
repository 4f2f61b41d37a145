"""Celery tasks every app shares."""

import logging
import socket

from celery import shared_task
from celery.signals import worker_ready
from django.db import close_old_connections

from haidian import cache, outbox

logger = logging.getLogger(__name__)


@shared_task(name="haidian.ping")
def ping(payload: str) -> dict:
    """Echo back through the worker: proves broker, worker and result backend are wired."""
    return {"echo": payload, "worker_host": socket.gethostname()}


@shared_task(name=outbox.FLUSH_TASK, ignore_result=True)
def flush_outbox() -> int:
    """Send the tasks kept while the broker was down (haidian.outbox); run by beat every minute,
    which also deletes the cache fallback's expired rows (haidian.cache)."""
    cache.cull_expired()
    return outbox.flush()


@worker_ready.connect
def flush_outbox_on_start(sender=None, **kwargs) -> None:
    """A worker that starts (after Redis came back, say) sends what was kept without waiting for beat."""
    try:
        outbox.flush()
    except Exception:  # a worker must start even if the database is not answering yet: beat will flush
        logger.warning("outbox not flushed at the worker's start", exc_info=True)
    finally:
        close_old_connections()
