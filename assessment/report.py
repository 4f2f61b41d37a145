"""Does a round discriminate? The sanity report the district reads before publishing
(`manage.py assessment_report PERIOD`, and the round page).

Per kind of unit, over one version's results:

    units          rows of the kind; ranked: those with a rank (a total and enough data)
    insufficient   样本不足: a total but too small a main sample to be ranked
    min … max      the distribution of the ranked units' totals: min, quartiles, max
    top, top_share the ranked units that have the top total, and their share (several units tied at
                   the top mean the round cannot tell them apart); the bar is at most 5 %, and a
                   single unit at the top always passes (in a kind of fewer than 20 units one unit is
                   already more than 5 %)
    perfect        ranked units with a total of 100 (the full score: one task handled on time used to
                   give it)
    thin_ranked    ranked units whose main sample is below ASSESSMENT_MIN_SAMPLE: always 0, a check
    flat           the weighted indicators whose scores (after shrinkage) vary least across the
                   ranked units (population standard deviation, in points of 0–100): an indicator
                   everyone scores alike decides nothing

Quartiles are the inclusive method (`statistics.quantiles(..., method="inclusive")`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from django.conf import settings

from assessment.models import Result, Round
from assessment.scoring import MAIN_SAMPLE

TOP_SHARE_LIMIT = 0.05
FLAT_SHOWN = 3


def sanity(round_: Round, version: int | None = None) -> list[dict]:
    """One row per kind present in the version, in a fixed order of kinds."""
    version = version or round_.version
    rows = (Result.objects.filter(round=round_, version=version)
            .values_list("kind", "total", "rank", "sample_ok", "sample", "breakdown").iterator(chunk_size=2000))
    totals: dict[str, list[float]] = defaultdict(list)
    units: dict[str, int] = defaultdict(int)
    insufficient: dict[str, int] = defaultdict(int)
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    thin: dict[str, int] = defaultdict(int)
    minimum = settings.ASSESSMENT_MIN_SAMPLE
    for kind, total, rank, sample_ok, sample, breakdown in rows:
        units[kind] += 1
        if total is not None and not sample_ok:
            insufficient[kind] += 1
        if rank is None:
            continue
        if kind in MAIN_SAMPLE and (sample or 0) < minimum:
            thin[kind] += 1
        totals[kind].append(total)
        for indicator in (breakdown or {}).get("indicators", []):
            scores[kind][indicator["indicator"]].append(100 * indicator["score"])
    report = []
    for kind in sorted(units, key=_kind_order):
        values = sorted(totals[kind])
        row = {"kind": kind, "units": units[kind], "ranked": len(values), "insufficient": insufficient[kind],
               "thin_ranked": thin[kind], "min": None, "q1": None, "median": None, "q3": None, "max": None,
               "top": 0, "top_share": None, "perfect": sum(1 for v in values if v >= 100), "flat": []}
        if values:
            q1, median, q3 = (statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1
                              else (values[0],) * 3)
            at_top = sum(1 for v in values if v == values[-1])
            row.update(min=values[0], q1=round(q1, 2), median=round(median, 2), q3=round(q3, 2), max=values[-1],
                       top=at_top, top_share=round(at_top / len(values), 4))
        spreads = sorted((round(statistics.pstdev(s), 2), name) for name, s in scores[kind].items() if len(s) > 1)
        row["flat"] = [{"indicator": name, "spread": spread} for spread, name in spreads[:FLAT_SHOWN]]
        row["discriminates"] = row["top"] <= 1 or row["top_share"] <= TOP_SHARE_LIMIT
        report.append(row)
    return report


_ORDER = ("street", "community", "agency", "department", "grid_worker", "squad_deputy", "co_manager")


def _kind_order(kind: str) -> tuple[int, str]:
    return (_ORDER.index(kind) if kind in _ORDER else len(_ORDER), kind)
