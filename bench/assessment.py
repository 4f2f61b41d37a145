"""An assessment round's computation over a half-year of cases (issue target: under 60 s for a
half-year of 1.5 million cases).

    DATABASE_URL=postgres://…/haidian_half .venv/bin/python bench/assessment.py --period 2026H1

The database must hold the half-year's history (e.g. `seed_scale --days 181 --per-day 8300
--until 2026-07-01`, 1.5 million cases). The round is created and opened if needed (its ~40,000
forms written), four out of five forms are filled with seeded random scores, and then the round
is computed once the way the Celery task does it, timing each stage. It prints the figures and
returns them; `bench/run.py --only assessment` calls `measure` too. The results are left in that
database as a new version of the round.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def ensure_grid_workers() -> int:
    """Generated history has no people: give every grid a grid worker (as a district would have),
    make them the reporters of their grids' patrol reports and the actors of their verifications, so
    the grid workers' indicators read as much as they would in production. Once per database."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from grids.models import GridCell
    from haidian.permissions import Role
    from people.models import Membership

    if Membership.objects.filter(role=Role.GRID_WORKER).exists():
        return 0
    User = get_user_model()
    grids = list(GridCell.objects.values_list("pk", "code"))
    with transaction.atomic():
        users = User.objects.bulk_create([User(username=f"gw-{code}", first_name=f"网格员{code[-4:]}")
                                          for _pk, code in grids], batch_size=1000)
        Membership.objects.bulk_create([Membership(user=user, role=Role.GRID_WORKER, grid_id=pk)
                                        for user, (pk, _code) in zip(users, grids, strict=True)], batch_size=1000)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE dispatch_case c SET reported_by_id = m.user_id FROM people_membership m "
                           "WHERE m.grid_id = c.grid_id AND m.role = 'grid_worker' AND c.source = 'grid_patrol'")
            # Generated events are rewritten once here, in this benchmark database only: the log is
            # append-only (a trigger), so the trigger is off for this one statement.
            cursor.execute("ALTER TABLE dispatch_caseevent DISABLE TRIGGER dispatch_caseevent_append_only")
            cursor.execute("UPDATE dispatch_caseevent e SET actor_id = m.user_id FROM dispatch_case c, "
                           "people_membership m WHERE e.case_id = c.id AND m.grid_id = c.grid_id "
                           "AND m.role = 'grid_worker' AND e.action IN ('verify_passed', 'verify_failed')")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the new actors now, then re-arm the trigger
            cursor.execute("ALTER TABLE dispatch_caseevent ENABLE TRIGGER dispatch_caseevent_append_only")
    return len(users)


def measure(period: str, *, fill: float = 0.8, seed: int = 2013) -> dict:
    from django.db import connection
    from psycopg2.extras import execute_values

    from assessment import compute, services
    from assessment.models import Evaluation, Round, RoundStatus
    from haidian.workflow import SYSTEM

    workers_created = ensure_grid_workers()
    round_ = services.round_ensure(actor=SYSTEM, period=period)
    started = time.perf_counter()
    if round_.status == RoundStatus.DRAFT:
        round_ = services.round_open(round=round_, actor=SYSTEM)
    open_s = time.perf_counter() - started
    rng = random.Random(seed)
    empty = list(Evaluation.objects.filter(round=round_, submitted_at=None).values_list("id", flat=True))
    chosen = [pk for pk in empty if rng.random() < fill]
    if chosen:
        rows = [(pk, json.dumps({c: rng.randint(55, 100) for c in services.CRITERIA})) for pk in chosen]
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_scores (id bigint, scores jsonb)")
            execute_values(cursor, "INSERT INTO bench_scores VALUES %s", rows, page_size=5000)
            cursor.execute(f"UPDATE {Evaluation._meta.db_table} e SET scores = b.scores, submitted_at = now() "
                           "FROM bench_scores b WHERE e.id = b.id")
            cursor.execute("DROP TABLE bench_scores")
    start, end = round_.bounds
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dispatch_case WHERE created_at >= %s AND created_at < %s", [start, end])
        cases = cursor.fetchone()[0]
    stages: dict[str, float] = {}
    last = [time.perf_counter(), "start"]

    def progress(percent: int, stage: str) -> None:
        now = time.perf_counter()
        stages[last[1]] = round(now - last[0], 2)
        last[:] = [now, stage]
        Round.objects.filter(pk=round_.pk).update(compute_percent=percent, compute_stage=stage)

    started = time.perf_counter()
    version = compute.compute_round(round_, progress)
    total = time.perf_counter() - started
    stages[last[1]] = round(time.perf_counter() - last[0], 2)
    stages.pop("start", None)
    figures = {"period": period, "cases_in_half": cases, "forms": round_.evaluations.count(),
               "forms_filled": len(chosen), "open_s": round(open_s, 2), "compute_s": round(total, 2),
               "stages_s": stages, "version": version,
               "results": round_.results.filter(version=version).count(), "grid_workers_created": workers_created}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2026H1")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    figures = measure(args.period)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
