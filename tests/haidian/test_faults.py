"""Faults: with Redis unreachable every page and limiter keeps working, work that cannot be enqueued
waits in the database until Redis is back, nothing is left in a state that refuses a retry, a
message abandoned by a dead worker goes once after its timeout, and a connection PostgreSQL dropped
is replaced before the next request uses it.

Redis is "unreachable" in two ways: a closed port (redis://127.0.0.1:1/0) for the pages and limits,
and a private redis-server started, stopped and started again by the test where a real Celery
worker must see it come back.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from agencies.models import District
from assessment.models import ComputeState, Round
from assessment.services import round_create, round_open
from dispatch.models import Case
from grids.geometry import grid_index
from grids.models import GridCell
from haidian import cache as resilient_cache
from haidian import outbox
from haidian.calendar import clear_cache
from haidian.celery import app
from haidian.models import CacheEntry, OutboxTask
from haidian.permissions import Role
from haidian.tasks import flush_outbox
from notifications import messages
from notifications.models import EmailStatus, Message, MessageStatus, Notification
from notifications.services import send_pending_emails
from tests.conftest import make_user, run_together, test_database_url
from tests.dispatch.conftest import category, work_area  # noqa: F401  fixtures for report_form
from tests.open311.conftest import GeoReportClient, api_client_and_key, api_key, report_form  # noqa: F401
from tests.public.conftest import REPORTER_PHONE, public_client, report_data

ROOT = Path(__file__).resolve().parents[2]
CLOSED = "redis://127.0.0.1:1/0"
NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)


def redis_cache(location: str) -> dict:
    return {"default": {"BACKEND": "haidian.cache.RedisWithDatabaseFallback", "LOCATION": location,
                        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "RETRY_SECONDS": 0.2}}}


@contextmanager
def broker(url: str):
    """This process's Celery sends to `url` (its producer pool is rebuilt, as after a fork)."""
    original = app.conf.broker_url

    def switch(to: str) -> None:
        app._pool = None  # kombu keeps one pool per URL: the next send takes the one for `to`
        app.amqp._producer_pool = None
        app.conf.broker_url = to

    switch(url)
    try:
        yield
    finally:
        switch(original)


@pytest.fixture
def redis_down(settings):
    """The cache and the broker at a port where nothing listens."""
    settings.CACHES = redis_cache(CLOSED)
    with broker(CLOSED):
        yield


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, to stop and start again."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


def start_worker(tmp_path: Path, queue: str, **env) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"worker-{queue}.log"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "haidian.test_settings", "DATABASE_URL": test_database_url(),
                   "CELERY_TASK_DEFAULT_QUEUE": queue, "CELERY_RESULT_BACKEND": "", **env}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "haidian", "worker", "--pool=solo", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    return process, log


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def default_queue(queue: str):
    """What this process sends goes to the test's worker only."""
    original = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_default_queue = original


