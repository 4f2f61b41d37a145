"""Work access requests (工作准入): drafted and submitted by the department, decided by the district
meeting under its reference, and only then assigned to streets."""

from decimal import Decimal

import pytest

from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from workaccess import services
from workaccess.models import AccessStatus, StreetAssignment


def test_the_department_admin_drafts_and_submits(draft, department_admin):
    assert draft.status == AccessStatus.DRAFT
    submitted = services.request_submit(request=draft, actor=department_admin)
    assert submitted.status == AccessStatus.SUBMITTED and submitted.submitted_at is not None


def test_only_the_departments_admin_creates(department, other_department_admin, district_command, street_staff):
    for someone in (other_department_admin, district_command, street_staff):
        with pytest.raises(ActionForbidden):
            services.request_create(actor=someone, department=department, title="t", description="d", powers="p",
                                    budget_yuan=Decimal(1), staff_count=1)


def test_only_the_departments_admin_submits(draft, other_department_admin, district_command):
    for someone in (other_department_admin, district_command):
        with pytest.raises(ActionForbidden):
            services.request_submit(request=draft, actor=someone)


def test_a_submitted_request_cannot_be_submitted_again(submitted, department_admin):
    with pytest.raises(ActionConflict):
        services.request_submit(request=submitted, actor=department_admin)


@pytest.mark.parametrize("approve", [True, False])
def test_a_decision_needs_the_meeting_reference(submitted, district_command, approve):
    with pytest.raises(InvalidInput) as refused:
        services.request_decide(request=submitted, actor=district_command, approve=approve, meeting_reference="  ")
    assert "meeting_reference" in refused.value.errors
    submitted.refresh_from_db()
    assert submitted.status == AccessStatus.SUBMITTED


def test_the_district_command_approves_with_the_reference(approved, district_command):
    assert approved.status == AccessStatus.APPROVED
    assert approved.meeting_reference == "区政府常务会〔2026〕8号"
    assert approved.decided_by == district_command and approved.decided_at is not None


def test_the_district_command_refuses_with_the_reference(refused):
    assert refused.status == AccessStatus.REFUSED and refused.meeting_reference == "区政府常务会〔2026〕9号"


def test_only_the_district_command_decides(submitted, department_admin, street_staff):
    for someone in (department_admin, street_staff):
        with pytest.raises(ActionForbidden):
            services.request_decide(request=submitted, actor=someone, approve=True, meeting_reference="x")


def test_a_draft_cannot_be_decided(draft, district_command):
    with pytest.raises(ActionConflict):
        services.request_decide(request=draft, actor=district_command, approve=True, meeting_reference="x")


@pytest.mark.parametrize("state", ["draft", "submitted", "refused"])
def test_an_unapproved_request_cannot_be_assigned(request, state, district_command, street):
    unapproved = request.getfixturevalue(state)
    with pytest.raises(ActionConflict):
        services.request_assign(request=unapproved, actor=district_command, streets=[street])
    assert not StreetAssignment.objects.filter(request=unapproved).exists()


def test_an_approved_request_is_assigned_to_streets_once_each(approved, district_command, street, other_street):
    services.request_assign(request=approved, actor=district_command, streets=[street])
    services.request_assign(request=approved, actor=district_command, streets=[street, other_street])
    assert set(approved.assignments.values_list("street__code", flat=True)) == {street.code, other_street.code}


def test_only_the_district_command_assigns(approved, department_admin, street):
    with pytest.raises(ActionForbidden):
        services.request_assign(request=approved, actor=department_admin, streets=[street])


def test_the_street_acknowledges_once(assignment, street_staff, other_street_staff):
    with pytest.raises(ActionForbidden):
        services.assignment_acknowledge(assignment=assignment, actor=other_street_staff)
    done = services.assignment_acknowledge(assignment=assignment, actor=street_staff)
    assert done.acknowledged_at is not None and done.acknowledged_by == street_staff
    with pytest.raises(ActionConflict):
        services.assignment_acknowledge(assignment=assignment, actor=street_staff)
