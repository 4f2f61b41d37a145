"""`manage.py sweep_deadlines [--now ISO8601]`: the same sweep Celery beat runs."""

from django.utils import timezone

from dispatch.sweep import sweep_deadlines
from haidian.commands import AsOfCommand


class Command(AsOfCommand):
    help = ("Raise yellow and red cards, flag overdue cases and escalate street-tier cases overdue past the "
            "grace, as of now or --now; safe to run any number of times.")

    def handle(self, *args, now=None, **options):
        moment = self.as_of(now)
        result = sweep_deadlines(now=moment)
        if result.skipped:
            self.stdout.write("another sweep is running; nothing done")
            return
        self.stdout.write(f"swept as of {timezone.localtime(moment):%Y-%m-%d %H:%M}: {result.yellow} yellow, "
                          f"{result.red} red, {result.escalated} escalated, {result.notifications} notifications")