def wait_for(condition, seconds: float = 60, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out" + (f"; worker log:\n{log.read_text()[-4000:]}" if log else ""))


# --- pages and limits with Redis unreachable -------------------------------------------------------

@pytest.mark.django_db
def test_the_public_report_follow_and_grid_map_pages_answer_with_redis_unreachable(redis_down, grid):
    visitor = public_client()

    assert visitor.get("/report/").status_code == 200
    assert visitor.get("/grids/").status_code == 200
    outlines = visitor.get("/grids/outlines.geojson")
    assert outlines.status_code == 200 and json.loads(outlines.content)["type"] == "FeatureCollection"
    assert visitor.post("/report/", report_data(grid)).status_code == 302
    case = Case.objects.get()
    found = visitor.post("/follow/", {"number": case.number, "last_four": REPORTER_PHONE[-4:]})
    assert found.status_code == 302
    assert visitor.get(found["Location"]).status_code == 200
    assert visitor.post("/follow/", {"number": case.number, "last_four": "0000"}).status_code == 404
    # The limits and the outlines were kept in the database meanwhile.
    assert CacheEntry.objects.filter(number__gte=1).exists()  # the limits' counters
    assert CacheEntry.objects.filter(key__contains="public:grid-outlines").exists()


@pytest.mark.django_db
def test_the_follow_limit_still_holds_with_redis_unreachable(redis_down, settings):
    settings.PUBLIC_FOLLOW_TRIES_PER_HOUR = 3
    visitor = public_client("203.0.113.7")
    answers = [visitor.post("/follow/", {"number": "HD20261204000001", "last_four": "1234"}).status_code
               for _ in range(4)]
    assert answers == [404, 404, 404, 429]


@pytest.mark.django_db
def test_open311_limit_still_holds_with_redis_unreachable(redis_down, report_form, settings):  # noqa: F811
    settings.OPEN311_POSTS_PER_MINUTE = 2
    georeport = GeoReportClient()
    assert [georeport.post("requests.json", report_form).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.django_db
def test_the_database_cache_keeps_values_counters_and_expiry(redis_down):
    cache.set("faults:value", {"a": [1, "二"]}, 60)
    assert cache.get("faults:value") == {"a": [1, "二"]}
    assert cache.add("faults:value", "other", 60) is False
    assert cache.add("faults:count", 0, 60) is True
    assert [cache.incr("faults:count") for _ in range(3)] == [1, 2, 3]
    assert cache.decr("faults:count") == 2
    with pytest.raises(ValueError):
        cache.incr("faults:missing")
    cache.set("faults:gone", "x", 60)
    CacheEntry.objects.filter(key__endswith="faults:gone").update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert cache.get("faults:gone", "default") == "default"
    assert cache.add("faults:gone", "again", 60) is True  # an expired key is free
    assert resilient_cache.cull_expired(now=timezone.now() + dt.timedelta(seconds=61)) == 3
    assert not CacheEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_counter_counts_parallel_requests_exactly(settings):
    settings.CACHES = redis_cache(CLOSED)
    cache.add("faults:parallel", 0, 60)

    outcomes = run_together(*[lambda: cache.incr("faults:parallel")] * 8)

    assert sorted(outcomes) == list(range(1, 9)), outcomes
    assert cache.get("faults:parallel") == 8


# --- /healthz ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_healthz_names_the_broker_and_the_cache_down_and_keeps_the_server_in_rotation(redis_down, client):
    response = client.get("/healthz")

    assert response.status_code == 200  # the site works: a load balancer keeps sending requests
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert body["broker"].startswith("error: ") and body["cache"].startswith("error: ")
    assert client.get("/healthz?strict=1").status_code == 503  # for a monitor that reads status codes only


@pytest.mark.django_db
def test_healthz_is_ok_when_every_part_answers(client):
    body = client.get("/healthz").json()
    assert (body["status"], body["database"], body["broker"], body["cache"]) == ("ok", "ok", "ok", "ok")


# --- the outbox ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_task_the_broker_cannot_take_is_kept_once_and_sent_when_it_can(redis_down, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("public.tell_reporter", 41)
        outbox.enqueue("public.tell_reporter", 41)  # the same idempotent call: one row
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("public.tell_reporter", 42)  # kept without trying the broker again (it just failed)
    assert list(OutboxTask.objects.values_list("task", "args")) == [("public.tell_reporter", [41]),
                                                                  ("public.tell_reporter", [42])]
    assert outbox.flush() == 0  # still down: nothing lost
    assert OutboxTask.objects.count() == 2 and OutboxTask.objects.first().attempts == 1

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args=None, **kwargs: sent.append((name, args)))
    assert outbox.flush() == 2
    assert sent == [("public.tell_reporter", [41]), ("public.tell_reporter", [42])]
    assert not OutboxTask.objects.exists()


@pytest.mark.django_db
def test_beat_sends_the_outbox_every_minute_and_culls_the_cache_fallback(redis_down, monkeypatch):
    task = PeriodicTask.objects.select_related("interval").get(name="send tasks kept while the broker was down")
    assert (task.task, task.interval.every, task.interval.period, task.enabled) == (
        "haidian.flush_outbox", 1, "minutes", True)

    cache.set("faults:old", "x", 1)
    CacheEntry.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    outbox.keep("public.tell_reporter", [7])
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args=None, **kwargs: sent.append((name, args)))

    assert flush_outbox() == 1  # what beat's task does
    assert sent == [("public.tell_reporter", [7])]
    assert not CacheEntry.objects.exists() and not OutboxTask.objects.exists()


