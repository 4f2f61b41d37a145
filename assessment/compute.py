"""A round's results: objective indicators, the ratings of every direction and public
satisfaction, weighted, graded and ranked within each kind of unit. How the numbers are weighed
(indicator weights, shrinkage of small samples, components, the tie-break) is `assessment.scoring`;
this module reads the inputs and writes the rows.

    inputs         `indicators.compute` of the half's cases, tasks, letters, meetings, whistles and
                   inquiries; the round's submitted forms by direction and rater kind; the
                   reporters' own ratings of cases closed in the half and the survey firm's answers
                   (public satisfaction); the streets' call-backs (回访, shown apart)
    grade          A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E below; none for a unit with 样本不足

The squad deputy (城管分队执行副队长) is a person: the total is the street's rating of them at the
round's `deputy_street_weight` (at least 50 %, a database check) plus the rating of the squad's
department (the district's 城管大队) for the rest; without the street's rating there is no total,
without the 大队's the deputies' mean 大队 rating stands in. A co-manager's total is the mean of
the forms of the street or community they work for.

Each Result keeps its `breakdown`: every indicator's numerator, denominator, district mean,
shrinkage, weight and points, and every component's value, sample and weight, so a published
score can be checked (assessment.drilldown gives the cases behind the counts).

Results are written as one version in one transaction. A round whose current version is published
gets a new version; the published one is never touched (frozen).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessment import indicators, plan, scoring
from assessment.models import PERSON_KINDS, ComputeState, Direction, Evaluation, Result, Round, UnitKind
from assessment.satisfaction import survey_satisfaction
from comanagers.models import CoManager

K = UnitKind
KINDS = (K.STREET, K.COMMUNITY, K.AGENCY, K.DEPARTMENT, K.GRID_WORKER)
GRADES = ((90, "A"), (75, "B"), (60, "C"), (40, "D"))
COMPONENT_DIRECTIONS = {"upward": Direction.UP, "downward": Direction.DOWN, "oversight": Direction.OVERSIGHT}

Ratings = dict[tuple[str, int, str, str], list[float]]


def grade(total: float | None) -> str:
    if total is None:
        return ""
    return next((letter for floor, letter in GRADES if total >= floor), "E")


def ratings(round_: Round) -> Ratings:
    """(ratee kind, ratee id, direction, rater kind) → each submitted form's mean score."""
    forms: Ratings = defaultdict(list)
    for kind, unit_id, direction, rater_kind, scores in (
            Evaluation.objects.filter(round=round_, submitted_at__isnull=False)
            .values_list("ratee_kind", "ratee_id", "direction", "rater_kind", "scores").iterator(chunk_size=5000)):
        if scores:
            forms[(kind, unit_id, direction, rater_kind)].append(sum(scores.values()) / len(scores))
    return forms


def _mean(values: list[float]) -> float | None:
    return scoring.half_up(sum(values) / len(values)) if values else None


def _by_unit(rated: Ratings, kind: str, direction: str, rater_kind: str | None = None) -> dict[int, list[float]]:
    result: dict[int, list[float]] = defaultdict(list)
    for (k, unit_id, d, r), values in rated.items():
        if k == kind and d == direction and (rater_kind is None or r == rater_kind):
            result[unit_id].extend(values)
    return result


def satisfaction_counts(*sources: Mapping[str, Mapping[int, tuple[int, int, int]]]) -> dict[tuple[str, int], list[int]]:
    """(kind, unit) → [satisfied, basically satisfied, dissatisfied] summed over the sources."""
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for source in sources:
        for kind, units in source.items():
            for unit_id, answers in units.items():
                for i, n in enumerate(answers):
                    counts[(kind, unit_id)][i] += n
    return counts


Shares = tuple[float | None, dict[int, tuple[int, float | None]]]


def _share(counts: dict[tuple[str, int], list[int]], kind: str) -> Shares:
    """The kind's pooled satisfied share, and each unit's (answers, share)."""
    units, happy, answers = {}, 0, 0
    for (k, unit_id), (s, b, d) in counts.items():
        if k != kind:
            continue
        n = s + b + d
        units[unit_id] = (n, (s + b) / n if n else None)
        happy, answers = happy + s + b, answers + n
    return (happy / answers if answers else None), units


