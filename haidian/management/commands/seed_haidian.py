from django.core.management.base import BaseCommand

from haidian.seeding import run_seeders


class Command(BaseCommand):
    help = (
        "Load Haidian's reference data (idempotent): the district, its 22 streets and 7 towns, the 13 "
        "departments, their dispatched agencies, and synthetic communities and grids."
    )

    def handle(self, *args, **options):
        lines = []
        run_seeders("seed_haidian", lines.append)
        self.stdout.write("seed_haidian: " + "; ".join(lines))