@pytest.mark.django_db
def test_a_round_computed_while_the_broker_is_down_is_accepted_and_waits_for_it(redis_down, api, district_command,
                                                                                django_capture_on_commit_callbacks):
    round_ = round_create(actor=district_command, period="2026H1")
    round_open(round=round_, actor=district_command)
    client = api.as_user(district_command)

    with django_capture_on_commit_callbacks(execute=True):  # (the test's transaction commits at the block's end)
        response = client.post("/api/v1/rounds/2026H1/compute/")

    assert response.status_code == 202
    round_.refresh_from_db()
    assert (round_.compute_state, round_.compute_stage) == ("queued", "waiting_for_broker")
    assert list(OutboxTask.objects.values_list("task", "args")) == [("assessment.compute_round", [round_.pk])]


@pytest.mark.django_db
def test_a_round_whose_computation_can_be_neither_sent_nor_kept_can_be_computed_again(
        api, district_command, monkeypatch, django_capture_on_commit_callbacks):
    round_ = round_create(actor=district_command, period="2026H1")
    round_open(round=round_, actor=district_command)
    client = api.as_user(district_command)

    def lost(*args, **kwargs):
        raise RuntimeError("database gone too")

    monkeypatch.setattr(outbox, "send_or_keep", lost)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/rounds/2026H1/compute/").status_code == 202
    round_.refresh_from_db()
    assert round_.compute_state == "failed" and "not queued" in round_.compute_error

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post("/api/v1/rounds/2026H1/compute/").status_code == 202  # not refused as "running"


# --- Redis stopped and started again, with a real worker -------------------------------------------

@pytest.fixture
def haidian(transactional_db):
    """Haidian itself (earlier transactional tests may have emptied the tables)."""
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", stdout=io.StringIO())
    clear_cache()
    grid_index.invalidate()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_report_made_while_redis_is_down_is_told_to_its_reporter_once_redis_is_back(
        haidian, private_redis, tmp_path, settings):
    grid = GridCell.objects.filter(community__street__code="110108007").order_by("code").first()
    sms_file = tmp_path / "sms.jsonl"
    settings.CACHES = redis_cache(private_redis.url)
    queue = f"test-faults-{uuid.uuid4().hex[:8]}"
    with broker(private_redis.url), default_queue(queue):  # Redis not started: down
        assert public_client("10.1.0.1").post("/report/", report_data(grid)).status_code == 302
        case = Case.objects.get()
        [kept] = OutboxTask.objects.all()
        assert kept.task == "public.tell_reporter"
        assert Message.objects.count() == 0  # nothing could be told yet

        private_redis.start()
        worker, log = start_worker(tmp_path, queue, CELERY_BROKER_URL=private_redis.url, REDIS_URL=private_redis.url,
                                   SMS_BACKEND="notifications.sms.FileBackend", SMS_FILE_PATH=str(sms_file))
        try:
            # The worker sends what was kept as it starts; the task queues the message and sends it.
            wait_for(lambda: Message.objects.filter(status=MessageStatus.SENT).exists(), log=log)
            assert not OutboxTask.objects.exists()
            messages.send_pending_messages()  # beat's catch-up finds nothing more to send
        finally:
            stop_worker(worker)

    lines = [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()]
    assert [line["to"] for line in lines] == [REPORTER_PHONE]  # once
    assert case.number in lines[0]["text"]
    assert "outbox: 1 kept task(s) sent" in log.read_text()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_round_computed_while_redis_was_down_runs_once_redis_is_back_and_can_be_computed_again(
        haidian, private_redis, tmp_path, api):
    district = District.objects.get(code="110108")  # (seeded by `haidian`, after the test database was emptied)
    district_command = make_user("district-command-faults", Role.DISTRICT_COMMAND, [district])
    round_ = round_create(actor=district_command, period="2026H1")
    round_open(round=round_, actor=district_command)
    client = api.as_user(district_command)
    queue = f"test-faults-{uuid.uuid4().hex[:8]}"
    private_redis.start()
    worker, log = start_worker(tmp_path, queue, CELERY_BROKER_URL=private_redis.url, REDIS_URL=private_redis.url)
    try:
        with broker(private_redis.url), default_queue(queue):
            wait_for(lambda: "ready" in log.read_text(), log=log)
            private_redis.stop()
            response = client.post("/api/v1/rounds/2026H1/compute/")
            assert response.status_code == 202 and response.json()["compute_stage"] == "waiting_for_broker"
            assert client.post("/api/v1/rounds/2026H1/compute/").status_code == 409  # queued: it will run

            private_redis.start()  # the running worker reconnects; beat's flush sends the kept task
            outbox.forget_broker_errors()
            wait_for(lambda: outbox.flush() or not OutboxTask.objects.exists(), seconds=30, log=log)
            wait_for(lambda: Round.objects.get(pk=round_.pk).compute_state == ComputeState.DONE, log=log)
            first = Round.objects.get(pk=round_.pk)
            assert first.version == 1

            assert client.post("/api/v1/rounds/2026H1/compute/").status_code == 202  # and again
            wait_for(lambda: Round.objects.filter(pk=round_.pk, compute_state=ComputeState.DONE,
                                                  computed_at__gt=first.computed_at).exists(), log=log)
    finally:
        stop_worker(worker)


