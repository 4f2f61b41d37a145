"""Every write of notifications: sending them (once per person and key), marking one read, and the
emails, each claimed under its row lock before it is sent so that none goes out twice.

Email is sent by the Celery task `notifications.send_emails` (tasks.py), enqueued by name
(`queue_emails`, through haidian.outbox: kept if the broker is down) after the writing transaction
commits. An email left `sending` by a worker that died is claimed again after
MESSAGE_SENDING_TIMEOUT_MINUTES, with the same Message-ID as the first attempt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haidian import outbox
from haidian.errors import ActionForbidden
from notifications.messages import email_message_id
from notifications.models import EmailStatus, Notification, NotificationSettings

EMAIL_ATTEMPTS = 5
SEND_EMAILS_TASK = "notifications.send_emails"


@dataclass
class Note:
    """One notification to several people (each gets their own row)."""

    user_ids: list[int]
    key: str
    kind: str
    title: str
    body: str
    case_number: str = ""
    link: str = ""


def email_status_for(user_ids) -> dict[int, str]:
    """Whether each person's notifications also go by email: they have an address and did not opt out."""
    emails = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("id", "email"))
    wants_email = dict(NotificationSettings.objects.filter(user_id__in=user_ids).values_list("user_id", "by_email"))
    return {user_id: EmailStatus.PENDING if emails.get(user_id) and wants_email.get(user_id, True)
            else EmailStatus.NONE for user_id in user_ids}


def notify(notes: list[Note], now: dt.datetime) -> int:
    """One notification per person and key (ON CONFLICT DO NOTHING), all in one insert. Returns the
    rows offered (one already there is not written twice). Emails wait for `queue_emails` (the sweep
    calls it whenever any are waiting)."""
    user_ids = {user_id for note in notes for user_id in note.user_ids}
    if not user_ids:
        return 0
    email = email_status_for(user_ids)
    rows = [
        Notification(user_id=user_id, key=note.key, kind=note.kind, case_number=note.case_number, link=note.link,
                     title=note.title, body=note.body, created_at=now, email_status=email[user_id])
        for note in notes for user_id in dict.fromkeys(note.user_ids)
    ]
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000))


def queue_emails() -> None:
    """Have a worker send the waiting emails once this transaction commits (kept in the outbox while
    the broker is down; never an error in the step that committed)."""
    outbox.enqueue(SEND_EMAILS_TASK)


def _emails_due(now: dt.datetime) -> Q:
    """Emails to send: waiting, or left `sending` past MESSAGE_SENDING_TIMEOUT_MINUTES by a sender
    that died (one claimed before `email_claimed_at` existed has none, and is as abandoned)."""
    before = now - dt.timedelta(minutes=settings.MESSAGE_SENDING_TIMEOUT_MINUTES)
    return Q(email_status=EmailStatus.PENDING) | Q(email_status=EmailStatus.SENDING) & (
        Q(email_claimed_at=None) | Q(email_claimed_at__lte=before))


def emails_waiting(now: dt.datetime | None = None) -> bool:
    """Whether any email is due (the sweep then queues the sender)."""
    return Notification.objects.filter(_emails_due(now or timezone.now())).exists()


def send_pending_emails(*, limit: int = 200, now: dt.datetime | None = None) -> int:
    """Send waiting notification emails, each claimed under its row lock first: never by two senders
    at once; one abandoned by a dead sender goes again after the timeout, under the same Message-ID."""
    sent = 0
    for _round in range(limit):
        moment = now or timezone.now()
        with transaction.atomic():
            note = (Notification.objects.select_for_update(skip_locked=True)
                    .filter(_emails_due(moment)).select_related("user").order_by("id").first())
            if note is None:
                return sent
            if note.email_status == EmailStatus.SENDING and note.email_attempts >= EMAIL_ATTEMPTS:
                Notification.objects.filter(pk=note.pk).update(email_status=EmailStatus.FAILED)
                continue  # its last attempt died with its sender
            note.email_status, note.email_attempts = EmailStatus.SENDING, note.email_attempts + 1
            note.email_claimed_at = moment
            note.save(update_fields=["email_status", "email_attempts", "email_claimed_at"])
        try:
            mail.EmailMessage(note.title, note.body, None, [note.user.email],
                              headers={"Message-ID": email_message_id(f"notification:{note.pk}")}).send()
        except Exception:
            # Back to the queue for the task's retry; after the last attempt it stays visibly failed.
            failed = note.email_attempts >= EMAIL_ATTEMPTS
            Notification.objects.filter(pk=note.pk).update(
                email_status=EmailStatus.FAILED if failed else EmailStatus.PENDING)
            raise
        Notification.objects.filter(pk=note.pk).update(email_status=EmailStatus.SENT, emailed_at=timezone.now())
        sent += 1
    return sent


@transaction.atomic
def emails_send_again(*, queryset) -> int:
    """An administrator's retry of failed emails (or ones a dying worker left `sending`)."""
    count = queryset.filter(email_status__in=[EmailStatus.FAILED, EmailStatus.SENDING]).update(
        email_status=EmailStatus.PENDING, email_attempts=0)
    queue_emails()
    return count


def notification_read(*, notification: Notification, user, now: dt.datetime | None = None) -> Notification:
    """Mark one's own notification read (again is harmless: the first time stays)."""
    if notification.user_id != user.pk:
        raise ActionForbidden(_("This notification is not yours."))
    Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=now or timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification
