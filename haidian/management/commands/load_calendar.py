import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from haidian.calendar import missing_years
from haidian.services import CalendarNotPublished, calendar_load_year


class Command(BaseCommand):
    help = (
        "Load the official working calendar (holidays and makeup workdays) from the chinesecalendar "
        "package. Without --years: every year from 2020 the package knows. Years it does not know "
        "fall back to Monday-Friday until an administrator enters them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", nargs="+", type=int, help="Years to load, e.g. --years 2025 2026")

    def handle(self, *args, **options):
        explicit = options["years"]
        years = explicit or range(2020, dt.date.today().year + 2)
        loaded, unpublished = [], []
        for year in years:
            try:
                calendar_load_year(year=year)
                loaded.append(year)
            except CalendarNotPublished:
                unpublished.append(year)
        if explicit and unpublished:
            raise CommandError(
                f"chinesecalendar has no arrangement for {', '.join(map(str, unpublished))}; "
                "enter it in the admin when the State Council publishes it"
            )
        summary = f"Loaded working calendar for {', '.join(map(str, loaded)) or 'no year'}"
        missing = missing_years()
        if missing:
            summary += f"; not published yet, falling back to Monday-Friday: {', '.join(map(str, missing))}"
        self.stdout.write(summary)
