"""What the workflow tells other apps, so that they need not be imported by it (imports point one way)."""

from django.dispatch import Signal

# Sent inside the closing transaction with `case` and `now` when a case closes (verified, or
# resolved on site); receivers that talk to the outside should use transaction.on_commit.
case_closed = Signal()
