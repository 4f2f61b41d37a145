"""A round's results: objective indicators, both directions of ratings and public satisfaction,
weighted, graded and ranked within each kind of unit.

    component      source                                                       0–100
    objective      `indicators.objective_score` of the half-year's cases (set-based SQL): for agencies
                   and departments also the response rate (响应率), the return rate (退单率, lower
                   is better) and check-ins (报到及时率); for streets and communities the
                   resolution rate (解决率); on-time figures read the ever-overdue facts
    upward         mean over the unit's submitted upward forms of each form's mean score
    downward       the same over downward forms
    satisfaction   (satisfied + basically satisfied) / all answers × 100, over the reporters' own
                   ratings of cases closed in the half (never the street's call-backs, 回访) and
                   the survey firm's imported answers
    total          Σ weight × component / Σ weight over the components the unit has (a unit
                   nobody rated is not punished for it: the weights of what exists are scaled up)
    grade          A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E below
    rank           within its kind by total, ties share a rank (1, 2, 2, 4); no total, no rank

The squad deputy (城管分队执行副队长) is a person: the total is the street's rating of them at the
round's `deputy_street_weight` (at least 50 %, a database check) plus their squad's total for the
rest. Without the street's rating there is no total.

Results are written as one version in one transaction. A round whose current version is published
gets a new version; the published one is never touched (frozen).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from assessment import indicators, plan
from assessment.models import ComputeState, Direction, Evaluation, Result, Round, UnitKind
from assessment.satisfaction import survey_satisfaction

K = UnitKind
KINDS = (K.STREET, K.COMMUNITY, K.AGENCY, K.DEPARTMENT, K.GRID_WORKER)
GRADES = ((90, "A"), (75, "B"), (60, "C"), (40, "D"))


def grade(total: float | None) -> str:
    if total is None:
        return ""
    return next((letter for floor, letter in GRADES if total >= floor), "E")


def weighted_total(components: dict[str, float | None], weights: dict[str, int]) -> float | None:
    present = {name: value for name, value in components.items() if value is not None and weights.get(name)}
    if not present:
        return None
    weight = sum(weights[name] for name in present)
    return round(sum(weights[name] * value for name, value in present.items()) / weight, 2)


def ranks(totals: dict[int, float | None]) -> dict[int, int]:
    """Competition ranking by total, highest first: 1, 2, 2, 4."""
    ordered = sorted((total, unit) for unit, total in totals.items() if total is not None)
    ordered.reverse()
    result, previous, rank = {}, None, 0
    for position, (total, unit) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = position, total
        result[unit] = rank
    return result


def ratings(round_: Round) -> dict[tuple[str, int, str], float]:
    """(ratee kind, ratee id, direction) → mean of the submitted forms' mean scores."""
    sums: dict[tuple[str, int, str], list[float]] = defaultdict(list)
    for kind, unit_id, direction, scores in Evaluation.objects.filter(round=round_, submitted_at__isnull=False) \
            .values_list("ratee_kind", "ratee_id", "direction", "scores").iterator(chunk_size=5000):
        if scores:
            sums[(kind, unit_id, direction)].append(sum(scores.values()) / len(scores))
    return {key: round(sum(values) / len(values), 2) for key, values in sums.items()}


def satisfaction_rates(*sources: dict[str, dict[int, tuple[int, int, int]]]) -> dict[tuple[str, int], float]:
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for source in sources:
        for kind, units in source.items():
            for unit_id, answers in units.items():
                for i, n in enumerate(answers):
                    counts[(kind, unit_id)][i] += n
    return {key: round(100 * (s + b) / (s + b + d), 2) for key, (s, b, d) in counts.items() if s + b + d}


Progress = Callable[[int, str], None]


