"""Messages to reporters, who have no account (群众): queued once per key, sent by a Celery worker,
never from a request, so that a slow or broken SMS gateway can never hold up the case workflow.

    message_queue(...)          one row per key (a second call with the key writes nothing); an
                                address that opted out is stored as skipped, never sent
    queue_send()                have a worker send the waiting ones once the transaction commits
    send_pending_messages()     the worker's loop: each message claimed under its row lock, sent
                                through the SMS backend (notifications/sms.py) or Django's email
    message_opt_out(address=)   不再接收短信通知: nothing more goes to the address
    messages_send_again(...)    an administrator's retry of failed messages

Each message is sent once: it is marked `sending` (with `claimed_at`) and committed before the
backend is called, so two senders never take the same one. A worker that dies while sending leaves
it `sending`; after MESSAGE_SENDING_TIMEOUT_MINUTES the next sender (beat runs one every
MESSAGE_SEND_MINUTES) claims it again, as one more attempt. Both attempts carry the message's key
as an idempotency key — the SMS gateway's Idempotency-Key header, an email's Message-ID — so a
gateway that honours it does not text the reporter twice if the dead worker had handed it over
already. A backend error counts an attempt and puts the message back with a growing delay; after
MESSAGE_ATTEMPTS it stays `failed` with the error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from haidian import outbox
from haidian.privacy import blind_index, normalise_contact
from notifications import sms
from notifications.models import Channel, Message, MessageOptOut, MessageStatus

SEND_MESSAGES_TASK = "notifications.send_messages"
RETRY_BASE_SECONDS = 30  # then 60, 120, 240 … between a message's attempts
MAX_ERROR_LENGTH = 1000

logger = logging.getLogger(__name__)


def normalise_address(address: str) -> str:
    """The form an address is stored, compared and indexed in: an email in lower case; a phone as
    its digits, without China's +86 / 0086 in front of a mobile number."""
    return normalise_contact(address)


def address_hash(address: str) -> str:
    """The address's blind index (an HMAC under PERSONAL_DATA_INDEX_KEY): how an opt-out and the
    messages to an address are found, the address itself being encrypted."""
    return blind_index(address)


def opted_out(address: str) -> bool:
    return MessageOptOut.objects.filter(address_hash=address_hash(address)).exists()


def message_queue(*, key: str, channel: str, to: str, template: str, text: str, case_number: str = "",
                  now: dt.datetime | None = None) -> bool:
    """Queue one message under `key`; True if this call wrote it. A key already there (the same
    event told twice, or by two workers at once) writes nothing: the unique key decides, so the
    second of two racing inserts waits for the first and then finds it (no check-then-insert gap).
    An address that opted out is stored `skipped_opt_out`, so the log still says why nothing went."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    to = normalise_address(to)
    if not to:
        raise ValueError("a message needs an address")
    status = MessageStatus.SKIPPED_OPT_OUT if opted_out(to) else MessageStatus.PENDING
    try:
        with transaction.atomic():  # a savepoint: a clash rolls back this insert only
            Message.objects.create(key=key, channel=channel, to=to, template=template, text=text,
                                   case_number=case_number, status=status, created_at=now or timezone.now())
    except IntegrityError:
        if Message.objects.filter(key=key).exists():
            return False
        raise
    return True


def queue_send() -> None:
    """Have a worker send the waiting messages once this transaction commits. A broker that is down
    never fails the step that queued them: the call waits in the outbox (haidian.outbox), and beat's
    catch-up would send the messages anyway."""
    outbox.enqueue(SEND_MESSAGES_TASK)


def email_message_id(key: str) -> str:
    """A Message-ID made from the message's key: every attempt at one message carries the same, so
    a mailbox that receives it twice shows one message."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "haidian.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0  # failed this time, to be tried again
    failed: int = 0  # failed for the last time
    skipped: int = 0  # the reporter opted out after it was queued


def _deliver(message: Message) -> None:
    if message.channel == Channel.EMAIL:
        with override("zh-hans"):  # the reporters' language
            subject = (_("Your report %(number)s") % {"number": message.case_number} if message.case_number
                       else _("Haidian grid service"))
        mail.EmailMessage(subject, message.text, None, [message.to],
                          headers={"Message-ID": email_message_id(message.key)}).send()
    else:
        backend = sms.get_backend()
        if hasattr(backend, "send_once"):
            backend.send_once(key=message.key, to=message.to, text=message.text)
        else:  # a backend written before idempotency keys (only `send`)
            backend.send(to=message.to, text=message.text)