def _satisfaction(unit_id: int, public: Shares, callbacks: Shares,
                  share: int) -> tuple[float | None, float | None, dict]:
    """(the component, the call-backs' figure, their breakdown) of one unit."""
    mean, units = public
    n, x = units.get(unit_id, (0, None))
    used, shrunk = scoring.shrink(n, x, mean)
    callback_mean, callback_units = callbacks
    cn, cx = callback_units.get(unit_id, (0, None))
    callback_used, _shrunk = scoring.shrink(cn, cx, callback_mean)
    value = None if used is None else 100 * used
    if share and callback_used is not None:
        value = 100 * callback_used if value is None else (100 - share) / 100 * value + share * callback_used
    value = None if value is None else scoring.half_up(value)
    callback = None if cx is None else scoring.half_up(100 * cx)
    detail = {"sample": n, "rate": None if x is None else scoring.half_up(x, "0.0001"),
              "mean": None if mean is None else scoring.half_up(mean, "0.0001"), "shrunk": shrunk,
              "callback_sample": cn, "callback_share": share}
    return value, callback, detail


def _kind_mean(kind_forms: dict[int, list[float]]) -> float | None:
    """The mean over the rated units of their mean rating."""
    means = [sum(v) / len(v) for v in kind_forms.values() if v]
    return sum(means) / len(means) if means else None


def _rating(kind_forms: dict[int, list[float]], kind_mean: float | None, unit_id: int) -> tuple[float | None, dict]:
    """A direction's rating of one unit: the mean of its forms, or the kind's mean rating when
    nobody rated it (None when nobody in the kind was rated)."""
    own = kind_forms.get(unit_id) or []
    if own:
        return _mean(own), {"sample": len(own), "imputed": False}
    return (None if kind_mean is None else scoring.half_up(kind_mean)), {"sample": 0, "imputed": kind_mean is not None}


Progress = Callable[[int, str], None]


def compute_round(round_: Round, progress: Progress | None = None) -> int:
    """Compute and store the round's results; returns the version written."""
    progress = progress or (lambda percent, stage: None)
    start, end = round_.bounds
    progress(5, "indicators")
    found = indicators.compute(start, end)
    progress(50, "ratings")
    rated = ratings(round_)
    progress(60, "satisfaction")
    public = satisfaction_counts(indicators.case_satisfaction(start, end), survey_satisfaction(round_))
    callbacks = satisfaction_counts(indicators.case_satisfaction(start, end, callbacks=True))
    progress(80, "results")
    names, codes = plan.names(), plan.codes()
    rows: list[Result] = []
    for kind in KINDS:
        rows += _kind_results(round_, kind, found.get(kind, {}), rated, public, callbacks, names, codes)
    rows += _deputies(round_, rated, names, codes)
    rows += _comanagers(rated, names, codes)
    _place_people(rows)
    by_kind: dict[str, dict[int, tuple]] = defaultdict(dict)
    for row in rows:
        if row.sample_ok:
            by_kind[row.kind][row.unit_id] = (row.total, row.objective, row.satisfaction)
    placed = {kind: scoring.ranks(keys) for kind, keys in by_kind.items()}
    for row in rows:
        row.rank = placed.get(row.kind, {}).get(row.unit_id)
    progress(90, "saving")
    return _save(round_, rows)


def _place_people(rows: list[Result]) -> None:
    """The streets each person's result belongs to (breakdown["streets"]): the public sees people
    only summed up by street (assessment.public)."""
    streets: dict[tuple[str, int], set[int]] = defaultdict(set)
    for user_id, street_id in plan.grid_worker_streets():
        streets[(K.GRID_WORKER, user_id)].add(street_id)
    for user_id, _agency_id, street_id in plan.squad_deputies():
        streets[(K.SQUAD_DEPUTY, user_id)].add(street_id)
    for row in rows:
        if row.kind == K.CO_MANAGER:
            streets[(K.CO_MANAGER, row.unit_id)].add(row.indicators["street_id"])
        if row.kind in PERSON_KINDS:
            row.breakdown["streets"] = sorted(s for s in streets[(row.kind, row.unit_id)] if s is not None)


