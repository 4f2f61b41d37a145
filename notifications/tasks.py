"""Celery adapters for notification emails and messages to reporters: they call the service, nothing more."""

from celery import shared_task
from django.conf import settings

from notifications.messages import SEND_MESSAGES_TASK, send_pending_messages
from notifications.services import EMAIL_ATTEMPTS, SEND_EMAILS_TASK, send_pending_emails


@shared_task(name=SEND_EMAILS_TASK, bind=True, max_retries=EMAIL_ATTEMPTS - 1, default_retry_delay=30)
def send_emails(self) -> int:
    """Send waiting emails; a failure is retried with growing delays, then left marked `failed`."""
    try:
        return send_pending_emails()
    except Exception as exc:
        raise self.retry(exc=exc, countdown=30 * 2 ** self.request.retries) from exc


@shared_task(name=SEND_MESSAGES_TASK, bind=True, max_retries=None)
def send_messages(self) -> int:
    """Send the messages waiting for reporters (also run by beat every MESSAGE_SEND_MINUTES). A
    message that failed waits on its own growing delay; this run comes back for it when that is
    over, until its last attempt (MESSAGE_ATTEMPTS) has been made."""
    result = send_pending_messages()
    if result.retrying and self.request.retries < settings.MESSAGE_ATTEMPTS - 1:
        raise self.retry(countdown=30 * 2 ** self.request.retries)
    return result.sent
