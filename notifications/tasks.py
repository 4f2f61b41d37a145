"""Celery adapter for notification emails: it calls the service, nothing more."""

from celery import shared_task

from notifications.services import EMAIL_ATTEMPTS, SEND_EMAILS_TASK, send_pending_emails


@shared_task(name=SEND_EMAILS_TASK, bind=True, max_retries=EMAIL_ATTEMPTS - 1, default_retry_delay=30)
def send_emails(self) -> int:
    """Send waiting emails; a failure is retried with growing delays, then left marked `failed`."""
    try:
        return send_pending_emails()
    except Exception as exc:
        raise self.retry(exc=exc, countdown=30 * 2 ** self.request.retries) from exc
