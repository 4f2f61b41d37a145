"""Scoped reads of work access requests, assignments and the delegated catalogue."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from haidian.permissions import Role, Scope, restrict, scope_for, scope_rule
from workaccess.models import AccessRequest, AccessStatus, DelegatedAction, DelegatedMatter, StreetAssignment


@scope_rule(AccessRequest)
def _request_rule(scope: Scope) -> Q:
    """The asking department sees its drafts; the district sees what was put to it."""
    return Q(department_id__in=scope.department_ids) | (
        Q(department__district_id__in=scope.district_ids) & ~Q(status=AccessStatus.DRAFT))


@scope_rule(StreetAssignment)
def _assignment_rule(scope: Scope) -> Q:
    """A street sees its own assignments only, never another street's."""
    return (Q(street_id__in=scope.street_ids) | Q(request__department_id__in=scope.department_ids)
            | Q(street__district_id__in=scope.district_ids))


@scope_rule(DelegatedMatter)
def _matter_rule(scope: Scope) -> Q:
    """The catalogue is public inside its district."""
    districts = scope.member_district_ids | scope.district_ids | scope.department_district_ids
    return Q(department__district_id__in=districts) | Q(department_id__in=scope.department_ids)


@scope_rule(DelegatedAction)
def _action_rule(scope: Scope) -> Q:
    return (Q(street_id__in=scope.street_ids) | Q(street__district_id__in=scope.district_ids)
            | Q(matter__department_id__in=scope.department_ids))


def request_list(*, user) -> QuerySet[AccessRequest]:
    return restrict(AccessRequest.objects.select_related("department", "decided_by", "created_by"), user)


def assignment_list(*, user) -> QuerySet[StreetAssignment]:
    return restrict(StreetAssignment.objects.select_related("request__department", "street"), user)


def matter_list(*, user) -> QuerySet[DelegatedMatter]:
    return restrict(DelegatedMatter.objects.select_related("department"), user)


def action_list(*, user) -> QuerySet[DelegatedAction]:
    return restrict(DelegatedAction.objects.select_related("matter", "street", "recorded_by", "case"), user)



def command_district_ids(*, user) -> set[int]:
    scope = scope_for(user)
    if not scope.has_role(Role.DISTRICT_COMMAND):
        return set()
    return set(scope.district_ids)
