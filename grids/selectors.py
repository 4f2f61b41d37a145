"""Scoped reads of communities and grids, through the one permission gate."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agencies.models import Street
from grids.models import Community, GridCell
from haidian.permissions import Scope, restrict, scope_expander, scope_rule


@scope_expander
def _expand_to_streets_and_districts(ids: dict[str, set[int]]) -> dict[str, set[int]]:
    """Communities and grids touch their street; every unit lies in a district.

    Registered after the agencies expander (grids is installed after agencies), so the streets
    an agency covers and a department's district are already known.
    """
    touched: set[int] = set()
    if ids["community_ids"]:
        touched |= set(Community.objects.filter(id__in=ids["community_ids"]).values_list("street_id", flat=True))
    if ids["grid_ids"]:
        touched |= set(
            GridCell.objects.filter(id__in=ids["grid_ids"]).values_list("community__street_id", flat=True)
        )
    ids["touched_street_ids"] = touched
    streets = ids["street_ids"] | ids["agency_street_ids"] | touched
    districts = ids["district_ids"] | ids["department_district_ids"]
    if streets:
        districts |= set(Street.objects.filter(id__in=streets).values_list("district_id", flat=True))
    ids["member_district_ids"] = districts
    return ids


@scope_rule(Community)
def _community_rule(scope: Scope) -> Q:
    return (
        Q(street__district_id__in=scope.area_district_ids)
        | Q(street_id__in=scope.area_street_ids)
        | Q(id__in=scope.community_ids)
        | Q(id__in=GridCell.objects.filter(id__in=scope.grid_ids).values("community_id"))
    )


@scope_rule(GridCell)
def _grid_rule(scope: Scope) -> Q:
    return (
        Q(community__street__district_id__in=scope.area_district_ids)
        | Q(community__street_id__in=scope.area_street_ids)
        | Q(community_id__in=scope.community_ids)
        | Q(id__in=scope.grid_ids)
    )


def community_list(*, user) -> QuerySet[Community]:
    return restrict(Community.objects.select_related("street"), user)


def grid_list(*, user) -> QuerySet[GridCell]:
    return restrict(GridCell.objects.select_related("community__street"), user)
