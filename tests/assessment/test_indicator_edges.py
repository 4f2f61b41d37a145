"""Two ways an agency's record could look better than its work, closed: a lead task left overdue
until the case went up to the district still counts as due and overdue, and a reworked task is not
"handled" again until it is answered again. And the agencies' attendance of the streets' meetings."""

import datetime as dt

import pytest

from assessment.indicators import compute
from committees import services as committees
from dispatch import services, sweep
from tests.dispatch.conftest import lead_task, shanghai

pytestmark = pytest.mark.django_db
START, END = shanghai(2026, 1, 1), shanghai(2026, 7, 1)
MONDAY = shanghai(2026, 3, 2, 10, 0)  # the 3-working-day task is due Thursday 03-05 10:00


@pytest.mark.sweep
def test_a_task_escalated_away_while_overdue_still_counts_against_the_agency(make_case, workflow, agency):
    case = workflow.dispatch(make_case(now=MONDAY - dt.timedelta(hours=1)), cooperating=False, now=MONDAY)
    # due Thu 10:00; one working day of grace later the sweep sends it to the district
    sweep.sweep_deadlines(now=shanghai(2026, 3, 6, 10, 30))
    case.refresh_from_db()
    assert case.tier == "district" and lead_task_status(case) == "cancelled"

    found = compute(START, END)["agency"][agency.pk]

    assert (found["due"], found["handled"], found["overdue"]) == (1, 0, 1)


def test_a_task_cancelled_before_its_due_time_does_not_count(make_case, workflow, street_staff, agency):
    case = workflow.dispatch(make_case(now=MONDAY - dt.timedelta(hours=1)), cooperating=False, now=MONDAY)
    services.case_escalate(case=case, actor=street_staff, reason="涉及多部门", now=MONDAY + dt.timedelta(hours=2))

    assert compute(START, END)["agency"][agency.pk]["due"] == 0


def test_a_reworked_task_is_handled_only_once_answered_again(make_case, workflow, street_staff, agency_head, agency):
    case = workflow.respond(make_case(now=MONDAY - dt.timedelta(hours=1)), now=MONDAY)
    services.case_verify(case=case, actor=street_staff, passed=False, note="仍有摊点",
                         now=MONDAY + dt.timedelta(hours=3))

    assert lead_task(case).responded_at is None
    found = compute(START, END)["agency"][agency.pk]
    assert (found["due"], found["handled"]) == (1, 0)

    services.task_respond(task=lead_task(case), actor=agency_head, result="已彻底清理",
                          now=MONDAY + dt.timedelta(days=1))
    assert compute(START, END)["agency"][agency.pk]["handled"] == 1


def lead_task_status(case) -> str:
    return case.tasks.get(role="lead").status


def test_attendance_of_required_meetings_counts_in_the_agencys_indicators(street_staff, street, agency,
                                                                         cooperating_agency):
    for day, attended in ((3, True), (10, False)):
        meeting = committees.meeting_plan(actor=street_staff, street=street, kind="joint_meeting",
                                          held_at=shanghai(2026, 3, day, 9, 0), title="联席会议",
                                          agencies=[agency], optional_agencies=[cooperating_agency])
        committees.meeting_hold(meeting=meeting, actor=street_staff)
        committees.attendance_record(meeting=meeting, actor=street_staff,
                                     attendance={agency.pk: (attended, "" if attended else "值班"),
                                                 cooperating_agency.pk: (False, "")})

    found = compute(START, END)["agency"]

    assert (found[agency.pk]["meetings_attended"], found[agency.pk]["meetings_required"]) == (1, 2)
    assert found[agency.pk]["meeting_attendance_rate"] == 0.5
    assert found[cooperating_agency.pk]["meetings_required"] == 0  # invited, not required
