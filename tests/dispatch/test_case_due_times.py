"""Due times come from the working calendar (DESIGN §5): the official holidays and makeup workdays
of 2026, and working days of 08:30–12:00 and 13:00–17:30. Time is injected with `now=`.

The 2026 National Day holiday runs Thursday 1 to Wednesday 7 October; Saturday 10 October is a
makeup workday. Three working days from Wednesday 30 September 10:00 are: 6.5 hours left on the
30th, 8 on Thursday 8, 8 on Friday 9 and the last 1.5 on Saturday 10, ending at 10:00.
"""

import datetime as dt

import pytest

from dispatch import services
from dispatch.models import Category, Task
from haidian.calendar import add_working_time, is_working_day
from tests.dispatch.conftest import lead_task, shanghai

pytestmark = pytest.mark.django_db  # the working calendar is read from its tables

SEPT_30_10AM = shanghai(2026, 9, 30, 10, 0)


def test_the_2026_national_day_arrangement_is_loaded():
    days = [dt.date(2026, 10, day) for day in range(1, 12)]
    assert [is_working_day(day) for day in days] == [
        False, False, False, False, False, False, False,  # 1–7 October: National Day holiday
        True, True,  # Thursday 8, Friday 9
        True,  # Saturday 10: makeup workday
        False,  # Sunday 11
    ]


def test_three_working_days_from_the_eve_of_national_day_end_on_the_makeup_saturday(make_case, workflow):
    case = workflow.dispatch(make_case(now=SEPT_30_10AM), now=SEPT_30_10AM)

    due_at = lead_task(case).due_at
    assert due_at == add_working_time(SEPT_30_10AM, 3, "working_days")
    assert due_at == shanghai(2026, 10, 10, 10, 0)
    assert set(Task.objects.filter(case=case).values_list("due_at", flat=True)) == {due_at}


def test_failed_verification_gives_the_lead_task_a_fresh_time_limit(make_case, workflow, street_staff):
    case = workflow.respond(make_case(now=SEPT_30_10AM), now=SEPT_30_10AM)
    verified_at = shanghai(2026, 10, 9, 16, 0)

    services.case_verify(case=case, actor=street_staff, passed=False, now=verified_at)

    # 1.5 h on Friday 9, 8 h on the makeup Saturday, Sunday off, 8 h on Monday 12, 6.5 h on Tuesday 13.
    assert lead_task(case).due_at == add_working_time(verified_at, 3, "working_days") == shanghai(2026, 10, 13, 16)


@pytest.mark.parametrize(
    "time_limit, unit, due_at",
    [
        (4, "working_hours", shanghai(2026, 10, 8, 11, 0)),  # 1.5 h on 30 September, 2.5 h after the holiday
        (24, "calendar_hours", shanghai(2026, 10, 1, 16, 0)),  # the clock does not stop for holidays
        (2, "working_days", shanghai(2026, 10, 9, 16, 0)),  # 1.5 h + 8 h on the 8th + 6.5 h on the 9th
    ],
    ids=["working hours", "calendar hours", "working days"],
)
def test_each_time_limit_unit_counts_its_own_way(make_case, workflow, category, time_limit, unit, due_at):
    Category.objects.filter(pk=category.pk).update(time_limit=time_limit, time_limit_unit=unit)
    category.refresh_from_db()
    start = shanghai(2026, 9, 30, 16, 0)

    case = workflow.dispatch(make_case(now=start), now=start)

    assert lead_task(case).due_at == add_working_time(start, time_limit, unit) == due_at


def test_a_due_time_given_at_dispatch_wins_over_the_categorys(filed_case, street_staff, agency):
    chosen = shanghai(2026, 12, 1, 17, 30)
    services.case_dispatch(case=filed_case, actor=street_staff, lead=agency.code, due_at=chosen,
                           now=SEPT_30_10AM)
    assert lead_task(filed_case).due_at == chosen


def test_an_approved_extension_becomes_the_due_time(make_case, workflow, agency_head, street_staff):
    case = workflow.dispatch(make_case(now=SEPT_30_10AM), now=SEPT_30_10AM)
    task = lead_task(case)
    until = shanghai(2026, 10, 16, 17, 30)
    services.task_request_extension(task=task, actor=agency_head, until=until, reason="节后协调产权单位",
                                    now=shanghai(2026, 10, 8, 9))
    assert lead_task(case).due_at == shanghai(2026, 10, 10, 10, 0)

    services.task_approve_extension(task=task, actor=street_staff, now=shanghai(2026, 10, 8, 10))

    assert lead_task(case).due_at == until
