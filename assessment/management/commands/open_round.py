"""`manage.py open_round 2026H1 [--closes ISO8601]`: open a half-year's assessment round."""

import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError

from assessment import services
from assessment.models import PERIOD_RE
from haidian.calendar import SHANGHAI
from haidian.errors import ActionConflict, InvalidInput
from haidian.workflow import SYSTEM


class Command(BaseCommand):
    help = "Open the round of a half-year (created with the default weights if missing) and write its forms."

    def add_arguments(self, parser):
        parser.add_argument("period", help="e.g. 2026H1")
        parser.add_argument("--closes", help="when the rating window closes (ISO 8601; default in "
                                             "ASSESSMENT_WINDOW_DAYS days)")

    def handle(self, *args, period, closes=None, **options):
        if not re.match(PERIOD_RE, period):
            raise CommandError(f"{period!r} is not a period like 2026H1")
        closes_at = None
        if closes:
            try:
                closes_at = dt.datetime.fromisoformat(closes)
            except ValueError:
                raise CommandError(f"--closes: {closes!r} is not an ISO 8601 date and time") from None
            if closes_at.tzinfo is None:
                closes_at = closes_at.replace(tzinfo=SHANGHAI)
        try:
            round_ = services.round_ensure(actor=SYSTEM, period=period)
            round_ = services.round_open(round=round_, actor=SYSTEM, closes_at=closes_at)
        except (ActionConflict, InvalidInput) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{period} open until {round_.window_closes_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}: "
                          f"{round_.evaluations.count()} forms")
