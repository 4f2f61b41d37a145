"""A meeting's timeline (the `MEETINGS` machine): each step writes one event naming who took it, for
which unit, from which status to which; a refused step writes none; the meeting's page shows the
events in order; nobody changes or deletes one afterwards."""

import datetime as dt

import pytest
from django.test import Client
from django.utils.translation import override

from committees import services
from committees.models import Decision, Meeting, MeetingEvent, MeetingKind
from haidian.errors import ActionConflict, ActionForbidden
from tests.dispatch.conftest import shanghai
from tests.timelines import (
    RAW_CHANGES,
    assert_the_database_refuses,
    assert_the_model_refuses_changes,
    timeline_on,
    unit_label,
)

pytestmark = pytest.mark.django_db

CALLED = shanghai(2026, 10, 5, 9, 0)
HOUR = dt.timedelta(hours=1)


def hold(meeting, actor, now, cast):
    return services.meeting_hold(meeting=meeting, actor=actor, now=now)


def attendance(meeting, actor, now, cast):
    return services.attendance_record(meeting=meeting, actor=actor, now=now, attendance={
        cast.agency.pk: (True, ""), cast.cooperating_agency.pk: (False, "执法任务冲突")})


def minutes(meeting, actor, now, cast):
    return services.minutes_record(meeting=meeting, actor=actor, now=now, minutes="会议研究了学院路占道经营问题。")


def decision(meeting, actor, now, cast):
    return services.decision_add(meeting=meeting, actor=actor, now=now, text="清理学院路占道经营",
                                 responsible_agency=cast.agency)


def decision_case(meeting, actor, now, cast):
    return services.decision_create_case(
        decision=Decision.objects.filter(meeting=meeting).latest("id"), actor=actor, now=now, title="占道经营整治",
        lat=cast.grid.centroid_lat, lng=cast.grid.centroid_lng, category=cast.category)


# A meeting's steps after it is called, each taken by `actor` at `now`.
STEPS = {"hold": hold, "attendance": attendance, "minutes": minutes, "decision": decision,
         "decision_case": decision_case}
THE_WHOLE_MEETING = ("hold", "attendance", "minutes", "decision", "decision_case")


class Cast:
    def __init__(self, **people_and_places):
        self.__dict__.update(people_and_places)


def moves(meeting) -> list[tuple]:
    return list(MeetingEvent.objects.filter(meeting=meeting).order_by("at", "id")
                .values_list("action", "actor", "actor_unit", "from_status", "to_status"))


@pytest.fixture
def cast(agency, cooperating_agency, grid, category):
    return Cast(agency=agency, cooperating_agency=cooperating_agency, grid=grid, category=category)


@pytest.fixture
def meeting(street_staff, street, agency, cooperating_agency) -> Meeting:
    return services.meeting_plan(actor=street_staff, street=street, kind=MeetingKind.AREA_COMMITTEE,
                                 held_at=shanghai(2026, 10, 12, 9), title="第三季度地区管理委员会",
                                 agencies=[agency], optional_agencies=[cooperating_agency], now=CALLED)


@pytest.fixture
def take(meeting, street_staff, cast):
    """Take the named steps on the meeting in order, an hour apart, as the street's staff."""

    def take_steps(*steps: str) -> Meeting:
        for hours, step in enumerate(steps, start=1):
            STEPS[step](meeting, street_staff, CALLED + hours * HOUR, cast)
        return Meeting.objects.get(pk=meeting.pk)

    return take_steps


def test_each_step_of_a_meeting_writes_one_event_naming_the_street_and_the_move(take, street_staff, street):
    meeting = take(*THE_WHOLE_MEETING)
    staff = (street_staff.pk, unit_label(street))

    assert moves(meeting) == [
        ("plan", *staff, "", "planned"),
        ("hold", *staff, "planned", "held"),
        ("attendance", *staff, "held", "held"),
        ("minutes", *staff, "held", "held"),
        ("decision", *staff, "held", "held"),
        ("decision_case", *staff, "held", "held"),
    ]
    events = list(meeting.events.order_by("at", "id"))
    assert [event.at for event in events] == [CALLED + hours * HOUR for hours in range(6)]
    assert events[2].data == {"attended": [street.code + "-pcs"], "absent": [street.code + "-cgfd"]}
    assert (events[3].note, events[4].note) == ("会议研究了学院路占道经营问题。", "清理学院路占道经营")
    assert events[5].data["case"] == Decision.objects.get(meeting=meeting).case.number


@pytest.mark.parametrize(("before", "step"), [
    ((), "attendance"),  # nothing to record before the meeting took place
    ((), "minutes"),
    ((), "decision"),
    (("hold",), "hold"),  # held once
    (("hold", "decision", "decision_case"), "decision_case"),  # the decision has its case already
])
def test_a_step_the_meetings_status_forbids_is_a_conflict_and_writes_no_event(take, street_staff, cast, before,
                                                                              step):
    meeting = take(*before)
    count = meeting.events.count()

    with pytest.raises(ActionConflict):
        STEPS[step](meeting, street_staff, CALLED + 10 * HOUR, cast)

    assert meeting.events.count() == count
    assert Meeting.objects.get(pk=meeting.pk).status == meeting.status


@pytest.mark.parametrize(("before", "step"), [
    ((), "hold"),
    (("hold",), "attendance"),
    (("hold",), "minutes"),
    (("hold",), "decision"),
    (("hold", "decision"), "decision_case"),
])
def test_a_step_by_someone_outside_the_streets_staff_is_forbidden_and_writes_no_event(
        take, other_street_staff, agency_head, cast, before, step):
    meeting = take(*before)
    count = meeting.events.count()

    for someone in (other_street_staff, agency_head):
        with pytest.raises(ActionForbidden):
            STEPS[step](meeting, someone, CALLED + 10 * HOUR, cast)

    assert meeting.events.count() == count
    assert Meeting.objects.get(pk=meeting.pk).status == meeting.status


def test_a_meeting_called_by_someone_else_writes_no_event(other_street_staff, street, agency):
    with pytest.raises(ActionForbidden):
        services.meeting_plan(actor=other_street_staff, street=street, kind=MeetingKind.JOINT_MEETING,
                              held_at=shanghai(2026, 10, 12, 9), title="联席会议", agencies=[agency], now=CALLED)

    assert not MeetingEvent.objects.exists()


def test_the_meeting_page_shows_every_event_on_its_timeline_in_order(take, street_staff, street):
    meeting = take(*THE_WHOLE_MEETING)
    client = Client()
    client.force_login(street_staff)

    response = client.get(f"/committees/meetings/{meeting.pk}/")

    assert response.status_code == 200
    with override(response.wsgi_request.LANGUAGE_CODE):
        labels = [services.MEETINGS.label(step) for step in ("plan", *THE_WHOLE_MEETING)]
    staff = f"{street_staff.username} {unit_label(street)}"
    assert timeline_on(response) == [(label, staff) for label in labels]


@pytest.mark.parametrize("statement", RAW_CHANGES)
def test_the_database_refuses_to_change_or_delete_a_meeting_event(meeting, statement):
    assert_the_database_refuses(meeting.events.get(), statement)


def test_a_meeting_event_cannot_be_saved_again_or_deleted(meeting):
    assert_the_model_refuses_changes(meeting.events.get())
