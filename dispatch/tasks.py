"""Celery adapters for the deadline sweep and notification emails: they call services, nothing more."""

from celery import shared_task

from dispatch import deadlines


@shared_task(name="dispatch.sweep_deadlines")
def sweep_deadlines() -> dict:
    """Run by beat every DEADLINE_SWEEP_MINUTES (schedule editable in the admin)."""
    result = deadlines.sweep_deadlines()
    return {"yellow": result.yellow, "red": result.red, "escalated": result.escalated,
            "notifications": result.notifications, "skipped": result.skipped}


@shared_task(name="dispatch.send_notification_emails", bind=True, max_retries=deadlines.EMAIL_ATTEMPTS - 1,
             default_retry_delay=30)
def send_notification_emails(self) -> int:
    """Send waiting emails; a failure is retried with growing delays, then left marked `failed`."""
    try:
        return deadlines.send_pending_emails()
    except Exception as exc:
        raise self.retry(exc=exc, countdown=30 * 2 ** self.request.retries) from exc