def _kind_results(round_: Round, kind: str, found: dict[int, dict], rated: Ratings, public, callbacks,
                  names, codes) -> list[Result]:
    weights = (round_.indicator_weights or {}).get(kind) or scoring.DEFAULT_INDICATOR_WEIGHTS[kind]
    means = scoring.pooled_means(kind, found.values())
    components_of = scoring.COMPONENTS[kind]
    forms = {name: _by_unit(rated, kind, direction) for name, direction in COMPONENT_DIRECTIONS.items()
             if name in components_of}
    form_means = {name: _kind_mean(kind_forms) for name, kind_forms in forms.items()}
    public_share, callback_share = _share(public, kind), _share(callbacks, kind)
    minimum = settings.ASSESSMENT_MIN_SAMPLE
    rows = []
    for unit_id, values in found.items():
        objective, indicator_rows = scoring.objective(kind, values, means, weights)
        components: dict[str, float | None] = {"objective": objective}
        detail: dict[str, dict] = {"objective": {"sample": values.get(scoring.MAIN_SAMPLE[kind], 0)}}
        for name, kind_forms in forms.items():
            components[name], detail[name] = _rating(kind_forms, form_means[name], unit_id)
        satisfaction, callback, detail["satisfaction"] = _satisfaction(
            unit_id, public_share, callback_share, round_.callback_share)
        components["satisfaction"] = satisfaction
        for name in components:
            detail[name]["value"], detail[name]["weight"] = components[name], round_.weights[name]
        total = scoring.total(components, round_.weights)
        sample = values.get(scoring.MAIN_SAMPLE[kind], 0)
        sample_ok = sample >= minimum
        rows.append(Result(
            kind=kind, unit_id=unit_id, unit_code=codes.get((kind, unit_id), "")[:150],
            unit_name=names.get((kind, unit_id), str(unit_id))[:100], total=total,
            grade=grade(total) if sample_ok else "", indicators=values, sample=sample, sample_ok=sample_ok,
            objective=objective, upward=components.get("upward"), downward=components.get("downward"),
            satisfaction=satisfaction, oversight=components.get("oversight"), callback=callback,
            breakdown={"sample": {"count": scoring.MAIN_SAMPLE[kind], "value": sample, "minimum": minimum},
                       "indicators": indicator_rows, "components": detail}))
    return rows


def _deputies(round_: Round, rated: Ratings, names, codes) -> list[Result]:
    share = round_.deputy_street_weight / 100
    squads: dict[int, list[int]] = defaultdict(list)
    for user_id, agency_id, _street_id in plan.squad_deputies():
        if agency_id not in squads[user_id]:
            squads[user_id].append(agency_id)
    by_street = _by_unit(rated, K.SQUAD_DEPUTY, Direction.DOWN, K.STREET)
    by_squad = _by_unit(rated, K.SQUAD_DEPUTY, Direction.DOWN, K.DEPARTMENT)
    squad_mean = _kind_mean(by_squad)
    rows = []
    for user_id, agency_ids in squads.items():
        street_rating = _mean(by_street.get(user_id, []))
        squad_rating, squad_detail = _rating(by_squad, squad_mean, user_id)
        if street_rating is None:
            total = None
        elif squad_rating is None:
            total = street_rating
        else:
            total = scoring.half_up(share * street_rating + (1 - share) * squad_rating)
        rows.append(Result(kind=K.SQUAD_DEPUTY, unit_id=user_id, unit_code=codes.get((K.SQUAD_DEPUTY, user_id), ""),
                           unit_name=names.get((K.SQUAD_DEPUTY, user_id), str(user_id))[:100],
                           downward=street_rating, total=total, grade=grade(total),
                           sample=len(by_street.get(user_id, [])),
                           indicators={"street_weight": round_.deputy_street_weight, "street_rating": street_rating,
                                       "squad_rating": squad_rating, "squad_rating_imputed": squad_detail["imputed"],
                                       "squads": [codes.get((K.AGENCY, a), "") for a in agency_ids]},
                           breakdown={"components": {
                               "street": {"value": street_rating, "sample": len(by_street.get(user_id, [])),
                                          "weight": round_.deputy_street_weight},
                               "squad": {**squad_detail, "value": squad_rating,
                                         "weight": 100 - round_.deputy_street_weight}}}))
    return rows


def _comanagers(rated: Ratings, names, codes) -> list[Result]:
    """协管员: the mean of the street's or community's forms about each co-manager rated."""
    forms = _by_unit(rated, K.CO_MANAGER, Direction.DOWN)
    streets = dict(CoManager.objects.filter(pk__in=list(forms)).values_list("pk", "street_id"))
    rows = []
    for comanager_id, values in forms.items():
        total = _mean(values)
        rows.append(Result(kind=K.CO_MANAGER, unit_id=comanager_id,
                           unit_code=codes.get((K.CO_MANAGER, comanager_id), ""),
                           unit_name=names.get((K.CO_MANAGER, comanager_id), str(comanager_id))[:100],
                           downward=total, total=total, grade=grade(total), sample=len(values),
                           indicators={"street_id": streets.get(comanager_id)},
                           breakdown={"components": {"downward": {"value": total, "sample": len(values),
                                                                  "weight": 100}}}))
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
