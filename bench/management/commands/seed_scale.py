"""Load generated history for benchmarks: `seed_scale --days 365 --per-day 4000`."""

import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from bench import scale
from bench.models import ScaleRun
from dashboard.rollups import rebuild
from dispatch.models import Case
from dispatch.services import take_case_numbers
from haidian.calendar import SHANGHAI


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--until: {value!r} is not a date (YYYY-MM-DD)") from None


class Progress:
    """A one-line bar on stderr: days, cases, rate and time left."""

    def __init__(self, total_days: int, done: int, per_day: int, stream=sys.stderr) -> None:
        self.total, self.done, self.per_day, self.stream = total_days, done, per_day, stream
        self.started, self.written = time.monotonic(), 0

    def step(self, cases: int) -> None:
        self.done += 1
        self.written += cases
        elapsed = time.monotonic() - self.started
        rate = self.written / elapsed if elapsed else 0
        left = (self.total - self.done) * self.per_day / rate if rate else 0
        filled = int(30 * self.done / self.total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} days  "
                          f"{self.written:,} cases  {rate:,.0f} cases/s  {left / 60:.1f} min left ")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


class Command(BaseCommand):
    help = ("Generate N days × M cases of realistic history (tasks, events, ratings) on top of seed_haidian, "
            "with COPY on PostgreSQL; deterministic per seed and resumable.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True)
        parser.add_argument("--per-day", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2013)
        parser.add_argument("--until", type=_date, default=None,
                            help="the history ends at the start of this day (Asia/Shanghai); default today")
        parser.add_argument("--max-days", type=int, default=None,
                            help="stop after this many days; run again to resume")
        parser.add_argument("--force", action="store_true",
                            help="run even though the database holds real (non-generated) cases")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, days, per_day, seed, until, max_days, force, no_progress, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes with COPY and needs PostgreSQL (set DATABASE_URL)")
        if days < 1 or per_day < 1:
            raise CommandError("--days and --per-day must be at least 1")
        until = until or timezone.localdate()
        first_day = until - dt.timedelta(days=days)
        real = Case.objects.exclude(Q(external_id__startswith=scale.GENERATED_PREFIX)
                                    | Q(external_id__startswith="DEMO-"))
        if not force and real.exists():
            raise CommandError("this database holds real cases; seed_scale only runs on a benchmark database "
                               "(use --force to add generated history anyway)")
        run, _created = ScaleRun.objects.get_or_create(seed=seed, first_day=first_day, days=days, per_day=per_day)
        if run.complete:
            self.stdout.write(f"already loaded: {run} ({run.cases:,} cases, {run.events:,} events)")
            return
        world = scale.World.load(seed)
        end = dt.datetime.combine(until, dt.time.min, tzinfo=SHANGHAI)
        stop = days if max_days is None else min(days, run.days_done + max_days)
        if run.days_done:
            self.stdout.write(f"resuming {run} at day {run.days_done + 1}")
        progress = None if no_progress else Progress(days, run.days_done, per_day)
        started = time.monotonic()
        while run.days_done < stop:
            day = first_day + dt.timedelta(days=run.days_done)
            with transaction.atomic():
                first = take_case_numbers(day, per_day) - per_day + 1
                cases = scale.generate_day(world, seed=seed, day=day, count=per_day, end=end, first_number=first)
                written, _tasks, events = scale.write_day(cases)
                run.days_done += 1
                run.cases += written
                run.events += events
                if run.complete:
                    run.finished_at = timezone.now()
                run.save()
            if progress:
                progress.step(written)
        if progress:
            progress.close()
        if run.complete:
            with connection.cursor() as cursor:  # fresh statistics for the planner over the new rows
                cursor.execute("ANALYZE dispatch_case, dispatch_task, dispatch_caseevent")
        rebuild()  # the days were written without the roll-up triggers: count them once
        state = "done" if run.complete else f"stopped after day {run.days_done} of {days}; run again to resume"
        self.stdout.write(f"{run}: {run.cases:,} cases, {run.events:,} events, "
                          f"{time.monotonic() - started:.1f} s; {state}")
