"""The work access API: the same rules as the services, answered 400/403/404/409, never 500."""

import pytest

from tests.conftest import make_user
from workaccess.models import AccessStatus

REQUESTS = "/api/v1/work-access-requests/"
TASKS = "/api/v1/street-tasks/"

NEW = {"department": "110108-ga", "title": "背街小巷停车秩序巡查", "description": "日常巡查与劝导",
       "powers": "劝导、登记", "budget_yuan": "480000.00", "staff_count": 6}


def test_anonymous_is_refused(api):
    assert api.get(REQUESTS).status_code in (401, 403)
    assert api.post(REQUESTS, NEW, format="json").status_code in (401, 403)


def test_a_request_from_draft_to_assignment(api, department_admin, district_command, street, street_staff):
    admin = api.as_user(department_admin)
    created = admin.post(REQUESTS, NEW, format="json")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert admin.post(f"{REQUESTS}{pk}/submit/").data["status"] == AccessStatus.SUBMITTED
    command = api.as_user(district_command)
    assert command.post(f"{REQUESTS}{pk}/approve/", {}, format="json").status_code == 400
    approved = command.post(f"{REQUESTS}{pk}/approve/", {"meeting_reference": "区长办公会〔2026〕3号"}, format="json")
    assert approved.status_code == 200 and approved.data["status"] == AccessStatus.APPROVED
    assigned = command.post(f"{REQUESTS}{pk}/assign/", {"streets": [street.code]}, format="json")
    assert assigned.status_code == 200 and [a["street"] for a in assigned.data["assignments"]] == [street.code]
    tasks = api.as_user(street_staff).get(TASKS).data["results"]
    assert [(t["title"], t["powers"], t["budget_yuan"], t["staff_count"]) for t in tasks] == [
        ("背街小巷停车秩序巡查", "劝导、登记", "480000.00", 6)]
    acknowledged = api.as_user(street_staff).post(f"{TASKS}{tasks[0]['id']}/acknowledge/")
    assert acknowledged.status_code == 200 and acknowledged.data["acknowledged_at"]
    assert api.as_user(street_staff).post(f"{TASKS}{tasks[0]['id']}/acknowledge/").status_code == 409


@pytest.mark.parametrize("state", ["draft", "submitted", "refused"])
def test_assigning_an_unapproved_request_is_409(request, api, state, street):
    unapproved = request.getfixturevalue(state)
    # A superuser, because the district command does not even see drafts (404): they are not put to it yet.
    admin = make_user("root")
    admin.is_superuser = True
    admin.save()
    answer = api.as_user(admin).post(f"{REQUESTS}{unapproved.pk}/assign/", {"streets": [street.code]}, format="json")
    assert answer.status_code == 409


def test_the_district_command_does_not_see_drafts(api, draft, district_command):
    assert api.as_user(district_command).get(f"{REQUESTS}{draft.pk}/").status_code == 404


def test_refusing_needs_the_reference(api, submitted, district_command):
    client = api.as_user(district_command)
    assert client.post(f"{REQUESTS}{submitted.pk}/refuse/", {"meeting_reference": ""}, format="json").status_code == 400
    refused = client.post(f"{REQUESTS}{submitted.pk}/refuse/", {"meeting_reference": "会〔2026〕1号"}, format="json")
    assert refused.status_code == 200 and refused.data["status"] == AccessStatus.REFUSED


def test_the_department_admin_cannot_decide_its_own_request(api, submitted, department_admin):
    answer = api.as_user(department_admin).post(f"{REQUESTS}{submitted.pk}/approve/", {"meeting_reference": "x"},
                                                 format="json")
    assert answer.status_code == 403


def test_another_departments_admin_neither_sees_nor_submits(api, draft, other_department_admin):
    client = api.as_user(other_department_admin)
    assert client.get(f"{REQUESTS}{draft.pk}/").status_code == 404
    assert client.post(f"{REQUESTS}{draft.pk}/submit/").status_code == 404
    assert client.post(REQUESTS, NEW, format="json").status_code == 403


def test_the_district_command_cannot_create(api, district_command):
    assert api.as_user(district_command).post(REQUESTS, NEW, format="json").status_code == 403


def test_street_staff_see_no_requests_but_their_assignments(api, assignment, street_staff, other_street_staff):
    assert api.as_user(street_staff).get(f"{REQUESTS}{assignment.request_id}/").status_code == 404
    assert api.as_user(street_staff).get(f"{TASKS}{assignment.pk}/").data["budget_yuan"] == "480000.00"
    other = api.as_user(other_street_staff)
    assert other.get(TASKS).data["results"] == []
    assert other.get(f"{TASKS}{assignment.pk}/").status_code == 404
    assert other.post(f"{TASKS}{assignment.pk}/acknowledge/").status_code == 404


def test_a_bad_input_is_400(api, department_admin, approved, district_command):
    assert api.as_user(department_admin).post(REQUESTS, {**NEW, "budget_yuan": "-1"}, format="json").status_code == 400
    assert api.as_user(department_admin).post(REQUESTS, {**NEW, "department": "nope"}, format="json").status_code == 400
    command = api.as_user(district_command)
    assert command.post(f"{REQUESTS}{approved.pk}/assign/", {"streets": []}, format="json").status_code == 400
    unknown = command.post(f"{REQUESTS}{approved.pk}/assign/", {"streets": ["999999999"]}, format="json")
    assert unknown.status_code == 400


def test_someone_without_a_unit_sees_nothing(api, approved):
    nobody = api.as_user(make_user("nobody"))
    assert nobody.get(REQUESTS).data["results"] == []
    assert nobody.get(f"{REQUESTS}{approved.pk}/").status_code == 404
