"""签收 is timed: a task has an accept-by time (the category's, default 2 working hours); accepting
after it, or answering without accepting, counts as a late response (响应率)."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatch import services
from dispatch.models import Task
from tests.dispatch.conftest import lead_task, shanghai

pytestmark = pytest.mark.django_db

MONDAY = shanghai(2026, 11, 2, 11, 0)  # 1 working hour before lunch, then 13:00–17:30


def test_a_task_must_be_accepted_within_two_working_hours_across_lunch(reported_case, workflow):
    case = workflow.dispatch(reported_case, now=MONDAY)
    assert lead_task(case).accept_due_at == shanghai(2026, 11, 2, 14, 0)


def test_the_categorys_own_time_to_accept(reported_case, workflow):
    workflow.category.accept_limit_hours = 4
    workflow.category.save()
    case = workflow.dispatch(reported_case, now=MONDAY)
    assert lead_task(case).accept_due_at == shanghai(2026, 11, 2, 16, 0)


def test_accepting_in_time_and_late(reported_case, workflow, agency_head, cooperating_head):
    case = workflow.dispatch(reported_case, now=MONDAY)
    lead = services.task_accept(task=lead_task(case), actor=agency_head, now=shanghai(2026, 11, 2, 13, 59))
    helper = Task.objects.get(case=case, role="cooperating")
    helper = services.task_accept(task=helper, actor=cooperating_head, now=shanghai(2026, 11, 2, 14, 1))
    assert (lead.accepted_late, helper.accepted_late) == (False, True)
    assert case.events.filter(action="accept", data__late=True).count() == 1


def test_answering_without_accepting_accepts_it_late(api, reported_case, workflow, agency_head):
    case = workflow.dispatch(reported_case, now=MONDAY)
    task = lead_task(case)
    at = MONDAY + dt.timedelta(minutes=30)  # even inside the accept-by time: it was never accepted
    services.task_respond(task=task, actor=agency_head, result="已处理", now=at)
    task = Task.objects.get(pk=task.pk)
    assert (task.accepted_at, task.accepted_late, task.status) == (at, True, "responded")
    detail = api.as_user(agency_head).get(f"/api/v1/tasks/{task.pk}/").json()
    assert detail["accepted_late"] is True and detail["accept_due_at"]


def test_a_critical_tasks_time_to_accept_never_passes_its_due_time(reported_case, workflow):
    workflow.category.accept_limit_hours = 8
    workflow.category.save()
    services.case_file(case=reported_case, actor=workflow.street_staff, category=workflow.category,
                       priority="critical", now=MONDAY)
    case = services.case_dispatch(case=reported_case, actor=workflow.street_staff, lead=workflow.agency.code,
                                  now=MONDAY)
    task = lead_task(case)
    assert task.accept_due_at == task.due_at == MONDAY + dt.timedelta(hours=2)
