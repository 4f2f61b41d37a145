"""Celery adapter for telling reporters of their case's steps: it calls the service, nothing more."""

from celery import shared_task

from public import reporters

RETRIES = 5


@shared_task(name=reporters.TELL_REPORTER_TASK, bind=True, max_retries=RETRIES, default_retry_delay=30)
def tell_reporter(self, event_id: int) -> int:
    """Queue the messages of one case event (idempotent: one per event and channel however often it
    runs); a failure (the database away) is retried with growing delays."""
    try:
        return reporters.tell_reporter(event_id=event_id)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=30 * 2 ** self.request.retries) from exc
