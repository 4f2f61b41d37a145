"""`manage.py rebuild_dashboard`: recount the dashboard's roll-ups from the cases and tasks."""

import time

from django.core.management.base import BaseCommand

from dashboard.rollups import rebuild


class Command(BaseCommand):
    help = ("Recompute the dashboard's daily roll-ups from scratch (after a bulk load that bypassed the triggers; "
            "never needed otherwise: PostgreSQL keeps them up to date).")

    def handle(self, *args, **options):
        started = time.monotonic()
        rebuild()
        self.stdout.write(f"dashboard roll-ups rebuilt in {time.monotonic() - started:.1f} s")
