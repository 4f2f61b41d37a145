from django.core.management.base import BaseCommand
from django.db import transaction

from demo import cases, supervision, users
from public.reporters import reporters_not_told


class Command(BaseCommand):
    help = ("Create demo users, one per role and unit, with the password from DEMO_PASSWORD, print the logins, "
            "about 300 demo cases in every status, and every department's staff sunk to the grids of the demo "
            "streets, each demo street's democratic supervision committee with an inquiry and three tasks of this "
            "year's 折子工程 (idempotent).")

    def handle(self, *args, **options):
        with transaction.atomic():
            users.seed_users(self.stdout.write)
            users.seed_grid_workers(self.stdout.write)
            with reporters_not_told():  # a made-up past: nobody is texted about it today
                cases.seed_cases(self.stdout.write)
            # After the cases: the sunk staff are agency staff, who would each be told of every demo task.
            users.seed_sunk_staff(self.stdout.write)
            supervision.seed_supervision(self.stdout.write)
