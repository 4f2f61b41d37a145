"""Reads of the assessment, by who may see what.

Rounds are listed to everyone signed in. A round's results are the district's (and auditors')
to see in any version while it is prepared; everyone else, and the public page, sees only the
published version of a published round. Forms are seen by their rating unit's people, and all of
them by the district (to follow missing and late forms).
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from agencies.models import Street
from assessment import drilldown, plan, scoring, services
from assessment.models import PERSON_KINDS, Award, Evaluation, Result, Round, RoundStatus, UnitKind
from haidian.permissions import Role
from people.selectors import holds, memberships


def sees_drafts(user) -> bool:
    """The district command center and auditors see results before publication."""
    return services.runs_rounds(user) or holds(user, Role.AUDITOR)


def result_version(*, round: Round, user, version: int | None = None) -> int | None:
    """The results version this person may read (None: nothing to read)."""
    if user is not None and user.is_authenticated and sees_drafts(user):
        return version or round.version or None
    if round.status != RoundStatus.PUBLISHED:
        return None
    if version and version != round.published_version:
        return None
    return round.published_version


def results(*, round: Round, version: int, kind: str | None = None, user=None) -> QuerySet[Result]:
    """One version's rows, best rank first; given a `user`, only the rows they may read."""
    queryset = Result.objects.filter(round=round, version=version)
    if kind:
        queryset = queryset.filter(kind=kind)
    if user is not None:
        queryset = queryset.filter(readable_results(user=user, round=round))
    return queryset.order_by("kind", F("rank").asc(nulls_last=True), "unit_name", "unit_id")


def own_results(*, user) -> list[Result]:
    """A person's own published results (as a grid worker or a squad deputy), newest round first."""
    published = Round.objects.filter(status=RoundStatus.PUBLISHED, published_version__isnull=False)
    return list(Result.objects.filter(kind__in=[UnitKind.GRID_WORKER, UnitKind.SQUAD_DEPUTY], unit_id=user.pk,
                                      round__in=published, version=F("round__published_version"))
                .select_related("round").order_by("-round__period", "kind"))


def readable_results(*, user, round: Round) -> Q:
    """Units' results are everyone's (signed in); a person's result (grid worker, squad deputy,
    co-manager) is theirs and their raters' units' only — and the district's and auditors'."""
    if sees_drafts(user) or user.is_superuser:
        return Q()
    rule = ~Q(kind__in=PERSON_KINDS)
    rule |= Q(kind__in=[UnitKind.GRID_WORKER, UnitKind.SQUAD_DEPUTY], unit_id=user.pk)
    raters = Q(pk__in=[])
    for kind, unit_id in plan.rater_units(user):
        raters |= Q(rater_kind=kind, rater_id=unit_id)
    rated = Evaluation.objects.filter(raters, round=round, ratee_kind=OuterRef("kind"), ratee_id=OuterRef("unit_id"))
    return rule | (Q(kind__in=PERSON_KINDS) & Exists(rated))


def evaluations(*, user, round: Round, mine: bool) -> QuerySet[Evaluation]:
    if mine or not services.runs_rounds(user):
        return services.my_evaluations(user=user, round=round)
    return Evaluation.objects.filter(round=round).select_related("round")


def progress_of_raters(*, round: Round, rater_kind: str | None = None) -> list[dict]:
    """Per rating unit (of one kind, if given): forms, submitted, late (after the window closed),
    missing — one grouped query, those with the most missing first."""
    late = Q(submitted_at__gt=round.window_closes_at) if round.window_closes_at else Q(pk__in=[])
    forms = Evaluation.objects.filter(round=round)
    if rater_kind:
        forms = forms.filter(rater_kind=rater_kind)
    rows = (forms
            .values("rater_kind", "rater_id", "rater_name")
            .annotate(forms=Count("id"), submitted=Count("id", filter=Q(submitted_at__isnull=False)),
                      late=Count("id", filter=late))
            .order_by("rater_kind", "rater_name"))
    result = [{**row, "missing": row["forms"] - row["submitted"]} for row in rows]
    return sorted(result, key=lambda r: (-r["missing"], r["rater_kind"], r["rater_name"]))


def award_street_ids(*, user) -> set[int] | None:
    """The streets whose awards this person sees (None: all, for the district and auditors)."""
    if sees_drafts(user) or user.is_superuser:
        return None
    return {unit for role, field, unit, _label in memberships(user) if field == "street"}


def awards(*, user) -> QuerySet[Award]:
    street_ids = award_street_ids(user=user)
    queryset = Award.objects.all()
    return queryset if street_ids is None else queryset.filter(street_id__in=street_ids)


CASES_SHOWN = 200


def cases_behind(*, round: Round, result: Result, limit: int = CASES_SHOWN) -> list[dict]:
    """For each weighted indicator of a result: its breakdown row with the rows behind its
    numerator and denominator (assessment.drilldown), at most `limit` of each; one query per count
    (tasks due are the denominator of three rates, read once); an indicator whose rows cannot be
    listed carries none."""
    start, end = round.bounds
    read: dict[str, list[dict] | None] = {}

    def behind(count: str) -> list[dict] | None:
        if count not in read:
            try:
                read[count] = drilldown.rows(result.kind, result.unit_id, count, start, end, limit=limit)
            except ValueError:
                read[count] = None
        return read[count]

    shown = []
    for row in (result.breakdown or {}).get("indicators", []):
        sides = {"numerator": behind(row["numerator"]), "denominator": behind(row["denominator"])}
        shown.append({**row, "behind": None if None in sides.values() else sides,
                      "label": scoring.RATE_LABELS.get(row["indicator"], row["indicator"])})
    return shown


GRADE_LETTERS = ("A", "B", "C", "D", "E")


def people_by_street(*, round: Round, version: int, kind: str) -> list[dict]:
    """A person kind's results of one version summed up per street (breakdown["streets"]):
    people, those with a total, their mean total and the count of each grade — no names. One query
    for the rows, one for the street names; best mean first."""
    groups: dict[int, dict] = {}
    rows = Result.objects.filter(round=round, version=version, kind=kind).values_list("total", "grade", "breakdown")
    for total, grade, breakdown in rows.iterator(chunk_size=2000):
        for street_id in (breakdown or {}).get("streets", []):
            group = groups.setdefault(street_id, {"people": 0, "totals": [],
                                                  "grades": dict.fromkeys(GRADE_LETTERS, 0)})
            group["people"] += 1
            if total is not None:
                group["totals"].append(total)
            if grade in group["grades"]:
                group["grades"][grade] += 1
    names = dict(Street.objects.filter(pk__in=list(groups)).values_list("pk", "name"))
    summed = [{"street": names.get(street_id, str(street_id)), "people": group["people"],
               "rated": len(group["totals"]),
               "mean": scoring.half_up(sum(group["totals"]) / len(group["totals"])) if group["totals"] else None,
               "grades": [group["grades"][letter] for letter in GRADE_LETTERS]}
              for street_id, group in groups.items()]
    return sorted(summed, key=lambda row: (row["mean"] is None, -(row["mean"] or 0), row["street"]))
