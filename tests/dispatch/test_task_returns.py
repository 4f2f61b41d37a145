"""退单审核: an agency's return is a request the dispatcher of the case's tier reviews. Refusing work
is never free: the clock keeps running, the request counts, and a case returned twice is flagged."""

from __future__ import annotations

import pytest

from dispatch import services
from dispatch.models import Case, CaseEvent, Task
from dispatch.notices import WorkflowNoticeKind
from haidian import reform
from notifications.models import Notification
from tests.dispatch.conftest import lead_task, signed_in

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, data or {}, format="json")


def test_a_return_is_a_request_the_street_is_told_of_and_nothing_moves_yet(api, dispatched_case, agency_head,
                                                                            street_staff):
    task = lead_task(dispatched_case)
    response = post(api.as_user(agency_head), f"/api/v1/tasks/{task.pk}/return/", {"reason": "不属于派出所职责"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["return_requests"]) == ("return_requested", 1)
    assert body["return_reason"] == "不属于派出所职责"
    case = Case.objects.get(pk=dispatched_case.pk)
    assert (case.status, case.return_count) == ("dispatched", 1)
    assert CaseEvent.objects.filter(case=case, action="return", note="不属于派出所职责").count() == 1
    [note] = Notification.objects.filter(user=street_staff, kind=WorkflowNoticeKind.RETURN_REQUESTED)
    assert note.case_number == case.number and "不属于派出所职责" in note.body


def test_an_approved_return_sends_the_case_back_to_be_filed_and_tells_the_agency(api, dispatched_case, agency_head,
                                                                                  street_staff):
    task = lead_task(dispatched_case)
    services.task_return(task=task, actor=agency_head, reason="应由城管处理")

    response = post(api.as_user(street_staff), f"/api/v1/tasks/{task.pk}/approve_return/", {"note": "改派城管"})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "returned"
    case = Case.objects.get(pk=dispatched_case.pk)
    assert case.status == "filed"
    assert dict(case.tasks.values_list("role", "status")) == {"lead": "returned", "cooperating": "cancelled"}
    assert CaseEvent.objects.filter(case=case, action="approve_return").count() == 1
    assert Notification.objects.filter(user=agency_head, kind=WorkflowNoticeKind.RETURN_DECIDED).count() == 1


def test_a_refused_return_puts_the_task_back_as_it_was_with_the_reason_on_record(api, dispatched_case, agency_head,
                                                                                  street_staff):
    task = services.task_accept(task=lead_task(dispatched_case), actor=agency_head)
    services.task_return(task=task, actor=agency_head, reason="人手不足")

    response = post(api.as_user(street_staff), f"/api/v1/tasks/{task.pk}/refuse_return/",
                    {"reason": "属地派出所职责，服从街道工作安排"})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"  # back to where it was
    case = Case.objects.get(pk=dispatched_case.pk)
    assert (case.status, case.return_count) == ("dispatched", 1)
    [event] = CaseEvent.objects.filter(case=case, action="refuse_return")
    assert event.note == "属地派出所职责，服从街道工作安排"
    [note] = Notification.objects.filter(user=agency_head, kind=WorkflowNoticeKind.RETURN_DECIDED)
    assert "服从街道工作安排" in note.body
    # The task stays the agency's: it can answer it now.
    assert post(api.as_user(agency_head), f"/api/v1/tasks/{task.pk}/respond/", {"result": "已处理"}).status_code == 200


def test_refusing_needs_a_reason(api, dispatched_case, agency_head, street_staff):
    task = services.task_return(task=lead_task(dispatched_case), actor=agency_head, reason="人手不足")
    response = post(api.as_user(street_staff), f"/api/v1/tasks/{task.pk}/refuse_return/", {})
    assert response.status_code == 400 and "reason" in response.json()
    assert Task.objects.get(pk=task.pk).status == "return_requested"


def test_only_the_dispatcher_of_the_tier_reviews_a_return(api, dispatched_case, agency_head, other_street_staff,
                                                          district_command):
    task = services.task_return(task=lead_task(dispatched_case), actor=agency_head, reason="人手不足")

    # The agency cannot approve its own return; another street does not see the task at all.
    assert post(api.as_user(agency_head), f"/api/v1/tasks/{task.pk}/approve_return/").status_code == 403
    assert post(api.as_user(other_street_staff), f"/api/v1/tasks/{task.pk}/approve_return/").status_code == 404
    # A street-tier case is the street's to decide, not the command center's.
    assert post(api.as_user(district_command), f"/api/v1/tasks/{task.pk}/approve_return/").status_code == 403
    assert Task.objects.get(pk=task.pk).status == "return_requested"


def test_reviewing_a_task_nobody_asked_to_return_is_a_conflict(api, dispatched_case, street_staff):
    task = lead_task(dispatched_case)
    assert post(api.as_user(street_staff), f"/api/v1/tasks/{task.pk}/approve_return/").status_code == 409
    assert post(api.as_user(street_staff), f"/api/v1/tasks/{task.pk}/refuse_return/",
                {"reason": "x"}).status_code == 409


def test_a_second_agencys_return_and_the_flag_after_two(api, dispatched_case, agency_head, cooperating_agency,
                                                        cooperating_head, street_staff):
    staff = api.as_user(street_staff)
    first = lead_task(dispatched_case)
    services.task_return(task=first, actor=agency_head, reason="非本所职责")
    services.task_approve_return(task=first, actor=street_staff)
    services.case_dispatch(case=dispatched_case, actor=street_staff, lead=cooperating_agency.code)
    second = lead_task(dispatched_case)

    response = post(api.as_user(cooperating_head), f"/api/v1/tasks/{second.pk}/return/", {"reason": "也非我队职责"})

    assert response.status_code == 200
    case = staff.get(f"/api/v1/cases/{dispatched_case.number}/").json()
    assert case["return_count"] == reform.RETURNS_FLAGGED == 2
    page = signed_in(street_staff).get(f"/cases/{dispatched_case.number}/").content.decode()
    assert 'id="returned-flag"' in page
    workbench = signed_in(street_staff).get("/workbench/?queue=dispatched").content.decode()
    assert "returned-flag" in workbench and dispatched_case.number in workbench


def test_the_street_reviews_returns_from_its_workbench_and_the_case_page(dispatched_case, agency_head, street_staff):
    task = services.task_return(task=lead_task(dispatched_case), actor=agency_head, reason="人手不足")
    staff = signed_in(street_staff)

    workbench = staff.get("/workbench/?queue=dispatched").content.decode()
    assert 'id="return-requests"' in workbench and "人手不足" in workbench
    page = staff.get(f"/cases/{dispatched_case.number}/").content.decode()
    assert f'task{task.pk}-do-approve_return' in page and f'task{task.pk}-do-refuse_return' in page

    response = staff.post(f"/tasks/{task.pk}/do/refuse_return/",
                          {f"task{task.pk}-refuse_return-reason": "服从街道工作安排"})
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == "pending"
