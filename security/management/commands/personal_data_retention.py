"""`manage.py personal_data_retention [--now ISO8601]`: the same erasure beat runs daily."""

from django.conf import settings

from haidian.commands import AsOfCommand
from security.personal import personal_data_retention


class Command(AsOfCommand):
    help = ("Erase the reporter's name, phone and email of every case closed or rejected more than "
            "PERSONAL_DATA_RETENTION_DAYS ago (as of now or --now); the cases, their events and statistics stay. "
            "Safe to run any number of times.")

    def handle(self, *args, now=None, **options):
        erased = personal_data_retention(now=self.as_of(now))
        self.stdout.write(f"erased the personal data of {erased} case(s) ended more than "
                          f"{settings.PERSONAL_DATA_RETENTION_DAYS} days ago")
