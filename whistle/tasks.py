"""Celery adapter for the summons sweep: it calls the service, nothing more."""

from celery import shared_task

from whistle import services


@shared_task(name="whistle.sweep_summons")
def sweep_summons() -> dict:
    """Run by beat every minute (the "summons sweep" schedule, editable in the admin)."""
    result = services.summons_sweep()
    return {"missing": result.missing, "notifications": result.notifications}
