"""A round's computation as what it is in production: the district asks for it, the request goes
through Redis to a real Celery worker, and the round row shows the progress and then the result.

The worker is another process reading the test database, so the test is transactional (it runs
after the others and builds Haidian itself) and the worker listens on a queue of its own.
"""

import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from assessment import services
from assessment.models import ComputeState, Result, Round
from grids.geometry import grid_index
from haidian.calendar import clear_cache
from haidian.celery import app
from tests.conftest import test_database_url

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def haidian(transactional_db):
    """Haidian itself, before the cast's fixtures look up its units (earlier transactional tests may
    have emptied the tables)."""
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", stdout=io.StringIO())
    clear_cache()
    grid_index.invalidate()


@pytest.fixture
def worker(tmp_path):
    queue = f"test-assessment-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "haidian.test_settings", "DATABASE_URL": test_database_url(),
           "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "CELERY_TASK_DEFAULT_QUEUE": queue}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "haidian", "worker", "--pool=solo", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # what this process sends goes to this worker only
    try:
        yield queue, log
    finally:
        app.conf.task_default_queue = default_queue
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_round_is_computed_by_a_real_worker_with_its_progress_on_the_round(worker, district_command,
                                                                               grid_worker):
    _queue, log = worker
    round_ = services.round_create(actor=district_command, period="2026H1")
    services.round_open(round=round_, actor=district_command)

    services.round_compute(round=round_, actor=district_command)  # queued when this (autocommit) commits

    seen = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = Round.objects.values_list("compute_state", "compute_stage").get(pk=round_.pk)
        seen.add(state)
        if state[0] in (ComputeState.DONE, ComputeState.FAILED):
            break
        time.sleep(0.05)
    round_.refresh_from_db()
    assert round_.compute_state == ComputeState.DONE, (round_.compute_error, log.read_text()[-3000:])
    assert (round_.compute_percent, round_.version) == (100, 1)
    assert Result.objects.filter(round=round_, version=1, kind="street").count() == 29
    assert "assessment.compute_round" in log.read_text()
    assert (ComputeState.QUEUED, "queued") in seen
