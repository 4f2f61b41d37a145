"""Messages to reporters (SMS and email to people without an account): one per key, sent at most
once by the worker's loop, a failing gateway tried again with growing delays and then left marked
failed without stopping the others, opt-outs respected, and the log readable only by administrators
and the district command center, with the address masked everywhere."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django_celery_beat.models import PeriodicTask

from haidian import outbox
from haidian.calendar import SHANGHAI
from haidian.models import OutboxTask
from notifications import messages, sms, tasks
from notifications.models import Message, MessageOptOut, MessageStatus, mask_email
from tests.conftest import make_user, run_together
from tests.races import race_on_uncommitted_row

PHONE = "13812345678"
EMAIL = "wang.xiuying@example.cn"
NUMBER = "HD20261126000123"
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
ROOT = Path(__file__).resolve().parents[2]


def queue(key: str = "case-event:1:sms", *, channel: str = "sms", to: str = PHONE, template: str = "received",
          text: str = "您反映的问题已收到。", case_number: str = NUMBER, now: dt.datetime = NOW) -> bool:
    return messages.message_queue(key=key, channel=channel, to=to, template=template, text=text,
                                  case_number=case_number, now=now)


class BrokenBackend(sms.BaseBackend):
    """A gateway that is down."""

    def send(self, *, to: str, text: str) -> None:
        raise sms.SmsGatewayError("connection refused")


class BrokenForOneNumber(sms.BaseBackend):
    """A gateway that refuses one number and takes the others (into the test outbox)."""

    def send(self, *, to: str, text: str) -> None:
        if to == PHONE:
            raise sms.SmsGatewayError("number blocked")
        sms.outbox.append(sms.Sms(to=to, text=text))


# --- one message per key -------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_message_is_queued_once_per_key():
    assert queue() is True
    assert queue(text="another text for the same event") is False

    message = Message.objects.get()
    assert (message.key, message.status, message.text) == ("case-event:1:sms", "pending", "您反映的问题已收到。")
    assert message.created_at == NOW and message.attempts == 0


@pytest.mark.django_db
def test_addresses_are_stored_in_one_form():
    queue("k1", to="+86 138-1234-5678")
    queue("k2", channel="email", to=" Wang.XiuYing@Example.CN ")

    assert list(Message.objects.order_by("key").values_list("to", flat=True)) == [PHONE, EMAIL]


@pytest.mark.django_db(transaction=True)
def test_two_workers_queueing_the_same_key_at_once_write_one_message():
    outcomes = run_together(lambda: queue(), lambda: queue())

    assert sorted(outcomes) == [False, True], outcomes
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_second_insert_waits_for_the_first_and_then_writes_nothing():
    outcomes = race_on_uncommitted_row(lambda: queue(), lambda: queue())

    assert outcomes == [True, False]
    assert Message.objects.count() == 1


# --- sending -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_waiting_messages_go_by_sms_and_email_and_are_marked_sent(sms_outbox):
    queue("k-sms")
    queue("k-email", channel="email", to=EMAIL, text="案件HD20261126000123已办结。")

    result = messages.send_pending_messages(now=NOW)

    assert (result.sent, result.retrying, result.failed) == (2, 0, 0)
    assert sms_outbox == [sms.Sms(to=PHONE, text="您反映的问题已收到。")]
    [email] = mail.outbox
    assert email.to == [EMAIL] and email.body == "案件HD20261126000123已办结。" and NUMBER in email.subject
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
    assert all(message.sent_at and message.attempts == 1 for message in Message.objects.all())
    assert messages.send_pending_messages(now=NOW).sent == 0  # never twice


@pytest.mark.django_db
def test_a_failing_gateway_is_tried_again_later_then_left_failed_with_its_error(settings, sms_outbox):
    settings.SMS_BACKEND = "tests.notifications.test_messages.BrokenBackend"
    settings.MESSAGE_ATTEMPTS = 3
    queue()

    first = messages.send_pending_messages(now=NOW)
    message = Message.objects.get()
    assert (first.retrying, first.failed) == (1, 0)
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error == "SmsGatewayError: connection refused"
    assert message.next_attempt_at == NOW + dt.timedelta(seconds=30)

    # Not before its delay is over; then after 30 s, 60 s: three attempts in all.
    assert messages.send_pending_messages(now=NOW + dt.timedelta(seconds=29)).retrying == 0
    assert messages.send_pending_messages(now=NOW + dt.timedelta(seconds=30)).retrying == 1
    assert Message.objects.get().next_attempt_at == NOW + dt.timedelta(seconds=90)
    last = messages.send_pending_messages(now=NOW + dt.timedelta(seconds=90))

    message = Message.objects.get()
    assert (last.retrying, last.failed) == (0, 1)
    assert (message.status, message.attempts, message.next_attempt_at) == ("failed", 3, None)
    assert messages.send_pending_messages(now=NOW + dt.timedelta(days=1)).failed == 0  # left alone
    assert sms_outbox == []


@pytest.mark.django_db
def test_one_failing_message_does_not_stop_the_others(settings, sms_outbox):
    settings.SMS_BACKEND = "tests.notifications.test_messages.BrokenForOneNumber"
    queue("first", to=PHONE)
    queue("second", to="13900001111")
    queue("third", to="13900002222")

    result = messages.send_pending_messages(now=NOW)

    assert (result.sent, result.retrying) == (2, 1)
    assert [message.to for message in sms_outbox] == ["13900001111", "13900002222"]
    assert dict(Message.objects.values_list("key", "status")) == {
        "first": "pending", "second": "sent", "third": "sent"}


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_every_message_exactly_once(sms_outbox):
    for n in range(20):
        queue(f"k{n}", to=f"139000000{n:02d}")

    results = run_together(lambda: messages.send_pending_messages(now=NOW),
                           lambda: messages.send_pending_messages(now=NOW))

    assert sum(result.sent for result in results) == 20, results
    assert Counter(message.to for message in sms_outbox) == {f"139000000{n:02d}": 1 for n in range(20)}
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


def test_the_file_backend_appends_one_json_line_per_message(tmp_path, settings):
    settings.SMS_FILE_PATH = str(tmp_path / "sms" / "outbox.jsonl")
    backend = sms.FileBackend()

    backend.send(to=PHONE, text="您反映的问题已收到。")
    backend.send(to="13900001111", text="案件已办结。")

    lines = [json.loads(line) for line in (tmp_path / "sms" / "outbox.jsonl").read_text().splitlines()]
    assert [(line["to"], line["text"]) for line in lines] == [(PHONE, "您反映的问题已收到。"),
                                                              ("13900001111", "案件已办结。")]


def test_the_demo_writes_its_text_messages_to_var_sms_and_the_tests_keep_theirs_in_memory(settings):
    env = {k: v for k, v in os.environ.items() if k not in {"SMS_BACKEND", "SMS_FILE_PATH", "HAIDIAN_VAR_DIR",
                                                            "HAIDIAN_ENV", "DJANGO_SETTINGS_MODULE"}}
    demo = subprocess.run([sys.executable, "-c", "import haidian.settings as s; print(s.SMS_BACKEND, s.SMS_FILE_PATH)"],
                          cwd=ROOT, env=env, capture_output=True, text=True)

    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.split() == ["notifications.sms.FileBackend", str(ROOT / "var" / "sms" / "outbox.jsonl")]
    assert settings.SMS_BACKEND == "notifications.sms.LocmemBackend"


# --- the HTTP gateway, against a real local server -----------------------------------------------

class Gateway:
    """A local HTTP server standing in for the SMS provider: answers `status` and keeps what it got."""

    def __init__(self, status: int):
        self.status, self.received = status, []
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append({"key": self.headers.get("X-Api-Key"), **json.loads(body)})
                self.send_response(gateway.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    def start(status: int) -> Gateway:
        server = Gateway(status)
        started.append(server)
        settings.SMS_BACKEND = "notifications.sms.HttpGatewayBackend"
        settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY = server.url, "secret-key"
        settings.SMS_GATEWAY_TIMEOUT = 5
        return server

    started: list[Gateway] = []
    yield start
    for server in started:
        server.close()


@pytest.mark.django_db
def test_the_http_gateway_gets_the_number_the_text_and_the_key(gateway):
    server = gateway(200)
    queue()

    assert messages.send_pending_messages(now=NOW).sent == 1
    assert server.received == [{"key": "secret-key", "to": PHONE, "text": "您反映的问题已收到。"}]


@pytest.mark.django_db
def test_a_gateway_answering_500_is_tried_again_and_marked_failed_after_the_last_attempt(gateway, settings):
    server = gateway(500)
    settings.MESSAGE_ATTEMPTS = 2
    queue()

    assert messages.send_pending_messages(now=NOW).retrying == 1
    assert messages.send_pending_messages(now=NOW + dt.timedelta(minutes=1)).failed == 1

    message = Message.objects.get()
    assert (message.status, message.attempts) == ("failed", 2)
    assert "answered 500" in message.last_error
    assert len(server.received) == 2


@pytest.mark.django_db
def test_an_unreachable_gateway_is_a_recorded_failure_not_an_error(settings):
    settings.SMS_BACKEND = "notifications.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TIMEOUT = "http://127.0.0.1:1/send", 2
    queue()

    assert messages.send_pending_messages(now=NOW).retrying == 1
    assert "could not be reached" in Message.objects.get().last_error


# --- opting out ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_address_that_opted_out_gets_nothing_more(sms_outbox):
    queue("before")
    assert messages.message_opt_out(address="+86 13812345678") == 1  # the one still waiting

    queue("after")
    result = messages.send_pending_messages(now=NOW)

    assert result.sent == 0 and sms_outbox == []
    assert dict(Message.objects.values_list("key", "status")) == {"before": "skipped_opt_out",
                                                                  "after": "skipped_opt_out"}
    assert PHONE not in MessageOptOut.objects.get().address_hash  # a hash, not the number
    assert messages.message_opt_out(address=PHONE) == 0 and MessageOptOut.objects.count() == 1  # again: harmless


@pytest.mark.django_db
def test_a_message_queued_before_the_opt_out_and_sent_after_it_is_skipped(sms_outbox):
    queue()
    messages.MessageOptOut.objects.create(address_hash=messages.address_hash(PHONE), created_at=NOW)

    assert messages.send_pending_messages(now=NOW).skipped == 1
    assert Message.objects.get().status == "skipped_opt_out" and sms_outbox == []


@pytest.mark.django_db
def test_an_opt_out_of_one_address_leaves_the_others(sms_outbox):
    messages.message_opt_out(address=PHONE)
    queue("other", to="13900001111")

    assert messages.send_pending_messages(now=NOW).sent == 1
    assert [message.to for message in sms_outbox] == ["13900001111"]


# --- masking -------------------------------------------------------------------------------------

def test_addresses_are_masked_phones_as_138_stars_5678_and_emails_by_their_first_letter():
    assert Message(channel="sms", to=PHONE).to_masked == "138****5678"
    assert Message(channel="email", to=EMAIL).to_masked == "w***@example.cn"
    assert mask_email("not-an-address") == "**************"


# --- the API -------------------------------------------------------------------------------------

@pytest.fixture
def logged(db):
    queue("case-event:1:sms", case_number=NUMBER)
    queue("case-event:1:email", channel="email", to=EMAIL, case_number=NUMBER, now=NOW + dt.timedelta(seconds=1))
    queue("case-event:2:sms", case_number="HD20261126000999", template="filed", text="已立案。",
          now=NOW + dt.timedelta(seconds=2))


def superuser():
    return get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw")


def test_the_message_log_answers_each_member_of_the_cast(api, logged, street_staff, agency_head, district_command):
    admin_staff = make_user("admin-staff")
    admin_staff.is_staff = True
    admin_staff.save()

    assert api.get("/api/v1/messages/").status_code == 401
    assert api.as_user(street_staff).get("/api/v1/messages/").status_code == 403
    assert api.as_user(agency_head).get(f"/api/v1/messages/?case={NUMBER}").status_code == 403
    assert api.as_user(make_user("nobody")).get("/api/v1/messages/").status_code == 403
    for reader in (district_command, superuser(), admin_staff):
        response = api.as_user(reader).get("/api/v1/messages/")
        assert response.status_code == 200, reader
        assert len(response.json()["results"]) == 3


def test_the_message_log_of_one_case_shows_the_address_masked(api, logged, district_command):
    response = api.as_user(district_command).get(f"/api/v1/messages/?case={NUMBER.lower()}")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(item["channel"], item["to_masked"]) for item in results] == [("email", "w***@example.cn"),
                                                                          ("sms", "138****5678")]
    assert set(results[0]) == {"channel", "to_masked", "template", "text", "status", "attempts", "created_at"}
    assert PHONE not in response.content.decode() and EMAIL not in response.content.decode()


def test_the_message_log_reads_in_a_fixed_number_of_queries(api, logged, district_command,
                                                            django_assert_max_num_queries):
    client = api.as_user(district_command)
    for n in range(30):
        queue(f"more-{n}", to=f"139000000{n:02d}")

    # the token, the memberships, the page
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/messages/").status_code == 200


# --- the admin -----------------------------------------------------------------------------------

def test_the_admin_log_shows_the_address_masked_and_cannot_change_a_message(logged, client):
    root = superuser()
    client.force_login(root)

    listing = client.get("/admin/notifications/message/?status__exact=pending&channel__exact=sms")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "138****5678" in html and PHONE not in html
    message = Message.objects.get(key="case-event:1:sms")
    detail = client.get(f"/admin/notifications/message/{message.pk}/change/").content.decode()
    assert "138****5678" in detail and PHONE not in detail

    request = RequestFactory().get("/admin/")
    request.user = root
    model_admin = admin.site._registry[Message]
    assert not model_admin.has_change_permission(request, message)
    assert not model_admin.has_delete_permission(request, message)
    assert client.get(f"/admin/notifications/message/?q={PHONE}").content.decode().count("138****5678") == 0


def test_failed_messages_can_be_sent_again_from_the_admin(logged, client, sms_outbox,
                                                          django_capture_on_commit_callbacks):
    Message.objects.filter(key="case-event:1:sms").update(status=MessageStatus.FAILED, attempts=5,
                                                          last_error="SmsGatewayError: number blocked")
    client.force_login(superuser())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/admin/notifications/message/", {"action": "send_again",
                                                      "_selected_action": list(Message.objects.values_list("pk",
                                                                                                           flat=True))})

    message = Message.objects.get(key="case-event:1:sms")
    assert (message.status, message.attempts) == ("pending", 0)
    assert len(callbacks) == 1  # the sending task, once the change commits
    assert messages.send_pending_messages(now=NOW).sent == 3
    assert PHONE in [sent.to for sent in sms_outbox]


# --- the worker, beat and the command ------------------------------------------------------------

@pytest.mark.django_db
def test_beat_sends_the_waiting_messages_every_few_minutes_in_case_a_task_was_lost(settings):
    task = PeriodicTask.objects.get(name="send messages to reporters")

    assert task.task == "notifications.send_messages" and task.enabled
    assert (task.interval.every, task.interval.period) == (settings.MESSAGE_SEND_MINUTES, "minutes")


@pytest.mark.django_db
def test_the_command_sends_what_is_waiting_and_says_so(sms_outbox):
    queue()
    out = io.StringIO()

    call_command("send_messages", stdout=out)

    assert out.getvalue().strip() == "1 sent, 0 to try again, 0 failed, 0 skipped (opted out)"
    assert len(sms_outbox) == 1


@pytest.mark.django_db
def test_queueing_sends_the_task_by_name_only_after_the_commit(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(outbox.celery_app, "send_task", lambda name, **kwargs: sent.append(name))

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            messages.queue_send()
            assert sent == []

    assert sent == ["notifications.send_messages"]


@pytest.mark.django_db
def test_a_broker_that_is_down_does_not_fail_the_transaction_that_queued(monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    def down(name, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(outbox.celery_app, "send_task", down)

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            queue()
            messages.queue_send()

    assert Message.objects.get().status == "pending"  # beat's catch-up will send it
    assert list(OutboxTask.objects.values_list("task", flat=True)) == ["notifications.send_messages"]  # and the outbox


@pytest.mark.django_db
def test_the_task_sends_and_comes_back_later_while_a_message_waits_for_another_try(settings, sms_outbox):
    queue("good", to="13900001111")
    assert tasks.send_messages() == 1

    settings.SMS_BACKEND = "tests.notifications.test_messages.BrokenBackend"
    queue("bad")
    with pytest.raises(Retry):
        tasks.send_messages()
    assert Message.objects.get(key="bad").status == "pending"
