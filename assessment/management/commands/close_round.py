"""`manage.py close_round 2026H1`: end a round's rating window now."""

from django.core.management.base import BaseCommand, CommandError

from assessment import services
from assessment.models import Round
from haidian.errors import ActionConflict
from haidian.workflow import SYSTEM


class Command(BaseCommand):
    help = "Close an open round's rating window."

    def add_arguments(self, parser):
        parser.add_argument("period", help="e.g. 2026H1")

    def handle(self, *args, period, **options):
        round_ = Round.objects.filter(period=period).first()
        if round_ is None:
            raise CommandError(f"no round {period!r}")
        try:
            services.round_close(round=round_, actor=SYSTEM)
        except ActionConflict as exc:
            raise CommandError(str(exc)) from None
        missing = round_.evaluations.filter(submitted_at=None).count()
        self.stdout.write(f"{period} closed; {missing} forms were left empty")
