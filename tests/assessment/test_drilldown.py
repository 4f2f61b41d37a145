"""The rows behind every objective count (assessment.drilldown) add up to the count of
assessment.indicators, for every count of every unit of 2026H1 (conftest.py) and of the week of issue
15 (tests/dashboard/loop_story.py: returns asked twice, a task escalated away while overdue, tasks
accepted on time); and they name the cases the indicator tests name, without a reporter's details.

Both stories live in the same half, so the exact figures here are the drill-down's own and each
names its cases; every total is compared with a `compute` of the moment, whatever else is in it.

Marked `sweep`: the sweep's red cards make C2 and K3 late, so `make test` runs these on SQLite too."""

from __future__ import annotations

import datetime as dt

import pytest

from assessment import drilldown, indicators
from committees import services as committees
from dispatch import services
from dispatch.models import Case, Task, TaskStatus
from tests.assessment.conftest import H1_END, H1_START
from tests.dashboard.loop_story import loop  # noqa: F401  the week, built once for the module
from tests.dispatch.conftest import REPORTER_PHONE, shanghai
from whistle import services as whistle

pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

H1 = (H1_START, H1_END)
MONDAY = shanghai(2026, 3, 2, 10)  # a 3-working-day task given now is due on Thursday 03-05 10:00



def mismatches(units: dict[str, set[int]]) -> list[tuple]:
    """(kind, unit, count, indicator, drill-down total, Σ row weights) wherever they differ, for the
    given units and every unit the indicators give a non-zero drillable count."""
    found = indicators.compute(*H1)
    wrong = []
    for kind in indicators.KINDS:
        counts = drilldown.SOURCES[kind]
        busy = {unit for unit, row in found[kind].items() if any(row[count] for count in counts)}
        for unit in sorted(units.get(kind, set()) | busy):
            for count in counts:
                expected = found[kind][unit][count]
                added = drilldown.total(kind, unit, count, *H1)
                weights = sum(row["weight"] for row in drilldown.rows(kind, unit, count, *H1))
                if not expected == added == weights:
                    wrong.append((kind, unit, count, expected, added, weights))
    return wrong


def half_units(half) -> dict[str, set[int]]:
    return {"agency": {half.agency.pk, half.cooperating_agency.pk},
            "department": {half.department.pk, half.cooperating_department.pk},
            "street": {half.street.pk, half.other_street.pk},
            "community": {half.community.pk, half.community_2.pk},
            "grid_worker": {half.grid_worker.pk, half.idle_grid_worker.pk}}


def cases(kind: str, unit: int, count: str, *, among=None) -> list[str | None]:
    """The case numbers of the rows, in their order; `among` keeps only those of one story."""
    found = [row["case"] for row in drilldown.rows(kind, unit, count, *H1)]
    return found if among is None else [number for number in found if number in among.numbers]


def numbers(story, *names: str) -> list[str]:
    return [story.cases[name].number for name in names]


class Story:
    """One story's case numbers, to read its rows apart from the other story's in the same half."""

    def __init__(self, story):
        self.numbers = {case.number for case in story.cases.values()}


# --- every count adds up -------------------------------------------------------------------------

def test_every_count_of_every_unit_of_the_half_adds_up_to_its_indicator(half):
    assert mismatches(half_units(half)) == []


def test_every_count_of_the_week_adds_up_to_its_indicator(loop, half):  # noqa: F811
    units = half_units(half)
    units["agency"] |= {loop.agency.pk, loop.cooperating_agency.pk}
    units["department"] |= {loop.department.pk}
    assert mismatches(units) == []


def test_every_count_is_drilled_down_or_refused_by_name():
    for kind in indicators.KINDS:
        missing = set(indicators.COUNTS[kind]) - set(drilldown.SOURCES[kind])
        assert not missing, f"{kind}: {sorted(missing)} cannot be checked"
    with pytest.raises(ValueError, match="pilot_index"):
        drilldown.rows("agency", 1, "pilot_index", *H1)
    assert set(drilldown.SOURCES["agency"].values()) == {"task", "letter", "meeting invitation", "summons",
                                                         "inquiry"}
    assert drilldown.SOURCES["grid_worker"] == {"reported": "case", "valid": "case", "checks": "check event",
                                                "checks_on_time": "check event", "patrols": "patrol"}


