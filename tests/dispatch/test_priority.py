"""问题分级处置: urgent and critical cases get shorter limits (across the working calendar for urgent,
calendar hours for critical), tell the street and the command center at once, and a critical one
rings on the dashboard until someone acknowledges it. The sweep reads the shortened limits."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatch import services
from dispatch.models import CardKind, Case, DeadlineCard
from dispatch.notices import WorkflowNoticeKind
from dispatch.sweep import sweep_deadlines
from notifications.models import Notification
from tests.dispatch.conftest import lead_task, shanghai, signed_in

pytestmark = pytest.mark.django_db

FRIDAY_AFTERNOON = shanghai(2026, 11, 6, 16, 0)  # 1.5 working hours left in the day


def file_and_dispatch(case, workflow, priority, now):
    services.case_file(case=case, actor=workflow.street_staff, category=workflow.category, priority=priority, now=now)
    return services.case_dispatch(case=case, actor=workflow.street_staff, lead=workflow.agency.code, now=now)


def test_an_urgent_case_has_half_the_working_time_across_the_weekend(reported_case, workflow):
    # 3 working days → 1.5 working days (12 working hours of 8 a day): Friday 16:00 to 17:30 is 1.5 h,
    # then Monday's 8 hours, then 2.5 hours on Tuesday from 08:30: Tuesday 11:00.
    case = file_and_dispatch(reported_case, workflow, "urgent", FRIDAY_AFTERNOON)
    assert lead_task(case).due_at == shanghai(2026, 11, 10, 11, 0)


def test_a_normal_case_keeps_the_categorys_limit(reported_case, workflow):
    case = file_and_dispatch(reported_case, workflow, "normal", FRIDAY_AFTERNOON)
    assert lead_task(case).due_at == shanghai(2026, 11, 11, 16, 0)


def test_a_critical_case_has_two_calendar_hours_day_or_night(reported_case, workflow):
    saturday_night = shanghai(2026, 11, 7, 23, 30)
    case = file_and_dispatch(reported_case, workflow, "critical", saturday_night)
    assert lead_task(case).due_at == shanghai(2026, 11, 8, 1, 30)


def test_the_limits_come_from_settings(settings, reported_case, workflow):
    settings.PRIORITY_CRITICAL_HOURS = 1
    case = file_and_dispatch(reported_case, workflow, "critical", FRIDAY_AFTERNOON)
    assert lead_task(case).due_at == FRIDAY_AFTERNOON + dt.timedelta(hours=1)


@pytest.mark.parametrize("priority", ["urgent", "critical"])
def test_filing_an_urgent_or_critical_case_tells_the_street_and_the_command_center_at_once(
        reported_case, workflow, street_staff, district_command, priority):
    services.case_file(case=reported_case, actor=street_staff, category=workflow.category, priority=priority)
    for person in (street_staff, district_command):
        [note] = Notification.objects.filter(user=person, kind=WorkflowNoticeKind.PRIORITY)
        assert note.case_number == reported_case.number


def test_a_normal_case_tells_nobody_at_filing(reported_case, workflow, district_command):
    services.case_file(case=reported_case, actor=workflow.street_staff, category=workflow.category)
    assert not Notification.objects.filter(kind=WorkflowNoticeKind.PRIORITY).exists()


@pytest.mark.sweep
def test_the_sweep_raises_cards_on_the_shortened_limit(reported_case, workflow):
    start = shanghai(2026, 11, 3, 9, 0)  # a Tuesday morning
    case = file_and_dispatch(reported_case, workflow, "critical", start)
    task = lead_task(case)
    assert task.due_at == shanghai(2026, 11, 3, 11, 0)
    sweep_deadlines(now=shanghai(2026, 11, 3, 10, 45))
    assert DeadlineCard.objects.filter(task=task, kind=CardKind.YELLOW).count() == 1
    sweep_deadlines(now=shanghai(2026, 11, 3, 11, 1))
    assert DeadlineCard.objects.filter(task=task, kind=CardKind.RED).count() == 1
    assert Case.objects.get(pk=case.pk).ever_overdue is True


def test_a_critical_case_rings_until_someone_acknowledges_it(api, reported_case, workflow, district_command,
                                                             street_staff):
    case = file_and_dispatch(reported_case, workflow, "critical", shanghai(2026, 11, 3, 9, 0))
    command = api.as_user(district_command)
    page = signed_in(district_command).get(f"/cases/{case.number}/").content.decode()
    assert 'data-action="acknowledge_alarm"' in page

    response = command.post(f"/api/v1/cases/{case.number}/acknowledge_alarm/")
    assert response.status_code == 200, response.json()
    detail = command.get(f"/api/v1/cases/{case.number}/").json()
    assert detail["alarm_acknowledged_at"] is not None and detail["priority"] == "critical"
    assert case.events.filter(action="acknowledge_alarm").count() == 1
    assert command.post(f"/api/v1/cases/{case.number}/acknowledge_alarm/").status_code == 409  # once
    page = signed_in(district_command).get(f"/cases/{case.number}/").content.decode()
    assert 'data-action="acknowledge_alarm"' not in page


def test_only_a_critical_case_has_an_alarm(api, reported_case, workflow, district_command):
    case = file_and_dispatch(reported_case, workflow, "urgent", shanghai(2026, 11, 3, 9, 0))
    assert api.as_user(district_command).post(f"/api/v1/cases/{case.number}/acknowledge_alarm/").status_code == 409