def abandoned(now: dt.datetime) -> Q:
    """Messages left `sending` longer than MESSAGE_SENDING_TIMEOUT_MINUTES: their sender died (one
    claimed before `claimed_at` existed has none, and is as abandoned)."""
    before = now - dt.timedelta(minutes=settings.MESSAGE_SENDING_TIMEOUT_MINUTES)
    return Q(status=MessageStatus.SENDING) & (Q(claimed_at=None) | Q(claimed_at__lte=before))


def _claim(now: dt.datetime, tried: list[int]) -> Message | None:
    """The next waiting message (or one abandoned by a dead sender), marked `sending` and committed;
    None when nothing is due. Locked with SKIP LOCKED: two senders at once take different messages
    and never the same one."""
    due = Q(status=MessageStatus.PENDING) & (Q(next_attempt_at=None) | Q(next_attempt_at__lte=now))
    with transaction.atomic():
        message = (Message.objects.select_for_update(skip_locked=True).filter(due | abandoned(now))
                   .exclude(pk__in=tried).order_by("id").first())
        if message is None:
            return None
        if message.status == MessageStatus.SENDING and message.attempts >= settings.MESSAGE_ATTEMPTS:
            message.status = MessageStatus.FAILED  # its last attempt died with its sender
            message.last_error = "the sender stopped while sending (last attempt)"
            message.save(update_fields=["status", "last_error"])
            return message
        if opted_out(message.to):  # opted out between queueing and sending
            message.status = MessageStatus.SKIPPED_OPT_OUT
            message.save(update_fields=["status"])
            return message
        message.status, message.attempts, message.claimed_at = MessageStatus.SENDING, message.attempts + 1, now
        message.save(update_fields=["status", "attempts", "claimed_at"])
    return message


def send_pending_messages(*, limit: int = 200, now: dt.datetime | None = None) -> SendResult:
    """Send up to `limit` waiting messages, each at most once. A failure never leaves the loop: the
    message goes back to wait (or is marked failed after its last attempt) and the next one is sent.
    Each message is tried once per run; its next try waits RETRY_BASE_SECONDS × 2^(attempts − 1)."""
    result = SendResult()
    tried: list[int] = []
    for _round in range(limit):
        moment = now or timezone.now()
        message = _claim(moment, tried)
        if message is None:
            break
        tried.append(message.pk)
        if message.status == MessageStatus.SKIPPED_OPT_OUT:
            result.skipped += 1
            continue
        if message.status == MessageStatus.FAILED:
            result.failed += 1
            continue
        try:
            _deliver(message)
        except Exception as exc:  # any backend's failure: recorded on the message, never raised
            last = message.attempts >= settings.MESSAGE_ATTEMPTS
            logger.warning("message %s to %s failed (attempt %s): %s", message.pk, message.to_masked,
                           message.attempts, exc)
            Message.objects.filter(pk=message.pk).update(
                status=MessageStatus.FAILED if last else MessageStatus.PENDING,
                last_error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH],
                next_attempt_at=None if last else moment + dt.timedelta(
                    seconds=RETRY_BASE_SECONDS * 2 ** (message.attempts - 1)))
            if last:
                result.failed += 1
            else:
                result.retrying += 1
            continue
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, sent_at=timezone.now(),
                                                     next_attempt_at=None)
        result.sent += 1
    return result


@transaction.atomic
def message_opt_out(*, address: str, now: dt.datetime | None = None) -> int:
    """不再接收短信通知: record the opt-out (once; again is harmless) and mark the messages still
    waiting for the address skipped. Returns how many were skipped. (One being sent right now may
    still go: it was claimed before.)"""
    address = normalise_address(address)
    if not address:
        return 0
    MessageOptOut.objects.bulk_create([MessageOptOut(address_hash=address_hash(address),
                                                     created_at=now or timezone.now())],
                                      ignore_conflicts=True)
    return Message.objects.filter(to_index=address_hash(address), status=MessageStatus.PENDING).update(
        status=MessageStatus.SKIPPED_OPT_OUT)


@transaction.atomic
def messages_send_again(*, queryset) -> int:
    """An administrator's retry of failed messages (or ones a dying worker left `sending`), with a
    fresh count of attempts. A reporter who opted out meanwhile is still skipped when it is sent."""
    count = queryset.filter(status__in=[MessageStatus.FAILED, MessageStatus.SENDING]).update(
        status=MessageStatus.PENDING, attempts=0, next_attempt_at=None)
    if count:
        queue_send()
    return count
