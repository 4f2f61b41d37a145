from django.core.management.base import BaseCommand
from django.db import transaction

from demo import cases, users


class Command(BaseCommand):
    help = ("Create demo users, one per role and unit, with the password from DEMO_PASSWORD, print the logins, "
            "and about 300 demo cases in every status (idempotent).")

    def handle(self, *args, **options):
        with transaction.atomic():
            users.seed_users(self.stdout.write)
            users.seed_grid_workers(self.stdout.write)
            cases.seed_cases(self.stdout.write)
