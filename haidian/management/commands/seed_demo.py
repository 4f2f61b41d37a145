from django.core.management.base import BaseCommand

from haidian.seeding import run_seeders


class Command(BaseCommand):
    help = "Create demo users, one per role and unit, with the password from DEMO_PASSWORD; print the logins."

    def handle(self, *args, **options):
        run_seeders("seed_demo", self.stdout.write)
