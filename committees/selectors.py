"""Reads of meetings and joint teams, always through the permission gate.

A street's staff see its meetings and team; an agency sees the meetings it is invited to and the
teams of the streets it serves; the district sees its streets'.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from committees.models import Decision, Invitation, JointOperation, JointTeam, JointTeamMember, Meeting
from dispatch.models import Case
from haidian.permissions import Scope, restrict, scope_rule


@scope_rule(Meeting)
def _meeting_rule(scope: Scope) -> Q:
    invited = Invitation.objects.filter(agency_id__in=scope.agency_ids).values("meeting_id")
    return (Q(street_id__in=scope.street_ids) | Q(street__district_id__in=scope.district_ids)
            | Q(pk__in=invited))


@scope_rule(JointTeam)
def _team_rule(scope: Scope) -> Q:
    return (Q(street_id__in=scope.area_street_ids) | Q(street__district_id__in=scope.district_ids))


def meeting_list(*, user) -> QuerySet[Meeting]:
    return restrict(Meeting.objects.select_related("street"), user)


def meeting_detail(*, user) -> QuerySet[Meeting]:
    return meeting_list(user=user).prefetch_related(
        Prefetch("invitations", queryset=Invitation.objects.select_related("agency")),
        Prefetch("decisions", queryset=Decision.objects.select_related("responsible_agency", "case")),
    )


def decision_list(*, user) -> QuerySet[Decision]:
    return Decision.objects.filter(meeting__in=meeting_list(user=user).values("pk")).select_related(
        "meeting", "meeting__street", "responsible_agency", "case")


def team_list(*, user) -> QuerySet[JointTeam]:
    return restrict(JointTeam.objects.select_related("street"), user)


def team_detail(*, user) -> QuerySet[JointTeam]:
    return team_list(user=user).prefetch_related(
        Prefetch("members", queryset=JointTeamMember.objects.select_related("agency")),
        Prefetch("operations", queryset=JointOperation.objects.prefetch_related(
            Prefetch("participants", queryset=JointTeamMember.objects.select_related("agency")),
            Prefetch("cases", queryset=Case.objects.only("id", "number", "title", "status").order_by("number")),
        )),
    )

