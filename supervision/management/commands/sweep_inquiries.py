"""`manage.py sweep_inquiries [--now ISO8601]`: the same sweep Celery beat runs."""

from django.utils import timezone

from haidian.commands import AsOfCommand
from supervision.services import inquiry_sweep


class Command(AsOfCommand):
    help = ("Mark the supervision bodies' inquiries not answered by their due time as overdue and tell the "
            "street or agency questioned and the body's secretary, as of now or --now; safe to run any number "
            "of times.")

    def handle(self, *args, now=None, **options):
        moment = self.as_of(now)
        result = inquiry_sweep(now=moment)
        self.stdout.write(f"swept inquiries as of {timezone.localtime(moment):%Y-%m-%d %H:%M}: "
                          f"{result.overdue} overdue, {result.notifications} notifications")
