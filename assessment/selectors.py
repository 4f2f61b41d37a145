"""Reads of the assessment, by who may see what.

Rounds are listed to everyone signed in. A round's results are the district's (and auditors')
to see in any version while it is prepared; everyone else, and the public page, sees only the
published version of a published round. Forms are seen by their rating unit's people, and all of
them by the district (to follow missing and late forms).
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from assessment import services
from assessment.models import Award, Evaluation, Result, Round, RoundStatus
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


def results(*, round: Round, version: int, kind: str | None = None) -> QuerySet[Result]:
    queryset = Result.objects.filter(round=round, version=version)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("kind", F("rank").asc(nulls_last=True), "unit_name", "unit_id")


def evaluations(*, user, round: Round, mine: bool) -> QuerySet[Evaluation]:
    if mine or not services.runs_rounds(user):
        return services.my_evaluations(user=user, round=round)
    return Evaluation.objects.filter(round=round).select_related("round")


def progress_of_raters(*, round: Round) -> list[dict]:
    """Per rating unit: forms, submitted, late (after the window closed), missing — one grouped query,
    those with the most missing first."""
    late = Q(submitted_at__gt=round.window_closes_at) if round.window_closes_at else Q(pk__in=[])
    rows = (Evaluation.objects.filter(round=round)
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