# --- a message abandoned by a dead worker ---------------------------------------------------------

def queue_message(key: str = "case-event:1:sms", channel: str = "sms", to: str = "13812345678") -> Message:
    messages.message_queue(key=key, channel=channel, to=to, template="received", text="您反映的问题已收到。",
                           case_number="HD20261204000001", now=NOW)
    return Message.objects.get(key=key)


def abandon(message: Message, *, minutes_ago: float) -> None:
    """What a worker that died after claiming the message leaves behind."""
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING, attempts=1,
                                                 claimed_at=NOW - dt.timedelta(minutes=minutes_ago))


@pytest.mark.django_db
def test_a_message_left_sending_by_a_dead_worker_is_sent_once_after_the_timeout(settings, sms_outbox):
    settings.MESSAGE_SENDING_TIMEOUT_MINUTES = 10
    message = queue_message()
    abandon(message, minutes_ago=9)

    assert messages.send_pending_messages(now=NOW).sent == 0  # its sender may still be at it
    abandon(message, minutes_ago=11)
    assert messages.send_pending_messages(now=NOW).sent == 1
    assert messages.send_pending_messages(now=NOW + dt.timedelta(hours=1)).sent == 0

    assert [(sms.to, sms.key) for sms in sms_outbox] == [("13812345678", "case-event:1:sms")]  # under its key
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_a_message_whose_last_attempt_died_with_its_worker_is_marked_failed(settings, sms_outbox):
    settings.MESSAGE_ATTEMPTS = 1
    abandon(queue_message(), minutes_ago=60)

    assert messages.send_pending_messages(now=NOW).failed == 1
    assert Message.objects.get().status == "failed" and sms_outbox == []


@pytest.mark.django_db
def test_an_email_to_a_reporter_is_sent_again_with_the_same_message_id(settings):
    message = queue_message("case-event:1:email", channel="email", to="wang@example.cn")
    abandon(message, minutes_ago=11)

    assert messages.send_pending_messages(now=NOW).sent == 1
    [email] = mail.outbox
    assert email.extra_headers["Message-ID"] == messages.email_message_id("case-event:1:email")


@pytest.mark.django_db
def test_a_notification_email_left_sending_by_a_dead_worker_is_sent_once_after_the_timeout(street_staff):
    street_staff.email = "staff@example.cn"
    street_staff.save()
    note = Notification.objects.create(user=street_staff, key="faults:1", kind="overdue", title="案件已超期",
                                       created_at=NOW, email_status=EmailStatus.SENDING, email_attempts=1,
                                       email_claimed_at=timezone.now() - dt.timedelta(minutes=5))

    assert send_pending_emails() == 0  # claimed five minutes ago: its sender may still be at it
    Notification.objects.filter(pk=note.pk).update(email_claimed_at=timezone.now() - dt.timedelta(minutes=11))
    assert send_pending_emails() == 1
    assert send_pending_emails() == 0

    [email] = mail.outbox
    assert email.to == ["staff@example.cn"] and email.subject == "案件已超期"
    assert email.extra_headers["Message-ID"] == messages.email_message_id(f"notification:{note.pk}")
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts) == ("sent", 2)