# --- the cases behind them -----------------------------------------------------------------------

def test_the_overdue_rows_are_the_late_tasks_and_not_one_due_after_the_half(half):
    a = half.agency.pk
    overdue = drilldown.rows("agency", a, "overdue", *H1)
    c2_task = Task.objects.get(case=half.cases["C2"], agency=half.agency)

    assert {"case": half.cases["C2"].number, "ref": c2_task.pk, "at": c2_task.created_at, "weight": 1} in overdue
    assert set(numbers(half, "C2", "C3")) <= set(cases("agency", a, "overdue"))
    assert half.cases["C8"].number in cases("agency", a, "due")  # due on 07-02: due, not yet late
    assert half.cases["C8"].number not in cases("agency", a, "overdue")
    assert set(numbers(half, "C1", "C4", "C5", "C6", "C12")) <= set(cases("agency", a, "handled_on_time"))
    assert half.cases["C2"].number not in cases("agency", a, "handled_on_time")
    assert half.cases["C4"].number in cases("agency", a, "extended")
    assert half.cases["C5"].number in cases("agency", a, "reworked")


def test_a_returned_then_redispatched_case_counts_as_the_indicator_says(half):
    c6 = half.cases["C6"].number
    a, b = half.agency.pk, half.cooperating_agency.pk

    # A: the co-operating task cancelled with B's returned lead, and the new lead task: both received,
    # only the new lead is due and closed
    assert cases("agency", a, "received").count(c6) == 2
    assert cases("agency", a, "due").count(c6) == 1
    assert cases("agency", a, "closed").count(c6) == 1
    # B: received and asked back once, approved; not due
    returned = Task.objects.get(case=half.cases["C6"], agency=half.cooperating_agency)
    assert c6 in cases("agency", b, "received") and c6 not in cases("agency", b, "due")
    assert [(row["case"], row["ref"], row["weight"]) for row in drilldown.rows("agency", b, "return_requests", *H1)
            if row["case"] == c6] == [(c6, returned.pk, 1)]
    assert c6 in cases("agency", b, "returns_approved") and c6 not in cases("agency", b, "returns_refused")


def test_returns_asked_twice_weigh_twice_and_a_task_escalated_while_overdue_stays_due(loop, half):  # noqa: F811
    k1, k3, k4 = (loop.cases[name].number for name in ("K1", "K3", "K4"))
    a, b = loop.agency.pk, loop.cooperating_agency.pk

    requests = [row for row in drilldown.rows("agency", b, "return_requests", *H1) if row["case"] == k4]
    refused = [row for row in drilldown.rows("agency", b, "returns_refused", *H1) if row["case"] == k4]
    assert [row["weight"] for row in requests] == [2]  # one task, asked back twice
    assert [row["weight"] for row in refused] == [1]   # the first request, refused
    assert k4 in cases("agency", b, "returns_approved")
    # t4: cancelled when K3 went up to the district, but late first
    assert k3 in cases("agency", a, "due") and k3 in cases("agency", a, "overdue")
    assert k3 not in cases("agency", a, "handled")
    assert {k1, k4} <= set(cases("agency", a, "accepted_on_time"))
    # the department: A's late t4 and its own on-time t7 on the same case
    assert cases("department", loop.department.pk, "due").count(k3) == 2
    assert cases("department", loop.department.pk, "handled_on_time").count(k3) == 1


def test_a_task_returned_before_return_review_existed_counts_one_request(loop, half):  # noqa: F811
    k4 = loop.cases["K4"].number
    b = loop.cooperating_agency.pk
    Task.objects.filter(case=loop.cases["K4"], agency=loop.cooperating_agency,
                        status=TaskStatus.RETURNED).update(return_requests=0)

    assert [row["weight"] for row in drilldown.rows("agency", b, "return_requests", *H1) if row["case"] == k4] == [1]
    assert k4 not in cases("agency", b, "returns_refused")
    assert mismatches({"agency": {b}}) == []


