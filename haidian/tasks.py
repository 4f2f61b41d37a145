"""Celery tasks every app shares."""

import socket

from celery import shared_task


@shared_task(name="haidian.ping")
def ping(payload: str) -> dict:
    """Echo back through the worker: proves broker, worker and result backend are wired."""
    return {"echo": payload, "worker_host": socket.gethostname()}
