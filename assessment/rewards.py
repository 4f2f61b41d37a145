"""协管员绩效考核奖励: the yearly reward list of a street's co-managers, from the assessment.

"制定全区统一的协管员绩效考核奖励办法": one rule for the whole district. Each co-manager's result in
the year's published rounds (H1 and H2: the street or community rated them, assessment.compute)
is averaged; the mean's grade decides the tier:

    A (≥ 90)  excellent  优秀, rewarded at the higher rate
    B (≥ 75)  good       良好, rewarded at the standard rate
    C–E       none       no reward this year

A co-manager rated in neither published round of the year is listed without a tier. The money
itself (the rates per tier) is the district's budget decision and is not kept here.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F

from assessment.compute import grade
from assessment.models import Result, RoundStatus, UnitKind
from assessment.scoring import half_up
from comanagers.models import CoManager

TIERS = {"A": "excellent", "B": "good"}


def reward_list(*, street_id: int, year: int) -> list[dict]:
    """The street's co-managers employed in the year, best mean first: their published results of
    the year's rounds, the mean, its grade and tier. Two queries, whatever the number of people."""
    people = list(CoManager.objects.filter(street_id=street_id, hired_at__year__lte=year)
                  .exclude(left_at__year__lt=year).select_related("post").order_by("name", "id"))
    totals: dict[int, dict[str, float]] = defaultdict(dict)
    # Each of the year's rounds in its published version only (as selectors.own_results reads them).
    for unit_id, period, total in Result.objects.filter(
            round__period__in=[f"{year}H1", f"{year}H2"], round__status=RoundStatus.PUBLISHED,
            version=F("round__published_version"), kind=UnitKind.CO_MANAGER, unit_id__in=[p.pk for p in people],
            total__isnull=False).values_list("unit_id", "round__period", "total"):
        totals[unit_id][period] = total
    rows = []
    for person in people:
        mine = totals.get(person.pk, {})
        mean = half_up(sum(mine.values()) / len(mine)) if mine else None
        letter = grade(mean)
        rows.append({"id": person.pk, "name": person.name, "post": person.post.name,
                     "rounds": dict(sorted(mine.items())), "mean": mean, "grade": letter,
                     "tier": TIERS.get(letter, "")})
    return sorted(rows, key=lambda row: (row["mean"] is None, -(row["mean"] or 0), row["name"]))