def test_a_task_escalated_after_its_due_time_without_a_red_card_stays_due(make_case, workflow, street_staff,
                                                                          agency):
    case = workflow.dispatch(make_case(now=MONDAY - dt.timedelta(hours=1)), cooperating=False, now=MONDAY)
    # Friday, a day after the due time, before any sweep: the task is cancelled and was never carded late
    services.case_escalate(case=case, actor=street_staff, reason="涉及多部门", now=shanghai(2026, 3, 6, 10))
    task = Task.objects.get(case=case)
    assert (task.status, task.ever_overdue) == (TaskStatus.CANCELLED, False)

    assert case.number in cases("agency", agency.pk, "due")
    assert case.number in cases("agency", agency.pk, "overdue")
    assert mismatches({"agency": {agency.pk}, "department": {agency.department_id}}) == []


def test_a_task_late_once_is_not_on_time_when_answered_again_before_its_new_due_time(
        make_case, workflow, street_staff, agency_head, agency):
    case = workflow.dispatch(make_case(now=MONDAY - dt.timedelta(hours=1)), cooperating=False, now=MONDAY)
    task = Task.objects.get(case=case)
    services.task_respond(task=task, actor=agency_head, result="已清理", now=shanghai(2026, 3, 6, 10))  # a day late
    services.case_verify(case=Case.objects.get(pk=case.pk), actor=street_staff, passed=False, note="仍有摊点",
                         now=shanghai(2026, 3, 6, 11))
    services.task_respond(task=Task.objects.get(pk=task.pk), actor=agency_head, result="已彻底清理",
                          now=shanghai(2026, 3, 9, 10))
    task.refresh_from_db()
    assert task.ever_overdue and task.responded_at <= task.due_at

    assert case.number in cases("agency", agency.pk, "handled")
    assert case.number not in cases("agency", agency.pk, "handled_on_time")
    assert mismatches({"agency": {agency.pk}}) == []


def test_a_department_drills_into_its_own_district_task(half):
    assert half.cases["C15"].number in cases("department", half.department.pk, "handled_on_time")
    assert half.cases["C15"].number not in cases("agency", half.agency.pk, "received")


def test_letters_name_their_cases(half):
    a = half.agency.pk
    letters = drilldown.rows("agency", a, "letters", *H1)
    c3 = half.cases["C3"].number

    assert [(row["case"], row["cases"]) for row in letters] == [(c3, [c3])] * 3  # L1 L2 L3; L4 was in 2025
    on_time = drilldown.rows("agency", a, "letters_on_time", *H1)
    assert len(on_time) == 1 and on_time[0]["at"] == shanghai(2026, 5, 20, 10)  # L1
    assert [row["cases"] for row in drilldown.rows("agency", half.cooperating_agency.pk, "letters", *H1)] == [
        numbers(half, "C6")]  # L5


def test_the_areas_drill_into_their_cases(half):
    street, community_2, story = half.street.pk, half.community_2.pk, Story(half)

    assert cases("street", street, "closed", among=story) == numbers(
        half, "C1", "C2", "C4", "C5", "C6", "C11", "C12", "C15")
    assert half.cases["C2"].number not in cases("street", street, "closed_on_time")
    assert cases("street", street, "public_reports", among=story) == numbers(half, "C12", "C13")
    assert cases("community", community_2, "volume") == numbers(half, "C14")
    # C1's call-back heard "dissatisfied": the reporter said "satisfied", and that is what counts
    rates = drilldown.rate_rows("street", street, "satisfaction_rate", *H1)
    rated = {side: [row["case"] for row in found if row["case"] in story.numbers] for side, found in rates.items()}
    assert sorted(rated["numerator"]) == sorted(numbers(half, "C1", "C5", "C6", "C11", "C12"))
    assert sorted(rated["denominator"]) == sorted(numbers(half, "C1", "C2", "C5", "C6", "C11", "C12"))
    assert [row["case"] for row in rates["numerator"]] == sorted(row["case"] for row in rates["numerator"])


