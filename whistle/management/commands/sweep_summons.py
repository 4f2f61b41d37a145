"""`manage.py sweep_summons [--now ISO8601]`: the same sweep Celery beat runs every minute."""

from django.utils import timezone

from haidian.commands import AsOfCommand
from whistle.services import summons_sweep


class Command(AsOfCommand):
    help = ("Mark summoned agencies and departments that have not reported on site by their due time as "
            "missing and tell the district command center and the street, as of now or --now; safe to run "
            "any number of times.")

    def handle(self, *args, now=None, **options):
        moment = self.as_of(now)
        result = summons_sweep(now=moment)
        self.stdout.write(f"swept summonses as of {timezone.localtime(moment):%Y-%m-%d %H:%M}: "
                          f"{result.missing} missing, {result.notifications} notifications")
