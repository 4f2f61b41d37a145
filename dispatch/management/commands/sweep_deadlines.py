"""`manage.py sweep_deadlines [--now ISO8601]`: the same sweep Celery beat runs."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dispatch.sweep import sweep_deadlines
from haidian.calendar import SHANGHAI


class Command(BaseCommand):
    help = ("Raise yellow and red cards, flag overdue cases and escalate street-tier cases overdue past the "
            "grace, as of now or --now; safe to run any number of times.")

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the instant to sweep as of (ISO 8601; Asia/Shanghai if no offset)")

    def handle(self, *args, now=None, **options):
        moment = timezone.now()
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now: {now!r} is not an ISO 8601 date and time") from None
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=SHANGHAI)
        result = sweep_deadlines(now=moment)
        if result.skipped:
            self.stdout.write("another sweep is running; nothing done")
            return
        self.stdout.write(f"swept as of {timezone.localtime(moment):%Y-%m-%d %H:%M}: {result.yellow} yellow, "
                          f"{result.red} red, {result.escalated} escalated, {result.notifications} notifications")
