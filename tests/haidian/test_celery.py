"""A real task travels through Redis to a real Celery worker process and back."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from haidian.tasks import ping

pytestmark = pytest.mark.celery

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def worker_queue():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the Celery tests need Redis as broker"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "haidian.test_settings",
           "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
           "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "haidian", "worker", "--pool=solo", "--concurrency=1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING", "-Q", queue,
         "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_task_runs_on_a_real_worker_through_redis(worker_queue):
    result = ping.apply_async(args=["网格"], queue=worker_queue)
    reply = result.get(timeout=30)
    assert reply["echo"] == "网格"
    assert result.successful()


def test_the_healthcheck_reports_database_broker_and_cache(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok", "outbox": 0}


def test_the_healthcheck_says_degraded_when_the_broker_is_down_and_503_if_asked_to_be_strict(client, db):
    from haidian.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
        strict = client.get("/healthz?strict=1")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 200 and response.json()["status"] == "degraded"  # pages still work
    assert response.json()["broker"].startswith("error")
    assert strict.status_code == 503
