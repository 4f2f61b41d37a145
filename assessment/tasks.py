"""Celery adapters for the assessment: they call services, nothing more."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from assessment import compute, schedule
from assessment.services import COMPUTE_TASK


@shared_task(name="assessment.daily")
def daily(today: str | None = None) -> dict:
    """Run by beat every day at 00:30: open the half just ended on 1 January / 1 July, close rounds
    whose window ended, remind raters. `today` (ISO date) can be injected."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    result = schedule.daily(today=day)
    return {"opened": result.opened, "closed": result.closed, "reminded": result.reminded}


@shared_task(name=COMPUTE_TASK)
def compute_round(round_id: int) -> int:
    """A round's results, with its progress on the round row; a failure is left visible there."""
    return compute.run(round_id)
