"""Where text messages go: one backend, chosen by the `SMS_BACKEND` setting (a dotted path), as
Django chooses its email backend.

    notifications.sms.FileBackend         the embedded demo: one JSON line per message appended to
                                          SMS_FILE_PATH (default var/sms/outbox.jsonl)
    notifications.sms.ConsoleBackend      one line per message on standard output
    notifications.sms.LocmemBackend       the tests: kept in `notifications.sms.outbox`
    notifications.sms.HttpGatewayBackend  production: POSTs {"to", "text"} as JSON to SMS_GATEWAY_URL
                                          with SMS_GATEWAY_KEY in the SMS_GATEWAY_KEY_HEADER header

A backend's `send` returns once the message is handed over and raises on any failure; the caller
(`notifications.messages.send_pending_messages`) counts the attempt and tries again later. The
caller goes through `send_once(key=…)`: the message's own key, the same at every attempt, which the
HTTP gateway receives in the SMS_GATEWAY_IDEMPOTENCY_HEADER header (default Idempotency-Key), so
that a gateway that honours it delivers a message once even when a sender that died after handing
it over is followed by another (the sender's timeout, MESSAGE_SENDING_TIMEOUT_MINUTES).
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    key: str = field(default="", compare=False)  # the idempotency key it was sent under, if any


# What LocmemBackend sent, oldest first: tests read it like django.core.mail.outbox (tests/conftest.py
# empties it before every test).
outbox: list[Sms] = []


class SmsGatewayError(Exception):
    """The gateway refused the message or could not be reached."""


class BaseBackend:
    def send(self, *, to: str, text: str) -> None:
        raise NotImplementedError

    def send_once(self, *, key: str, to: str, text: str) -> None:
        """Send under an idempotency key; a backend that cannot pass one on simply sends."""
        self.send(to=to, text=text)


class LocmemBackend(BaseBackend):
    def send(self, *, to: str, text: str) -> None:
        outbox.append(Sms(to=to, text=text))

    def send_once(self, *, key: str, to: str, text: str) -> None:
        outbox.append(Sms(to=to, text=text, key=key))


class ConsoleBackend(BaseBackend):
    def send(self, *, to: str, text: str) -> None:
        sys.stdout.write(json.dumps({"to": to, "text": text}, ensure_ascii=False) + "\n")
        sys.stdout.flush()


_file_lock = threading.Lock()


class FileBackend(BaseBackend):
    """Appends {"at", "to", "text"} as one line of JSON: `tail -f var/sms/outbox.jsonl` shows what
    the demo's residents would have received. One write per line, so worker processes appending at
    once do not interleave their lines."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, *, to: str, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "to": to, "text": text}, ensure_ascii=False) + "\n"
        with _file_lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)


class HttpGatewayBackend(BaseBackend):
    """A provider's HTTP API (or the government SMS platform's): any 2xx answer is a message taken."""

    def __init__(self, url: str | None = None, key: str | None = None, header: str | None = None,
                 timeout: float | None = None):
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.key = key if key is not None else settings.SMS_GATEWAY_KEY
        self.header = header or settings.SMS_GATEWAY_KEY_HEADER
        self.timeout = timeout if timeout is not None else settings.SMS_GATEWAY_TIMEOUT
        if not self.url:
            raise SmsGatewayError("SMS_GATEWAY_URL is not set")

    def send(self, *, to: str, text: str) -> None:
        self.send_once(key="", to=to, text=text)

    def send_once(self, *, key: str, to: str, text: str) -> None:
        body = json.dumps({"to": to, "text": text}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.key:
            headers[self.header] = self.key
        idempotency_header = getattr(settings, "SMS_GATEWAY_IDEMPOTENCY_HEADER", "Idempotency-Key")
        if key and idempotency_header:
            headers[idempotency_header] = key
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:  # urllib raises on 4xx/5xx itself
            raise SmsGatewayError(f"the SMS gateway answered {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SmsGatewayError(f"the SMS gateway could not be reached: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsGatewayError(f"the SMS gateway answered {status}")


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
