"""The tier moves both ways, and lateness is never erased: a case once overdue stays `ever_overdue`
whoever takes it next; the command center can send a district-tier case back down to its street."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatch import services
from dispatch.models import Case, Task
from dispatch.notices import WorkflowNoticeKind
from dispatch.sweep import sweep_deadlines
from notifications.models import Notification
from tests.dispatch.conftest import lead_task, shanghai, signed_in

pytestmark = pytest.mark.django_db

MONDAY = shanghai(2026, 11, 2, 9, 0)  # a 3-working-day task given now is due Thursday 09:00


@pytest.mark.sweep
def test_an_escalated_overdue_case_closed_by_the_district_stays_late(api, reported_case, workflow, district_command,
                                                                    department, department_admin, street_staff):
    case = workflow.dispatch(reported_case, now=MONDAY)
    due = lead_task(case).due_at
    sweep_deadlines(now=due + dt.timedelta(minutes=1))  # red card: overdue
    sweep_deadlines(now=shanghai(2026, 11, 6, 10, 0))  # a working day past due: up to the district
    case = Case.objects.get(pk=case.pk)
    assert (case.tier, case.overdue, case.ever_overdue) == ("district", True, True)

    later = shanghai(2026, 11, 6, 11, 0)
    services.case_dispatch(case=case, actor=district_command, lead=department.code, now=later)
    case = Case.objects.get(pk=case.pk)
    assert (case.overdue, case.ever_overdue) == (False, True)  # the new task is on time; the case was not
    task = lead_task(case)
    services.task_respond(task=task, actor=department_admin, result="已协调处置", now=later)
    services.case_verify(case=case, actor=street_staff, passed=True, now=later + dt.timedelta(hours=1))

    detail = api.as_user(district_command).get(f"/api/v1/cases/{case.number}/").json()
    assert (detail["status"], detail["ever_overdue"]) == ("closed", True)
    assert Task.objects.get(pk=task.pk).ever_overdue is False
    # The street-tier tasks (the police station's lead, the squad's help) were late and stay so.
    assert Task.objects.filter(case=case, ever_overdue=True).exclude(pk=task.pk).count() == 2


def test_an_answer_after_the_due_time_is_late_even_before_the_sweep_notices(reported_case, workflow, agency_head):
    case = workflow.dispatch(reported_case, now=MONDAY)
    task = lead_task(case)
    services.task_respond(task=task, actor=agency_head, result="已处理", now=task.due_at + dt.timedelta(hours=1))
    assert Task.objects.get(pk=task.pk).ever_overdue is True
    assert Case.objects.get(pk=case.pk).ever_overdue is True


@pytest.mark.sweep
def test_an_extension_approved_after_the_red_card_does_not_clear_the_lateness(reported_case, workflow, agency_head,
                                                                              street_staff):
    case = workflow.dispatch(reported_case, now=MONDAY)
    task = lead_task(case)
    sweep_deadlines(now=task.due_at + dt.timedelta(minutes=1))
    services.task_request_extension(task=task, actor=agency_head, until=task.due_at + dt.timedelta(days=3),
                                    reason="需协调", now=task.due_at + dt.timedelta(minutes=2))
    services.task_approve_extension(task=task, actor=street_staff, now=task.due_at + dt.timedelta(minutes=3))
    assert Task.objects.get(pk=task.pk).ever_overdue is True
    assert Case.objects.get(pk=case.pk).ever_overdue is True


def test_the_command_center_sends_a_case_down_to_its_street(api, filed_case, street_staff, district_command):
    services.case_escalate(case=filed_case, actor=street_staff, reason="需区级协调")

    response = api.as_user(district_command).post(f"/api/v1/cases/{filed_case.number}/send_down/",
                                                  {"note": "属街道职责，请街道派遣城管分队"}, format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["tier"], response.json()["status"]) == ("street", "filed")
    assert filed_case.events.last().action == "send_down"
    [note] = Notification.objects.filter(user=street_staff, kind=WorkflowNoticeKind.SENT_DOWN)
    assert "请街道派遣" in note.body
    # The street dispatches it now, to one of its agencies.
    assert "dispatch" in {chunk.split('"', 1)[0] for chunk in signed_in(street_staff).get(
        f"/cases/{filed_case.number}/").content.decode().split('data-action="')[1:]}


def test_only_the_command_center_sends_down_and_only_a_district_tier_case(api, filed_case, street_staff,
                                                                         district_command):
    url = f"/api/v1/cases/{filed_case.number}/send_down/"
    assert api.as_user(district_command).post(url, {"note": "x"}, format="json").status_code == 409  # street tier
    services.case_escalate(case=filed_case, actor=street_staff, reason="需区级协调")
    assert api.as_user(street_staff).post(url, {"note": "x"}, format="json").status_code == 403
    assert api.as_user(district_command).post(url, {}, format="json").status_code == 400  # the note is required
    assert Case.objects.get(pk=filed_case.pk).tier == "district"

