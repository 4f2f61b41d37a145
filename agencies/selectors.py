"""Scoped reads of the organisation, through the one permission gate."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agencies.models import Agency, Department, District, Street
from haidian.permissions import Scope, restrict, scope_expander, scope_rule


@scope_expander
def _expand_agency_and_department_reach(ids: dict[str, set[int]]) -> dict[str, set[int]]:
    """An agency sees the streets it covers; a department works district-wide."""
    if ids["agency_ids"]:
        covered = Street.objects.filter(agencies__in=ids["agency_ids"]).values_list("id", flat=True)
        ids["agency_street_ids"] = set(covered)
    if ids["department_ids"]:
        districts = Department.objects.filter(id__in=ids["department_ids"]).values_list("district_id", flat=True)
        ids["department_district_ids"] = set(districts)
    return ids


@scope_rule(District)
def _district_rule(scope: Scope) -> Q:
    return Q(id__in=scope.member_district_ids)


@scope_rule(Street)
def _street_rule(scope: Scope) -> Q:
    return (
        Q(district_id__in=scope.area_district_ids)
        | Q(id__in=scope.area_street_ids)
        | Q(id__in=scope.touched_street_ids)
    )


@scope_rule(Department)
def _department_rule(scope: Scope) -> Q:
    # Departments are district bodies every unit of the district works with.
    return Q(district_id__in=scope.member_district_ids) | Q(id__in=scope.department_ids)


@scope_rule(Agency)
def _agency_rule(scope: Scope) -> Q:
    streets = scope.area_street_ids | scope.touched_street_ids
    return (
        Q(department__district_id__in=scope.area_district_ids)
        | Q(id__in=scope.agency_ids)
        | Q(id__in=Agency.streets.through.objects.filter(street_id__in=streets).values("agency_id"))
    )


def street_list(*, user) -> QuerySet[Street]:
    return restrict(Street.objects.select_related("district"), user)


def department_list(*, user) -> QuerySet[Department]:
    return restrict(Department.objects.select_related("district"), user)


def agency_list(*, user) -> QuerySet[Agency]:
    return restrict(
        Agency.objects.select_related("department").prefetch_related("streets"), user
    )
