"""Celery adapter for the personal-data retention job: it calls the service, nothing more."""

from celery import shared_task

from security import personal


@shared_task(name="security.personal_data_retention")
def personal_data_retention() -> int:
    """Run by beat once a day (schedule editable in the admin); idempotent."""
    return personal.personal_data_retention()