def test_the_grid_worker_drills_into_reports_checks_and_patrols(half):
    gw = half.grid_worker.pk

    assert set(numbers(half, "C9", "C16")).isdisjoint(cases("grid_worker", gw, "valid"))
    assert half.cases["C10"].number in cases("grid_worker", gw, "valid")  # a duplicate is a valid report
    # C7 18 h after its 2025 answer, C1 5 h, C5's failed check 2 h, C15 23 h; not C2 (48 h) nor C5's pass (25 h)
    assert cases("grid_worker", gw, "checks") == numbers(half, "C7", "C1", "C2", "C5", "C5", "C15")
    assert cases("grid_worker", gw, "checks_on_time") == numbers(half, "C7", "C1", "C5", "C15")
    patrols = drilldown.rows("grid_worker", gw, "patrols", *H1)
    assert [(row["case"], row["at"]) for row in patrols] == [(None, shanghai(2026, 3, 2, 8)),
                                                             (None, shanghai(2026, 6, 30, 8))]
    assert drilldown.rows("grid_worker", half.idle_grid_worker.pk, "patrols", *H1) == []


def test_only_a_grid_worker_has_grid_worker_rows(half):
    staff = half.cases["C14"].reported_by_id  # the street's staff reported C14 and verified C4, C6 and C12
    assert Case.objects.filter(reported_by_id=staff).exists()

    for count in drilldown.SOURCES["grid_worker"]:
        assert drilldown.rows("grid_worker", staff, count, *H1) == []
        assert drilldown.total("grid_worker", staff, count, *H1) == 0


def test_rates_drill_into_their_numerator_and_denominator(half):
    a = half.agency.pk
    on_time = drilldown.rate_rows("agency", a, "on_time_rate", *H1)
    response = drilldown.rate_rows("agency", a, "response_rate", *H1)

    assert on_time["numerator"] == drilldown.rows("agency", a, "handled_on_time", *H1)
    assert on_time["denominator"] == drilldown.rows("agency", a, "due", *H1)
    assert response["denominator"] == drilldown.rows("agency", a, "accept_due", *H1)
    resolution = drilldown.rate_rows("community", half.community.pk, "resolution_rate", *H1, limit=2)
    assert resolution == {"numerator": drilldown.rows("community", half.community.pk, "resolved", *H1)[:2],
                          "denominator": drilldown.rows("community", half.community.pk, "accepted", *H1)[:2]}


def test_limit_keeps_the_first_rows_in_case_number_order(half):
    everything = drilldown.rows("street", half.street.pk, "volume", *H1)

    assert [row["case"] for row in everything] == sorted(row["case"] for row in everything)
    assert drilldown.rows("street", half.street.pk, "volume", *H1, limit=3) == everything[:3]
    assert drilldown.rows("street", half.street.pk, "volume", *H1, limit=0) == []
    assert drilldown.total("street", half.street.pk, "volume", *H1) == len(everything) == (
        indicators.compute(*H1)["street"][half.street.pk]["volume"])
    assert set(numbers(half, "C1", "C16")) <= {row["case"] for row in everything}
    assert not {half.cases["C7"].number, half.cases["C17"].number} & {row["case"] for row in everything}


def test_rows_carry_case_numbers_and_no_personal_data(half, loop):  # noqa: F811
    for kind, counts in drilldown.SOURCES.items():
        unit = {"agency": half.agency.pk, "department": half.department.pk, "street": half.street.pk,
                "community": half.community.pk, "grid_worker": half.grid_worker.pk}[kind]
        for count in counts:
            for row in drilldown.rows(kind, unit, count, *H1):
                assert set(row) <= {"case", "ref", "at", "weight", "cases"}
                assert REPORTER_PHONE not in repr(row)
                assert isinstance(row["at"], dt.datetime) and row["weight"] >= 1


# --- meetings and whistles -----------------------------------------------------------------------

