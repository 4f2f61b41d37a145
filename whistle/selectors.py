"""Reads of summonses, always through the permission gate.

The street's staff see their street's summonses, a summoned agency's or department's people the
summonses they are in, the district (its command center) its streets'. Anything else is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet

from agencies.models import Agency, Department, Street
from dispatch.models import Case
from haidian.permissions import Role, Scope, restrict, scope_for, scope_rule
from haidian.workflow import timeline_items
from people.selectors import memberships
from whistle.models import SummonedUnit, Summons, SummonsEvent, UnitStatus
from whistle.notices import AGENCY_ROLES
from whistle.workflow import UNIT_STATUSES, UNITS


def _units_of_scope(scope: Scope, prefix: str = "") -> Q:
    return Q(**{f"{prefix}agency_id__in": scope.agency_ids}) | Q(**{f"{prefix}department_id__in": scope.department_ids})


@scope_rule(Summons)
def _summons_rule(scope: Scope) -> Q:
    rule = Q(street_id__in=scope.street_ids) | Q(street__district_id__in=scope.district_ids)
    if scope.agency_ids or scope.department_ids:
        rule |= Q(pk__in=SummonedUnit.objects.filter(_units_of_scope(scope)).values("summons_id"))
    return rule


def _units() -> QuerySet[SummonedUnit]:
    return SummonedUnit.objects.select_related("agency", "department").order_by("id")


def summons_list(*, user) -> QuerySet[Summons]:
    """The summonses in the user's scope, newest first, with their case, street and units."""
    return restrict(Summons.objects.select_related("case", "street"), user).defer(
        "case__description").prefetch_related(Prefetch("units", queryset=_units()))


def summons_detail(*, user) -> QuerySet[Summons]:
    return summons_list(user=user).prefetch_related(
        Prefetch("events", queryset=SummonsEvent.objects.select_related("actor").order_by("at", "id")))


def timeline(summons: Summons) -> list[dict]:
    """The summons' log, oldest first, for templates/_timeline.html (from the prefetched events when
    `summons_detail` read them)."""
    events = summons.events.all() if "events" in getattr(summons, "_prefetched_objects_cache", {}) else \
        SummonsEvent.objects.filter(summons=summons).select_related("actor").order_by("at", "id")
    return timeline_items(events, UNITS.label, UNIT_STATUSES)


def summons_for_case(*, user, case: Case) -> list[Summons]:
    """A case's summonses the user may see, newest first, each with its units and `timeline` (for
    templates/whistle/_case_summons.html)."""
    found = list(summons_detail(user=user).filter(case=case))
    for summons in found:
        summons.timeline = timeline(summons)
    return found


def my_summonses(*, user) -> QuerySet[Summons]:
    """The page's list: summonses still waiting for one of the user's units first, soonest due first
    (`waiting_due`, the due time of the user's first waiting unit); then the others, newest first."""
    scope = scope_for(user)
    mine = Q(units__status__in=UnitStatus.waiting_values())
    if not scope.everything:
        mine &= _units_of_scope(scope, "units__")
    return (summons_list(user=user).annotate(waiting_due=Min("units__due_at", filter=mine))
            .order_by(F("waiting_due").asc(nulls_last=True), "-created_at", "-id"))


def reporting_seat(user, unit: SummonedUnit) -> str | None:
    """The label ("code name") of the user's membership that reports for `unit` — agency head or staff
    of a summoned agency, administrator of a summoned department — or None. A superuser reports for any."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return "superuser"
    for held in memberships(user):
        if unit.agency_id and (held.field, held.unit_id) == ("agency", unit.agency_id) and held.role in AGENCY_ROLES:
            return held.label
        if unit.department_id and (held.field, held.unit_id) == ("department", unit.department_id) \
                and held.role == Role.DEPARTMENT_ADMIN:
            return held.label
    return None


def reporting_units(*, summons: Summons, user) -> list[SummonedUnit]:
    """The summons' units the user reports for (from its prefetched units when read by `summons_list`)."""
    units = summons.units.all() if "units" in getattr(summons, "_prefetched_objects_cache", {}) else _units().filter(
        summons=summons)
    return [unit for unit in units if reporting_seat(user, unit) is not None]


def summonable_units(*, street: Street) -> tuple[list[Agency], list[Department]]:
    """Who a street may summon: the agencies serving it and the departments of its district."""
    return (list(Agency.objects.filter(streets=street).order_by("code")),
            list(Department.objects.filter(district_id=street.district_id).order_by("code")))


def check_in_figures(*, start: dt.datetime, end: dt.datetime) -> dict[tuple[str, int], dict[str, int]]:
    """(kind, unit id) → {"summoned", "on_time", "late", "missing"} over the summonses whistled in
    [start, end), kind "agency" or "department": for the assessment's indicators. One grouped query.
    A unit still waiting within its time counts as summoned only."""
    rows = (SummonedUnit.objects.filter(summons__created_at__gte=start, summons__created_at__lt=end)
            .values("agency_id", "department_id")
            .annotate(summoned=Count("id"),
                      on_time=Count("id", filter=Q(status=UnitStatus.ON_TIME)),
                      late=Count("id", filter=Q(status=UnitStatus.LATE)),
                      missing=Count("id", filter=Q(status=UnitStatus.MISSING)))
            .order_by())
    return {("agency", row["agency_id"]) if row["agency_id"] else ("department", row["department_id"]):
            {name: row[name] for name in ("summoned", "on_time", "late", "missing")} for row in rows}