def compute_round(round_: Round, progress: Progress | None = None) -> int:
    """Compute and store the round's results; returns the version written."""
    progress = progress or (lambda percent, stage: None)
    start, end = round_.bounds
    progress(5, "indicators")
    found = indicators.compute(start, end)
    progress(55, "ratings")
    rated = ratings(round_)
    progress(65, "satisfaction")
    happy = satisfaction_rates(indicators.case_satisfaction(start, end), survey_satisfaction(round_))
    progress(80, "results")
    names, codes = plan.names(), plan.codes()
    weights = round_.weights
    rows: list[Result] = []
    totals_by_kind: dict[str, dict[int, float | None]] = {}
    for kind in KINDS:
        totals = {}
        for unit_id, values in found.get(kind, {}).items():
            components = {
                "objective": indicators.objective_score(kind, values),
                "upward": rated.get((kind, unit_id, Direction.UP)),
                "downward": rated.get((kind, unit_id, Direction.DOWN)),
                "satisfaction": happy.get((kind, unit_id)),
            }
            totals[unit_id] = weighted_total(components, weights)
            rows.append(Result(kind=kind, unit_id=unit_id, unit_code=codes.get((kind, unit_id), "")[:150],
                               unit_name=names.get((kind, unit_id), str(unit_id))[:100], total=totals[unit_id],
                               grade=grade(totals[unit_id]), indicators=values, **components))
        totals_by_kind[kind] = totals
    rows += _deputies(round_, rated, totals_by_kind[K.AGENCY], names, codes)
    by_kind: dict[str, dict[int, float | None]] = defaultdict(dict)
    for row in rows:
        by_kind[row.kind][row.unit_id] = row.total
    placed = {kind: ranks(totals) for kind, totals in by_kind.items()}
    for row in rows:
        row.rank = placed[row.kind].get(row.unit_id)
    progress(90, "saving")
    return _save(round_, rows)


def _deputies(round_: Round, rated, agency_totals, names, codes) -> list[Result]:
    share = round_.deputy_street_weight / 100
    squads: dict[int, list[int]] = defaultdict(list)
    for user_id, agency_id, _street_id in plan.squad_deputies():
        if agency_id not in squads[user_id]:
            squads[user_id].append(agency_id)
    rows = []
    for user_id, agency_ids in squads.items():
        street_rating = rated.get((K.SQUAD_DEPUTY, user_id, Direction.DOWN))
        squad = [agency_totals.get(a) for a in agency_ids if agency_totals.get(a) is not None]
        squad_total = round(sum(squad) / len(squad), 2) if squad else None
        if street_rating is None:
            total = None
        elif squad_total is None:
            total = street_rating
        else:
            total = round(share * street_rating + (1 - share) * squad_total, 2)
        rows.append(Result(kind=K.SQUAD_DEPUTY, unit_id=user_id, unit_code=codes.get((K.SQUAD_DEPUTY, user_id), ""),
                           unit_name=names.get((K.SQUAD_DEPUTY, user_id), str(user_id))[:100],
                           downward=street_rating, total=total, grade=grade(total),
                           indicators={"street_weight": round_.deputy_street_weight, "squad_total": squad_total,
                                       "squads": [codes.get((K.AGENCY, a), "") for a in agency_ids]}))
    return rows


@transaction.atomic
def _save(round_: Round, rows: list[Result]) -> int:
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    version = round_.version
    if version == 0 or round_.published_version == version:
        version += 1  # the published version stays as it was
    else:
        Result.objects.filter(round=round_, version=version).delete()
    for row in rows:
        row.round, row.version = round_, version
    Result.objects.bulk_create(rows, batch_size=2000)
    Round.objects.filter(pk=round_.pk).update(version=version, computed_at=timezone.now())
    return version


def run(round_id: int) -> int:
    """The Celery task's body: compute with progress written to the round row as it goes (each
    update commits at once, so the page polling it sees the stage), and a visible failure."""
    started = time.perf_counter()

    def progress(percent: int, stage: str) -> None:
        Round.objects.filter(pk=round_id).update(compute_state=ComputeState.RUNNING, compute_percent=percent,
                                                 compute_stage=stage, compute_error="")

    round_ = Round.objects.get(pk=round_id)
    try:
        version = compute_round(round_, progress)
    except Exception as exc:
        Round.objects.filter(pk=round_id).update(compute_state=ComputeState.FAILED, compute_error=repr(exc)[:2000])
        raise
    Round.objects.filter(pk=round_id).update(compute_state=ComputeState.DONE, compute_percent=100,
                                             compute_stage="done", compute_seconds=time.perf_counter() - started)
    return version
