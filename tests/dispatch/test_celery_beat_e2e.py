"""The deadline sweep end to end: Celery beat (django-celery-beat's DatabaseScheduler) sends the
sweep through Redis to a real worker, a task goes overdue, and the reminder arrives by email, once
(DESIGN §5).

The worker and beat are other processes that read the test database, so the test is transactional:
it runs after every other test, whose teardown may already have emptied the tables, and builds
Haidian and the beat schedule itself. Both processes get a queue of their own on the shared Redis
(CELERY_TASK_DEFAULT_QUEUE), so the emails the sweep enqueues travel on it too, and write their
emails to files (EMAIL_BACKEND filebased) that the test reads back.

Beat runs the sweep every second here and the lead task is made due a few seconds ahead: this test
waits for the clock instead of injecting `now=`, because the real schedule is what it is about.
"""

import datetime as dt
import email
import email.policy
import io
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from kombu import Exchange, Queue

from dispatch.models import CardKind, DeadlineCard, Task, Tier
from dispatch.notices import NoticeKind
from grids.geometry import grid_index
from haidian.calendar import clear_cache
from notifications.models import EmailStatus, Notification
from tests.conftest import test_database_url
from tests.dispatch.conftest import lead_task

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SWEEP_NAME = "deadline sweep"  # the PeriodicTask migration dispatch/0006 creates
SWEEP_DONE = re.compile(r"Task dispatch\.sweep_deadlines\[[^\]]+\] succeeded")
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # between messages in a filebased backend's file
TIME_TO_DUE = dt.timedelta(seconds=5)
WAIT = 30  # seconds; a sweep a second makes every step a matter of one or two


@pytest.fixture(autouse=True)
def haidian(transactional_db):
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", stdout=io.StringIO())
    clear_cache()
    grid_index.invalidate()


@pytest.fixture
def recipients(agency_head, street_staff):
    """The lead agency's head and the street's staff: both hear of a red card on a lead task."""
    agency_head.email, street_staff.email = "pcs-head@haidian.invalid", "street-staff@haidian.invalid"
    agency_head.save(update_fields=["email"])
    street_staff.save(update_fields=["email"])
    return {agency_head.email: agency_head, street_staff.email: street_staff}


