import pytest

from committees import services
from committees.models import Invitation, Meeting, MeetingKind, MeetingStatus
from dispatch.models import CaseEvent, CaseStatus, Source, Task, TaskRole
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from tests.dispatch.conftest import shanghai


def test_planning_invites_the_agencies_as_required_or_optional(planned_meeting, agency, cooperating_agency):
    invitations = {i.agency_id: i for i in planned_meeting.invitations.all()}
    assert planned_meeting.status == MeetingStatus.PLANNED
    assert invitations[agency.pk].required is True
    assert invitations[cooperating_agency.pk].required is False
    assert all(i.attended is None for i in invitations.values())


def test_only_agencies_serving_the_street_can_be_invited(street_staff, street, agency, other_agency):
    with pytest.raises(InvalidInput) as error:
        services.meeting_plan(actor=street_staff, street=street, kind=MeetingKind.JOINT_MEETING,
                              held_at=shanghai(2026, 10, 12, 9), title="联席会议", agencies=[agency, other_agency])
    assert "agencies" in error.value.errors
    assert not Meeting.objects.exists()


def test_only_the_streets_staff_plan_its_meetings(other_street_staff, agency_head, street, agency):
    for actor in (other_street_staff, agency_head):
        with pytest.raises(ActionForbidden):
            services.meeting_plan(actor=actor, street=street, kind=MeetingKind.JOINT_MEETING,
                                  held_at=shanghai(2026, 10, 12, 9), title="联席会议", agencies=[agency])


def test_attendance_and_minutes_are_recorded_only_once_the_meeting_is_held(planned_meeting, street_staff, agency):
    with pytest.raises(ActionConflict):
        services.attendance_record(meeting=planned_meeting, actor=street_staff, attendance={agency.pk: (True, "")})
    with pytest.raises(ActionConflict):
        services.minutes_record(meeting=planned_meeting, actor=street_staff, minutes="纪要")
    services.meeting_hold(meeting=planned_meeting, actor=street_staff)
    services.attendance_record(meeting=planned_meeting, actor=street_staff, attendance={agency.pk: (True, "")})
    services.minutes_record(meeting=planned_meeting, actor=street_staff, minutes="纪要")
    assert Invitation.objects.get(meeting=planned_meeting, agency=agency).attended is True
    assert Meeting.objects.get(pk=planned_meeting.pk).minutes == "纪要"


def test_a_meeting_is_held_only_once(held_meeting, street_staff):
    with pytest.raises(ActionConflict):
        services.meeting_hold(meeting=held_meeting, actor=street_staff)


def test_attendance_only_for_invited_agencies(held_meeting, street_staff, other_agency):
    with pytest.raises(InvalidInput):
        services.attendance_record(meeting=held_meeting, actor=street_staff, attendance={other_agency.pk: (True, "")})


def test_a_decision_creates_a_dispatched_case_led_by_the_responsible_agency(decision, street_staff, grid, category,
                                                                            agency):
    case = services.decision_create_case(decision=decision, actor=street_staff, title="占道经营整治",
                                         lat=grid.centroid_lat, lng=grid.centroid_lng, category=category)
    decision.refresh_from_db()
    assert decision.case == case
    assert case.status == CaseStatus.DISPATCHED
    assert case.source == Source.STAFF
    assert case.reported_by == street_staff
    lead = Task.objects.get(case=case, role=TaskRole.LEAD)
    assert lead.agency == agency
    assert list(CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("action", flat=True)) == [
        "create", "file", "dispatch"]


def test_a_decision_creates_one_case_only(decision, street_staff, grid, category):
    services.decision_create_case(decision=decision, actor=street_staff, title="整治", lat=grid.centroid_lat,
                                  lng=grid.centroid_lng, category=category)
    with pytest.raises(ActionConflict):
        services.decision_create_case(decision=decision, actor=street_staff, title="整治", lat=grid.centroid_lat,
                                      lng=grid.centroid_lng, category=category)


def test_a_case_outside_the_meetings_street_is_refused_and_nothing_is_kept(decision, street_staff, other_grid,
                                                                           category):
    from dispatch.models import Case

    with pytest.raises(InvalidInput):
        services.decision_create_case(decision=decision, actor=street_staff, title="整治",
                                      lat=other_grid.centroid_lat, lng=other_grid.centroid_lng, category=category)
    assert not Case.objects.filter(title="整治").exists()


def test_only_the_streets_staff_turn_a_decision_into_a_case(decision, agency_head, grid, category):
    with pytest.raises(ActionForbidden):
        services.decision_create_case(decision=decision, actor=agency_head, title="整治", lat=grid.centroid_lat,
                                      lng=grid.centroid_lng, category=category)


def test_decisions_need_a_held_meeting_and_a_serving_agency(planned_meeting, street_staff, agency, other_agency):
    with pytest.raises(ActionConflict):
        services.decision_add(meeting=planned_meeting, actor=street_staff, text="x", responsible_agency=agency)
    services.meeting_hold(meeting=planned_meeting, actor=street_staff)
    with pytest.raises(InvalidInput):
        services.decision_add(meeting=planned_meeting, actor=street_staff, text="x", responsible_agency=other_agency)


def test_attendance_rate_counts_required_invitations_of_held_meetings(street, other_street, agency,
                                                                      cooperating_agency, other_agency,
                                                                      django_assert_num_queries):
    def meeting(day, status, where=street):
        return Meeting.objects.create(street=where, kind=MeetingKind.JOINT_MEETING, title=f"会议{day}",
                                      held_at=shanghai(2026, 10, day, 9), status=status)

    held_1, held_2, planned = meeting(5, MeetingStatus.HELD), meeting(6, MeetingStatus.HELD), meeting(7, "planned")
    too_late = Meeting.objects.create(street=street, kind=MeetingKind.JOINT_MEETING, title="十一月",
                                      held_at=shanghai(2026, 11, 2, 9), status=MeetingStatus.HELD)
    elsewhere = meeting(8, MeetingStatus.HELD, other_street)
    Invitation.objects.bulk_create([
        Invitation(meeting=held_1, agency=agency, required=True, attended=True),
        Invitation(meeting=held_2, agency=agency, required=True, attended=False, absence_reason="值班"),
        Invitation(meeting=planned, agency=agency, required=True),
        Invitation(meeting=too_late, agency=agency, required=True, attended=True),
        Invitation(meeting=held_1, agency=cooperating_agency, required=False, attended=True),
        Invitation(meeting=held_2, agency=cooperating_agency, required=True, attended=True),
        Invitation(meeting=elsewhere, agency=other_agency, required=True, attended=None),
    ])
    with django_assert_num_queries(1):
        rates = services.attendance_rate(shanghai(2026, 10, 1), shanghai(2026, 11, 1))
    assert rates == {agency.pk: (1, 2), cooperating_agency.pk: (1, 1), other_agency.pk: (0, 1)}
