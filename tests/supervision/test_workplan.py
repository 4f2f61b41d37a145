"""折子工程: the district command center decomposes the implementation opinions into tasks owned by a
department or a street, each with a deadline, and inspects them (专项督察); the owner unit reports progress
and marks a task done. A task not done by its deadline — still open after it, or done after it — is
overdue, listed first and marked."""

import datetime as dt

import pytest

from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from notifications.models import Notification
from supervision import services
from supervision.models import Inspection, ProgressReport, Verdict
from supervision.selectors import overdue_tasks, task_list
from tests.supervision.conftest import ASKED

TODAY = dt.date(2026, 7, 10)
CLAUSE = "对司法所、统计所实行属地管理。"


@pytest.fixture
def make_task(district_command, department, street):
    def make(code: str, *, owner=None, deadline=dt.date(2026, 6, 30), year=2026, **fields):
        return services.task_create(actor=district_command, year=year, code=code, title=f"任务{code}",
                                    owner=(owner or department).code, deadline=deadline, clause=CLAUSE, **fields)
    return make


@pytest.fixture
def task(make_task):
    """The public security bureau's task, due 30 June 2026."""
    return make_task("2026-01")


@pytest.fixture
def street_task(make_task, street):
    return make_task("2026-02", owner=street, deadline=dt.date(2026, 9, 30))


def test_the_command_center_creates_a_task_for_a_department_or_a_street(task, street_task, department, street,
                                                                        district, district_command):
    assert (task.owner, task.owner_kind, task.district, task.clause, task.created_by) == (
        department, "department", district, CLAUSE, district_command)
    assert (street_task.owner, street_task.owner_kind) == (street, "street")


def test_a_code_is_unique_in_its_year(task, make_task):
    with pytest.raises(ActionConflict):
        make_task("2026-01")
    assert make_task("2026-01", year=2027).year == 2027


def test_only_the_command_center_creates_tasks(department, street_staff, department_admin, agency_head):
    for person in (street_staff, department_admin, agency_head):
        with pytest.raises(ActionForbidden):
            services.task_create(actor=person, year=2026, code="x", title="t", owner=department.code,
                                 deadline=TODAY)


def test_an_unknown_owner_is_refused_with_its_field(district_command):
    with pytest.raises(InvalidInput) as refused:
        services.task_create(actor=district_command, year=2026, code="x", title="t", owner="110108-zz",
                             deadline=TODAY)
    assert list(refused.value.errors) == ["owner"]


def test_overdue_tasks_are_the_open_ones_past_their_deadline_and_those_done_after_it(make_task, department_admin,
                                                                                   street, street_staff):
    open_late = make_task("a", deadline=TODAY - dt.timedelta(days=1))
    done_late = make_task("b", deadline=dt.date(2026, 6, 1))
    done_in_time = make_task("c", deadline=dt.date(2026, 6, 1))
    open_in_time = make_task("d", owner=street, deadline=TODAY)
    services.task_mark_done(task=done_late, actor=department_admin, now=ASKED.replace(year=2026, month=6, day=2))
    services.task_mark_done(task=done_in_time, actor=department_admin,
                            now=ASKED.replace(year=2026, month=6, day=1, hour=23))

    assert list(overdue_tasks(TODAY)) == [done_late, open_late]
    listed = list(task_list(user=street_staff, today=TODAY))
    assert listed == [open_in_time]
    listed = list(task_list(user=department_admin, today=TODAY))
    assert listed[:2] == [done_late, open_late] and set(listed[2:]) == {done_in_time}
    assert [t.overdue_rank for t in listed] == [0, 0, 1]
    assert list(task_list(user=department_admin, overdue=True, today=TODAY)) == [done_late, open_late]
    assert open_late.is_overdue(TODAY) and not open_in_time.is_overdue(TODAY)


def test_progress_is_reported_by_the_owner_unit_only(task, street_task, department_admin, street_staff,
                                                     district_command, other_street_staff, agency_head):
    report = services.task_report_progress(task=task, actor=department_admin, text="已完成方案。", percent=40)
    assert (report.percent, report.reported_by) == (40, department_admin)
    services.task_report_progress(task=street_task, actor=street_staff, text="已部署。", percent=10)
    for person, target in [(district_command, task), (street_staff, task), (agency_head, task),
                           (department_admin, street_task), (other_street_staff, street_task)]:
        with pytest.raises(ActionForbidden):
            services.task_report_progress(task=target, actor=person, text="x", percent=50)
    assert ProgressReport.objects.count() == 2


def test_progress_needs_a_percentage_from_0_to_100(task, department_admin):
    for bad in (-1, 101, "half", True):
        with pytest.raises(InvalidInput):
            services.task_report_progress(task=task, actor=department_admin, text="x", percent=bad)


def test_a_task_is_marked_done_once_and_then_takes_no_more_progress(task, department_admin):
    services.task_mark_done(task=task, actor=department_admin)
    with pytest.raises(ActionConflict):
        services.task_mark_done(task=task, actor=department_admin)
    with pytest.raises(ActionConflict):
        services.task_report_progress(task=task, actor=department_admin, text="x", percent=100)


def test_only_the_owner_marks_a_task_done(task, district_command, street_staff):
    for person in (district_command, street_staff):
        with pytest.raises(ActionForbidden):
            services.task_mark_done(task=task, actor=person)


def test_inspections_are_the_command_centers_only_and_the_owner_is_told(task, district_command, department_admin,
                                                                        street_staff):
    inspection = services.task_inspect(task=task, actor=district_command, finding="进度滞后，方案未经审批。",
                                       verdict=Verdict.BEHIND, rectify_by=dt.date(2026, 7, 31),
                                       inspected_at=ASKED.replace(month=7, day=10))
    assert (inspection.verdict, inspection.inspector, inspection.rectify_by) == (
        Verdict.BEHIND, district_command, dt.date(2026, 7, 31))
    assert list(Notification.objects.filter(kind="workplan_inspected").values_list("user__username", flat=True)) == [
        "department-admin"]
    for person in (department_admin, street_staff):
        with pytest.raises(ActionForbidden):
            services.task_inspect(task=task, actor=person, finding="x", verdict=Verdict.ON_TRACK)
    assert Inspection.objects.count() == 1


def test_an_inspection_needs_a_known_verdict_and_a_date_to_rectify_after_it(task, district_command):
    with pytest.raises(InvalidInput) as refused:
        services.task_inspect(task=task, actor=district_command, finding="x", verdict="fine")
    assert list(refused.value.errors) == ["verdict"]
    with pytest.raises(InvalidInput) as refused:
        services.task_inspect(task=task, actor=district_command, finding="x", verdict=Verdict.FAILED,
                              rectify_by=dt.date(2026, 1, 1), inspected_at=ASKED)
    assert list(refused.value.errors) == ["rectify_by"]
