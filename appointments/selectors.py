"""Scoped reads of appointments, budgets and party-committee seats (the one permission gate)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agencies.models import Agency
from appointments.models import AgencyBudget, Appointment, PartyCommitteeSeat
from haidian.permissions import Scope, restrict, scope_rule


@scope_rule(Appointment)
def _appointment_rule(scope: Scope) -> Q:
    # The street it serves, the department that posts the agency, the agency itself, the district.
    return (Q(street_id__in=scope.street_ids) | Q(agency__department_id__in=scope.department_ids)
            | Q(agency_id__in=scope.agency_ids) | Q(street__district_id__in=scope.district_ids))


@scope_rule(PartyCommitteeSeat)
def _seat_rule(scope: Scope) -> Q:
    return Q(street_id__in=scope.area_street_ids) | Q(street__district_id__in=scope.area_district_ids)


@scope_rule(AgencyBudget)
def _budget_rule(scope: Scope) -> Q:
    serving = Agency.streets.through.objects.filter(street_id__in=scope.street_ids).values("agency_id")
    return (Q(agency__department_id__in=scope.department_ids) | Q(agency_id__in=scope.agency_ids)
            | Q(agency_id__in=serving) | Q(agency__department__district_id__in=scope.district_ids))


def appointment_list(*, user) -> QuerySet[Appointment]:
    return restrict(Appointment.objects.select_related("agency__department", "street", "proposed_by"), user)


def seat_list(*, user) -> QuerySet[PartyCommitteeSeat]:
    return restrict(PartyCommitteeSeat.objects.select_related("street", "agency"), user)
