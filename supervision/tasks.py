"""Celery adapter for the inquiry sweep: it calls the service, nothing more."""

from celery import shared_task

from supervision import services


@shared_task(name="supervision.sweep_inquiries")
def sweep_inquiries() -> dict:
    """Run by beat every few minutes (the "inquiry sweep" schedule, editable in the admin)."""
    result = services.inquiry_sweep()
    return {"overdue": result.overdue, "notifications": result.notifications}