def test_meeting_invitations_behind_the_attendance(street_staff, street, agency, cooperating_agency):
    held = []
    for day, attended in ((3, True), (10, False)):
        meeting = committees.meeting_plan(actor=street_staff, street=street, kind="joint_meeting",
                                          held_at=shanghai(2026, 3, day, 9, 0), title="联席会议",
                                          agencies=[agency], optional_agencies=[cooperating_agency])
        committees.meeting_hold(meeting=meeting, actor=street_staff)
        committees.attendance_record(meeting=meeting, actor=street_staff,
                                     attendance={agency.pk: (attended, "" if attended else "值班"),
                                                 cooperating_agency.pk: (False, "")})
        held.append(meeting)

    required = drilldown.rows("agency", agency.pk, "meetings_required", *H1)
    attended = drilldown.rows("agency", agency.pk, "meetings_attended", *H1)
    invitations = {meeting.invitations.get(agency=agency).pk for meeting in held}
    assert {row["ref"] for row in required} >= invitations and all(row["case"] is None for row in required)
    assert held[0].invitations.get(agency=agency).pk in {row["ref"] for row in attended}
    assert held[1].invitations.get(agency=agency).pk not in {row["ref"] for row in attended}
    assert drilldown.rows("agency", cooperating_agency.pk, "meetings_required", *H1) == []  # invited, not required
    assert mismatches({"agency": {agency.pk, cooperating_agency.pk}, "department": {agency.department_id}}) == []


def test_summoned_units_behind_the_check_ins(loop):  # noqa: F811
    k7 = loop.cases["K7"]  # still open: the street whistles for A, B and department GA on it
    summons = whistle.summons_create(
        case=k7, actor=loop.staff, units=[loop.agency.code, loop.cooperating_agency.code, loop.department.code],
        minutes=30, note="请到场", now=k7.created_at)
    for head, minutes in ((loop.head_a, 20), (loop.head_b, 45)):
        whistle.summons_check_in(summons=summons, actor=head, lat=k7.lat, lng=k7.lng, unit=None,
                                 now=k7.created_at + dt.timedelta(minutes=minutes))
    whistle.summons_sweep(now=k7.created_at + dt.timedelta(hours=1))  # GA never came

    summoned = {unit.agency_id or unit.department_id: unit.pk for unit in summons.units.all()}
    assert drilldown.rows("agency", loop.agency.pk, "check_ins_on_time", *H1) == [
        {"case": k7.number, "ref": summoned[loop.agency.pk], "at": k7.created_at, "weight": 1}]
    assert cases("agency", loop.cooperating_agency.pk, "check_ins_late") == [k7.number]
    department = {row["ref"] for row in drilldown.rows("department", loop.department.pk, "summoned", *H1)}
    assert department == {summoned[loop.agency.pk], summoned[loop.department.pk]}  # its agency's and its own
    assert [row["ref"] for row in drilldown.rows("department", loop.department.pk, "check_ins_missing", *H1)] == [
        summoned[loop.department.pk]]
    assert mismatches({"agency": {loop.agency.pk, loop.cooperating_agency.pk},
                       "department": {loop.department.pk}}) == []


# --- what it refuses -----------------------------------------------------------------------------

def test_unknown_kinds_counts_and_rates_are_refused_by_name():
    with pytest.raises(ValueError, match="district"):
        drilldown.rows("district", 1, "received", *H1)
    with pytest.raises(ValueError, match="handled_twice"):
        drilldown.total("agency", 1, "handled_twice", *H1)
    with pytest.raises(ValueError, match="volume"):
        drilldown.rows("agency", 1, "volume", *H1)  # a street's count, not an agency's
    with pytest.raises(ValueError, match="closure_rate"):
        drilldown.rate_rows("agency", 1, "closure_rate", *H1)
    with pytest.raises(ValueError, match="satisfaction_rate"):
        drilldown.rate_rows("agency", 1, "satisfaction_rate", *H1)  # agencies answer for the response only
    with pytest.raises(ValueError):
        drilldown.rows("agency", 1, "received", H1_END, H1_START)
    with pytest.raises(ValueError):
        drilldown.rows("agency", 1, "received", H1_START.replace(tzinfo=None), H1_END)
    with pytest.raises(ValueError):
        drilldown.rows("agency", 1, "received", *H1, limit=-1)


def test_a_drill_down_is_one_query_and_a_letters_two(half, django_assert_num_queries):
    with django_assert_num_queries(1):
        drilldown.total("department", half.department.pk, "returns_refused", *H1)
    with django_assert_num_queries(1):
        drilldown.rows("grid_worker", half.grid_worker.pk, "checks_on_time", *H1)
    with django_assert_num_queries(2):  # the letters, then every case each names
        drilldown.rows("agency", half.agency.pk, "letters", *H1)
