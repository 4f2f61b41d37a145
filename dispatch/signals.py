"""What the workflow tells other apps, so that they need not be imported by it (imports point one way)."""

from django.dispatch import Signal

# Sent inside the closing transaction with `case` and `now` when a case closes (verified, or
# resolved on site); receivers that talk to the outside should use transaction.on_commit.
case_closed = Signal()

# Sent inside the action's transaction with `event` (the CaseEvent just written) for every step on
# a case: who tells the reporter, who counts what. Receivers that talk to the outside (SMS, email,
# Celery) must wait for the commit (transaction.on_commit) and take ids, never the objects.
case_event_recorded = Signal()
