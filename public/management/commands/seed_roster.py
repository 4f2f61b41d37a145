from django.core.management.base import BaseCommand

from public.seed import seed_roster


class Command(BaseCommand):
    help = (
        "Demo public roster entries (实名制公示) for every grid, for the people without an account: the "
        "community's party secretary and the head of its residents' committee, synthetic names and phones "
        "marked as demo (grid workers and sunk department staff are on the roster through their memberships: "
        "seed_demo). Idempotent; entries entered in the admin are never touched. Run after seed_haidian."
    )

    def add_arguments(self, parser):
        parser.add_argument("--street", action="append", dest="streets", metavar="CODE",
                            help="Only the grids of this street (repeatable); default: every grid")

    def handle(self, *args, **options):
        summary = seed_roster(street_codes=options["streets"])
        self.stdout.write(f"seed_roster: {summary.entries} demo roster entries for {summary.grids} grids")
