"""Celery adapter for the deadline sweep: it calls the service, nothing more."""

from celery import shared_task

from dispatch import sweep


@shared_task(name="dispatch.sweep_deadlines")
def sweep_deadlines() -> dict:
    """Run by beat every DEADLINE_SWEEP_MINUTES (schedule editable in the admin)."""
    result = sweep.sweep_deadlines()
    return {"yellow": result.yellow, "red": result.red, "escalated": result.escalated,
            "notifications": result.notifications, "skipped": result.skipped}