class BeatAndWorker:
    """A worker and a beat on one private queue, their output in log files."""

    def __init__(self, tmp_path: Path):
        self.queue = f"test-beat-{uuid.uuid4().hex[:8]}"
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.tmp_path = tmp_path
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "haidian.test_settings",
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
        }

    def start(self, name: str, *args: str) -> None:
        with open(self.tmp_path / f"{name}.log", "wb") as log:  # the child keeps its own handle
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "haidian", name, "--loglevel=INFO", *args],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        for process in reversed(self.processes.values()):  # beat first: nothing new for the worker
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"--- {name} (exit {process.poll()}) ---\n{self.log(name)}"
                         for name, process in self.processes.items())

    def sweeps_done(self) -> int:
        return len(SWEEP_DONE.findall(self.log("worker")))

    def emails(self) -> list[email.message.EmailMessage]:
        messages = []
        for path in sorted(self.mail_dir.iterdir()):
            for chunk in path.read_bytes().split(MAIL_SEPARATOR):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
        return messages

    def wait_until(self, what: str, condition, timeout: float = WAIT):
        """Poll `condition` until it returns something truthy; fail with both logs otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            stopped = [name for name, process in self.processes.items() if process.poll() is not None]
            if stopped or time.monotonic() > deadline:
                reason = f"{', '.join(stopped)} stopped" if stopped else f"not within {timeout} s"
                pytest.fail(f"waiting for {what}: {reason}\n{self.logs()}")
            time.sleep(0.2)


@pytest.fixture
def beat_and_worker(haidian, tmp_path):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the Celery tests need Redis as broker"
    processes = BeatAndWorker(tmp_path)
    # The migration's schedule, emptied by an earlier transactional test's teardown or not: every
    # second, on this test's queue. Saving through the model tells a running beat (PeriodicTasks).
    every_second, _created = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(name=SWEEP_NAME, defaults={
        "task": "dispatch.sweep_deadlines", "interval": every_second, "queue": processes.queue, "enabled": True,
        "last_run_at": None})
    processes.start("worker", "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle",
                    "--without-heartbeat", "-Q", processes.queue, "-n", f"{processes.queue}@%h")
    processes.start("beat", "-S", "django_celery_beat.schedulers:DatabaseScheduler", "--max-interval=1",
                    f"--pidfile={tmp_path / 'beat.pid'}", f"--schedule={tmp_path / 'beat-schedule'}")
    try:
        yield processes
    finally:
        processes.stop()
        from haidian.celery import app

        # No stray queue on the shared Redis: a channel forgets only the bindings it declared itself.
        with app.connection_for_write() as broker:
            queue = Queue(processes.queue, Exchange(processes.queue), routing_key=processes.queue)(broker)
            queue.declare()
            queue.delete()


def test_beat_sweeps_a_task_overdue_and_the_reminder_arrives_by_email_once(
    beat_and_worker, recipients, workflow, make_case, agency_head, street_staff
):
    celery = beat_and_worker
    case = workflow.dispatch(make_case(), cooperating=False)
    task = lead_task(case)

    # Beat → Redis → worker → database is live, and a task days from its due time is left alone.
    celery.wait_until("a first sweep on the worker", celery.sweeps_done)
    assert not DeadlineCard.objects.filter(task=task).exists(), celery.logs()

    # The lead task's clock runs short: its yellow point now, its due time a few seconds ahead.
    now = timezone.now()
    Task.objects.filter(pk=task.pk).update(warn_at=now, due_at=now + TIME_TO_DUE)
    task.refresh_from_db()

    red = celery.wait_until("the red card", DeadlineCard.objects.filter(task=task, kind=CardKind.RED).first,
                            timeout=WAIT + TIME_TO_DUE.total_seconds())
    yellow = DeadlineCard.objects.filter(task=task, kind=CardKind.YELLOW).first()
    assert yellow is not None, f"no yellow card in the {TIME_TO_DUE} before the due time\n{celery.logs()}"
    assert yellow.raised_at < task.due_at <= red.raised_at
    case.refresh_from_db()
    assert (case.overdue, case.tier, case.status) == (True, Tier.STREET, "dispatched")  # escalation comes later

    red_key = f"{CardKind.RED}:{task.pk}:{task.due_at.timestamp():.0f}"
    reminder = Notification.objects.get(user=agency_head, kind=NoticeKind.RED_CARD)
    assert (reminder.key, reminder.case_number, reminder.link) == (red_key, case.number, f"/cases/{case.number}/")
    assert Notification.objects.filter(user=street_staff, key=red_key).exists()

    def red_emails():
        return [message for message in celery.emails()
                if case.number in message["Subject"] and "已超过办结时限" in message["Subject"]]

    arrived = celery.wait_until("the red-card email to both recipients",
                                lambda: len(red_emails()) >= len(recipients) and red_emails())
    assert sorted(message["To"] for message in arrived) == sorted(recipients)
    assert all(case.title in message.get_content() for message in arrived)

    # More sweeps (and the email tasks they enqueue) change nothing: each effect happened once.
    seen = celery.sweeps_done()
    celery.wait_until("three more sweeps", lambda: celery.sweeps_done() >= seen + 3)
    celery.stop()  # a warm shutdown: the last email task finishes before anything is counted

    assert Counter(DeadlineCard.objects.filter(task=task).values_list("kind", flat=True)) == {
        CardKind.YELLOW: 1, CardKind.RED: 1}
    notifications = list(Notification.objects.select_related("user").order_by("id"))
    assert Counter((n.user.username, n.kind) for n in notifications) == {
        (agency_head.username, NoticeKind.YELLOW_CARD): 1,
        (agency_head.username, NoticeKind.RED_CARD): 1,
        (street_staff.username, NoticeKind.RED_CARD): 1,
    }
    assert {n.email_status for n in notifications} == {EmailStatus.SENT}, celery.logs()
    # Django folds a non-ASCII subject onto a continuation line; unfolded, it starts with a space.
    sent = Counter((message["To"], message["Subject"].strip()) for message in celery.emails())
    assert sent == Counter((n.user.email, n.title) for n in notifications), celery.logs()
