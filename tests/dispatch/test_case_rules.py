"""Rules found in review: closing ends unanswered co-operating work, work orders are not reported
twice, staff do not rate their own reports, priorities are checked."""

import pytest

from dispatch import services
from dispatch.models import Source, Task, TaskRole, TaskStatus
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput


def test_closing_a_case_cancels_co_operating_tasks_nobody_answered(closed_case):
    cooperating = Task.objects.get(case=closed_case, role=TaskRole.COOPERATING)
    assert cooperating.status == TaskStatus.CANCELLED
    assert Task.objects.get(case=closed_case, role=TaskRole.LEAD).status == TaskStatus.RESPONDED


def test_a_co_operating_task_of_a_closed_case_cannot_be_accepted(closed_case, cooperating_head):
    cooperating = Task.objects.get(case=closed_case, role=TaskRole.COOPERATING)
    with pytest.raises(ActionConflict):
        services.task_accept(task=cooperating, actor=cooperating_head)


def test_a_co_operating_response_stays_on_record_when_the_case_closes(dispatched_case, cooperating_head,
                                                                       workflow):
    cooperating = Task.objects.get(case=dispatched_case, role=TaskRole.COOPERATING)
    services.task_respond(task=cooperating, actor=cooperating_head, result="已配合")
    closed = workflow.close(dispatched_case)
    assert Task.objects.get(pk=cooperating.pk).status == TaskStatus.RESPONDED
    assert closed.status == "closed"


def test_the_same_work_order_cannot_be_reported_twice(make_case):
    make_case(source=Source.HOTLINE_12345, external_id="12345-0001")
    with pytest.raises(ActionConflict, match="12345-0001"):
        make_case(source=Source.HOTLINE_12345, external_id="12345-0001")


def test_a_grid_worker_cannot_rate_their_own_patrol_report(closed_case, grid_worker):
    with pytest.raises(ActionForbidden):
        services.case_rate(case=closed_case, actor=grid_worker, satisfaction="satisfied")


def test_a_resident_rates_their_own_report(make_case, workflow):
    from tests.conftest import make_user

    resident = make_user("resident")
    case = workflow.close(make_case(actor=resident, source=Source.RESIDENT))
    rated = services.case_rate(case=case, actor=resident, satisfaction="basically_satisfied")
    assert rated.satisfaction == "basically_satisfied"


def test_an_unknown_priority_is_refused(reported_case, street_staff, category):
    with pytest.raises(InvalidInput) as refused:
        services.case_file(case=reported_case, actor=street_staff, category=category, priority="whenever")
    assert "priority" in refused.value.errors
