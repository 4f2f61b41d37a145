import datetime as dt

import pytest

from committees import services
from committees.models import JointOperation
from dispatch.models import Case, Task, TaskRole, TaskStatus
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput


def test_one_team_per_street(team, street_staff, street):
    with pytest.raises(ActionConflict):
        services.team_create(actor=street_staff, street=street)


def test_members_come_only_from_agencies_serving_the_street(team, street_staff, other_agency):
    with pytest.raises(InvalidInput) as error:
        services.member_add(team=team, actor=street_staff, agency=other_agency, person_name="李")
    assert "agency" in error.value.errors


def test_only_the_streets_staff_run_the_team(team, other_street_staff, agency_head, agency, other_street):
    with pytest.raises(ActionForbidden):
        services.member_add(team=team, actor=agency_head, agency=agency, person_name="李")
    with pytest.raises(ActionForbidden):
        services.team_create(actor=agency_head, street=other_street)


def test_linking_a_case_to_an_operation_leaves_its_lead_task_and_status_alone(member, team, street_staff, workflow,
                                                                              make_case, agency):
    case = workflow.dispatch(make_case())
    lead_before = Task.objects.get(case=case, role=TaskRole.LEAD)
    tasks_before = list(Task.objects.filter(case=case).order_by("id").values())
    operation = services.operation_record(team=team, actor=street_staff, date=dt.date(2026, 10, 12),
                                          title="联合整治占道经营", participants=[member], cases=[case],
                                          result="取缔摊点 5 处")
    assert list(operation.cases.all()) == [case]
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.updated_at) == (case.status, case.updated_at)
    assert list(Task.objects.filter(case=case).order_by("id").values()) == tasks_before
    lead = Task.objects.get(case=case, role=TaskRole.LEAD)
    assert lead.pk == lead_before.pk and lead.agency == agency and lead.status == TaskStatus.PENDING
    # The lead agency still holds the task and may handle it as before.
    from dispatch import services as dispatch_services
    dispatch_services.task_accept(task=lead, actor=workflow.agency_head)


def test_participants_must_be_members_and_cases_of_the_street(member, team, street_staff, make_case, other_grid):
    with pytest.raises(InvalidInput):
        services.operation_record(team=team, actor=street_staff, date=dt.date(2026, 10, 12), title="x",
                                  participants=[])
    elsewhere = make_case(at=other_grid)
    with pytest.raises(InvalidInput):
        services.operation_record(team=team, actor=street_staff, date=dt.date(2026, 10, 12), title="x",
                                  participants=[member], cases=[elsewhere])
    assert not JointOperation.objects.exists()


def test_the_same_person_of_the_same_agency_joins_once(member, team, street_staff, agency):
    with pytest.raises(ActionConflict):
        services.member_add(team=team, actor=street_staff, agency=agency, person_name="张警官")
