"""Meetings and the joint team of the home street, made through the services."""

from __future__ import annotations

import pytest

from agencies.models import Agency
from committees import services
from committees.models import MeetingKind
from tests.dispatch.conftest import (  # noqa: F401
    category,
    cooperating_agency,
    cooperating_head,
    make_case,
    nobody,
    other_agency,
    other_agency_head,
    other_grid,
    shanghai,
    signed_in,
    work_area,
    workflow,
)


@pytest.fixture
def planned_meeting(street_staff, street, agency):
    """An area committee meeting: the police station must attend, the urban-management squad may."""
    squad = Agency.objects.get(code=f"{street.code}-cgfd")
    return services.meeting_plan(actor=street_staff, street=street, kind=MeetingKind.AREA_COMMITTEE,
                                 held_at=shanghai(2026, 10, 12, 9), title="第三季度地区管理委员会",
                                 agencies=[agency], optional_agencies=[squad])


@pytest.fixture
def held_meeting(planned_meeting, street_staff):
    return services.meeting_hold(meeting=planned_meeting, actor=street_staff)


@pytest.fixture
def decision(held_meeting, street_staff, agency):
    return services.decision_add(meeting=held_meeting, actor=street_staff, text="清理学院路占道经营",
                                 responsible_agency=agency)


@pytest.fixture
def team(street_staff, street):
    return services.team_create(actor=street_staff, street=street)


@pytest.fixture
def member(team, street_staff, agency):
    return services.member_add(team=team, actor=street_staff, agency=agency, person_name="张警官")