class IdempotentGateway:
    """An SMS gateway on a local port that honours Idempotency-Key: a repeat of a key is accepted and
    not delivered again. Its first request hangs until `release` (the worker is killed meanwhile)."""

    def __init__(self):
        self.requests: list[str] = []
        self.delivered: list[dict] = []
        self.first_arrived, self.release = threading.Event(), threading.Event()
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key", "")
                gateway.requests.append(key)
                if len(gateway.requests) == 1:
                    gateway.first_arrived.set()
                    gateway.release.wait(30)
                    return  # the sender is dead: nobody reads an answer
                if key not in {message["key"] for message in gateway.delivered}:
                    gateway.delivered.append({"key": key, **body})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_leaves_a_message_that_goes_once_after_the_timeout(tmp_path, settings):
    gateway = IdempotentGateway()
    queue = f"test-faults-{uuid.uuid4().hex[:8]}"
    settings.SMS_BACKEND, settings.SMS_GATEWAY_URL = "notifications.sms.HttpGatewayBackend", gateway.url
    worker, log = start_worker(tmp_path, queue, CELERY_BROKER_URL=django_settings.CELERY_BROKER_URL,
                               SMS_BACKEND="notifications.sms.HttpGatewayBackend", SMS_GATEWAY_URL=gateway.url,
                               SMS_GATEWAY_TIMEOUT="60")
    try:
        message = queue_message()
        with default_queue(queue):
            assert outbox.send_or_keep(messages.SEND_MESSAGES_TASK)
        assert gateway.first_arrived.wait(60), log.read_text()[-3000:]
        os.kill(worker.pid, signal.SIGKILL)  # dies while the gateway holds its request
        worker.wait(timeout=10)
    finally:
        stop_worker(worker)
    message.refresh_from_db()
    assert message.status == "sending" and message.claimed_at is not None

    later = message.claimed_at + dt.timedelta(minutes=settings.MESSAGE_SENDING_TIMEOUT_MINUTES + 1)
    assert messages.send_pending_messages(now=message.claimed_at).sent == 0  # not before its timeout
    assert messages.send_pending_messages(now=later).sent == 1
    gateway.close()

    assert gateway.requests == [message.key, message.key]  # both attempts under the message's key
    assert [(sms["key"], sms["to"]) for sms in gateway.delivered] == [(message.key, "13812345678")]
    assert Message.objects.get(pk=message.pk).status == "sent"


# --- PostgreSQL drops the connection -----------------------------------------------------------------

def request(handler: WSGIHandler, path: str) -> tuple[int, bytes]:
    """A request as gunicorn's worker makes it: through the WSGI handler and its request signals, on
    this thread's long-lived connection (CONN_MAX_AGE)."""
    status = []
    environ = RequestFactory().get(path).environ
    response = handler(environ, lambda code, headers, *args: status.append(int(code.split()[0])))
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: the connection is kept for the next request (CONN_MAX_AGE)
    return status[0], body


def terminate_from_another_connection(pid: int) -> None:
    with psycopg2.connect(test_database_url()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("health_checks", [True, False])
def test_after_postgresql_drops_the_connection_the_next_request_succeeds(health_checks):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0 and django_settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    connection.close()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = health_checks
    handler = WSGIHandler()
    try:
        assert request(handler, "/healthz")[0] == 200
        pid = connection.connection.info.backend_pid
        terminate_from_another_connection(pid)

        status, body = request(handler, "/healthz")
        database = json.loads(body)["database"]
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        connection.close()
    if health_checks:  # our setting: the dead connection is noticed and replaced before it is used
        assert (status, database) == (200, "ok")
    else:  # what every worker's first request after a restart met before
        assert database.startswith("error: ")
