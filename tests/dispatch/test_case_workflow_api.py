"""The case workflow through the API, as the people who do each step (DESIGN §5): the whole path
from report to rating, the ways back (failed verification, a returned task, escalation), the
short cuts (resolved on site, rejected as a duplicate), and the answers to moves the status
forbids (409) and to bad input (400)."""

import datetime as dt
import re

import pytest

from dispatch import services
from dispatch.models import Case, Task
from tests.dispatch.conftest import WORK_AREA_CODE, lead_task


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, format="json")


def test_a_case_goes_from_report_to_rating_through_the_api(
    api, grid, street, grid_worker, street_staff, agency, agency_head, cooperating_agency, category
):
    reported = post(api.as_user(grid_worker), "/api/v1/cases/", {
        "title": "占道经营", "lat": grid.centroid_lat, "lng": grid.centroid_lng, "source": "grid_patrol",
        "reporter_phone": "13812345678",
    })
    assert reported.status_code == 201, reported.json()
    case = reported.json()
    number = case["number"]
    assert re.fullmatch(r"HD\d{8}\d{6}", number)
    assert case["status"] == "reported"
    assert case["tier"] == "street"
    assert (case["street"], case["community"], case["grid"]) == (street.code, grid.community.code, grid.code)

    staff = api.as_user(street_staff)
    filed = post(staff, f"/api/v1/cases/{number}/file/", {"category": category.code, "priority": "urgent"})
    assert filed.status_code == 200, filed.json()
    assert (filed.json()["status"], filed.json()["category"], filed.json()["priority"]) == (
        "filed", category.code, "urgent")

    dispatched = post(staff, f"/api/v1/cases/{number}/dispatch/",
                      {"lead": agency.code, "cooperating": [cooperating_agency.code]})
    assert dispatched.status_code == 200, dispatched.json()
    assert dispatched.json()["status"] == "dispatched"

    head = api.as_user(agency_head)
    inbox = head.get("/api/v1/tasks/").json()["results"]
    assert [(task["case"], task["agency"], task["role"], task["status"]) for task in inbox] == [
        (number, agency.code, "lead", "pending")]
    task_id = inbox[0]["id"]
    accepted = post(head, f"/api/v1/tasks/{task_id}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    responded = post(head, f"/api/v1/tasks/{task_id}/respond/", {"result": "已清理占道摊点"})
    assert responded.status_code == 200, responded.json()
    assert responded.json()["status"] == "responded"
    assert staff.get(f"/api/v1/cases/{number}/").json()["status"] == "responded"

    verified = post(staff, f"/api/v1/cases/{number}/verify/", {"passed": True})
    assert verified.status_code == 200, verified.json()
    assert verified.json()["status"] == "closed"
    rated = post(staff, f"/api/v1/cases/{number}/rate/", {"satisfaction": "satisfied"})
    assert rated.status_code == 200, rated.json()

    detail = staff.get(f"/api/v1/cases/{number}/").json()
    # What staff record is their call-back (回访), not the reporter's own rating.
    assert (detail["satisfaction"], detail["callback_satisfaction"]) == ("", "satisfied")
    assert [(e["action"], e["from_status"], e["to_status"], e["actor"]) for e in detail["events"]] == [
        ("create", "", "reported", "grid-worker"),
        ("file", "reported", "filed", "street-staff"),
        ("dispatch", "filed", "dispatched", "street-staff"),
        ("accept", "dispatched", "dispatched", "agency-head"),
        ("respond", "dispatched", "responded", "agency-head"),
        ("verify_passed", "responded", "closed", "street-staff"),
        ("callback", "closed", "closed", "street-staff"),
    ]
    assert all({"at", "note"} <= event.keys() for event in detail["events"])
    assert [event["at"] for event in detail["events"]] == sorted(event["at"] for event in detail["events"])
    tasks = {task["role"]: task for task in detail["tasks"]}
    assert tasks["lead"]["id"] == task_id
    assert (tasks["lead"]["agency"], tasks["lead"]["status"]) == (agency.code, "responded")
    assert tasks["lead"]["due_at"] and tasks["lead"]["responded_at"]
    # Nobody answered for the co-operating agency: its task ended with the case.
    assert (tasks["cooperating"]["agency"], tasks["cooperating"]["status"]) == (cooperating_agency.code, "cancelled")
    assert tasks["cooperating"]["responded_at"] is None


# --- the ways back -------------------------------------------------------------------------------

def test_failed_verification_reopens_the_lead_task_for_rework(api, responded_case, street_staff):
    response = post(api.as_user(street_staff), f"/api/v1/cases/{responded_case.number}/verify/",
                    {"passed": False, "note": "摊点仍在"})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["rework_count"]) == ("dispatched", 1)
    assert lead_task(responded_case).status == "accepted"
    assert responded_case.events.last().action == "verify_failed"


def test_the_reworked_lead_task_can_respond_again_and_the_case_closes(api, responded_case, street_staff,
                                                                      agency_head):
    staff, head = api.as_user(street_staff), api.as_user(agency_head)
    post(staff, f"/api/v1/cases/{responded_case.number}/verify/", {"passed": False})
    task = lead_task(responded_case)
    assert post(head, f"/api/v1/tasks/{task.pk}/respond/", {"result": "已复查清理"}).status_code == 200
    closed = post(staff, f"/api/v1/cases/{responded_case.number}/verify/", {"passed": True})
    assert (closed.json()["status"], closed.json()["rework_count"]) == ("closed", 1)


def test_a_returned_lead_task_sends_the_case_back_to_be_dispatched_again(
    api, dispatched_case, street_staff, agency_head, cooperating_agency
):
    lead = lead_task(dispatched_case)
    response = post(api.as_user(agency_head), f"/api/v1/tasks/{lead.pk}/return/", {"reason": "不属于派出所职责"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "return_requested"  # 退单审核: the street decides
    assert Case.objects.get(pk=dispatched_case.pk).status == "dispatched"
    approved = post(api.as_user(street_staff), f"/api/v1/tasks/{lead.pk}/approve_return/", {})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "returned"
    assert Case.objects.get(pk=dispatched_case.pk).status == "filed"
    assert dict(dispatched_case.tasks.values_list("role", "status")) == {
        "lead": "returned", "cooperating": "cancelled"}

    again = post(api.as_user(street_staff), f"/api/v1/cases/{dispatched_case.number}/dispatch/",
                 {"lead": cooperating_agency.code})
    assert again.status_code == 200, again.json()
    assert again.json()["status"] == "dispatched"
    assert lead_task(dispatched_case).agency == cooperating_agency


def test_the_agency_that_returned_a_case_cannot_dispatch_it(api, dispatched_case, agency_head, cooperating_agency):
    head = api.as_user(agency_head)
    post(head, f"/api/v1/tasks/{lead_task(dispatched_case).pk}/return/", {"reason": "不属于派出所职责"})
    response = post(head, f"/api/v1/cases/{dispatched_case.number}/dispatch/", {"lead": cooperating_agency.code})
    assert response.status_code == 403


def test_an_escalated_case_is_dispatched_by_the_district_to_a_department(
    api, dispatched_case, street_staff, district_command, department, department_admin, agency
):
    staff = api.as_user(street_staff)
    escalated = post(staff, f"/api/v1/cases/{dispatched_case.number}/escalate/", {"reason": "涉及多个部门"})
    assert escalated.status_code == 200, escalated.json()
    assert (escalated.json()["tier"], escalated.json()["status"]) == ("district", "filed")
    assert set(dispatched_case.tasks.values_list("status", flat=True)) == {"cancelled"}

    assert post(staff, f"/api/v1/cases/{dispatched_case.number}/dispatch/", {"lead": agency.code}).status_code == 403

    dispatched = post(api.as_user(district_command), f"/api/v1/cases/{dispatched_case.number}/dispatch/",
                      {"lead": department.code})
    assert dispatched.status_code == 200, dispatched.json()
    assert dispatched.json()["status"] == "dispatched"

    admin = api.as_user(department_admin)
    [task] = admin.get("/api/v1/tasks/?status=pending").json()["results"]
    assert (task["department"], task["agency"], task["role"]) == (department.code, None, "lead")
    assert post(admin, f"/api/v1/tasks/{task['id']}/accept/").status_code == 200
    responded = post(admin, f"/api/v1/tasks/{task['id']}/respond/", {"result": "公安分局已处置"})
    assert responded.status_code == 200, responded.json()
    assert Case.objects.get(pk=dispatched_case.pk).status == "responded"


def test_a_grid_worker_resolves_a_case_on_site_and_it_closes_at_grid_tier(api, reported_case, grid_worker):
    response = post(api.as_user(grid_worker), f"/api/v1/cases/{reported_case.number}/resolve_on_site/",
                    {"note": "当场劝离摊贩"})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["tier"]) == ("closed", "grid")


def test_street_staff_reject_a_duplicate_naming_the_original(api, make_case, street_staff):
    original, duplicate = make_case(title="井盖缺失"), make_case(title="井盖丢了")
    staff = api.as_user(street_staff)
    response = post(staff, f"/api/v1/cases/{duplicate.number}/reject/",
                    {"reason": "重复上报", "duplicate_of": original.number})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "rejected"
    detail = staff.get(f"/api/v1/cases/{duplicate.number}/").json()
    assert detail["duplicate_of"] == original.number
    assert detail["events"][-1]["note"] == "重复上报"


def test_an_approved_extension_moves_the_due_time(api, dispatched_case, agency_head, street_staff):
    task = lead_task(dispatched_case)
    until = task.due_at + dt.timedelta(days=5)
    requested = post(api.as_user(agency_head), f"/api/v1/tasks/{task.pk}/request_extension/",
                     {"until": until.isoformat(), "reason": "需协调产权单位"})
    assert requested.status_code == 200, requested.json()
    assert requested.json()["extension_status"] == "requested"
    assert Task.objects.get(pk=task.pk).due_at == task.due_at

    approved = post(api.as_user(street_staff), f"/api/v1/tasks/{task.pk}/approve_extension/")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["extension_status"] == "approved"
    assert Task.objects.get(pk=task.pk).due_at == until


# --- moves the status forbids: 409 ---------------------------------------------------------------

def test_filing_a_dispatched_case_is_a_conflict(api, dispatched_case, street_staff, category):
    response = post(api.as_user(street_staff), f"/api/v1/cases/{dispatched_case.number}/file/",
                    {"category": category.code})
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot file: the case is dispatched."


def test_verifying_a_filed_case_is_a_conflict(api, filed_case, street_staff):
    response = post(api.as_user(street_staff), f"/api/v1/cases/{filed_case.number}/verify/", {"passed": True})
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot pass verification: the case is filed."


def test_accepting_an_accepted_task_is_a_conflict(api, dispatched_case, agency_head):
    head, task = api.as_user(agency_head), lead_task(dispatched_case)
    assert post(head, f"/api/v1/tasks/{task.pk}/accept/").status_code == 200
    response = post(head, f"/api/v1/tasks/{task.pk}/accept/")
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot accept the task: the task is accepted."


def test_responding_to_a_returned_task_is_a_conflict(api, dispatched_case, agency_head):
    head, task = api.as_user(agency_head), lead_task(dispatched_case)
    assert post(head, f"/api/v1/tasks/{task.pk}/return/", {"reason": "不属于派出所职责"}).status_code == 200
    response = post(head, f"/api/v1/tasks/{task.pk}/respond/", {"result": "已处理"})
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot respond: the task is return requested."


def test_recording_a_call_back_twice_is_a_conflict(api, closed_case, street_staff):
    staff = api.as_user(street_staff)
    assert post(staff, f"/api/v1/cases/{closed_case.number}/rate/", {"satisfaction": "satisfied"}).status_code == 200
    response = post(staff, f"/api/v1/cases/{closed_case.number}/rate/", {"satisfaction": "dissatisfied"})
    assert response.status_code == 409
    assert response.json()["detail"] == "A call-back has already been recorded for this case."
    assert Case.objects.get(pk=closed_case.pk).callback_satisfaction == "satisfied"


def test_escalating_a_district_tier_case_is_a_conflict(api, filed_case, street_staff):
    staff = api.as_user(street_staff)
    assert post(staff, f"/api/v1/cases/{filed_case.number}/escalate/", {"reason": "街道无法协调"}).status_code == 200
    response = post(staff, f"/api/v1/cases/{filed_case.number}/escalate/", {"reason": "再次上报"})
    assert response.status_code == 409
    assert response.json()["detail"] == "Only a street-tier case can be escalated to the district."


def test_a_second_extension_request_while_one_waits_is_a_conflict(api, dispatched_case, agency_head):
    head, task = api.as_user(agency_head), lead_task(dispatched_case)
    data = {"until": (task.due_at + dt.timedelta(days=2)).isoformat(), "reason": "需协调"}
    assert post(head, f"/api/v1/tasks/{task.pk}/request_extension/", data).status_code == 200
    response = post(head, f"/api/v1/tasks/{task.pk}/request_extension/", data)
    assert response.status_code == 409
    assert response.json()["detail"] == "An extension request is already waiting for approval."


def test_approving_an_extension_nobody_requested_is_a_conflict(api, dispatched_case, street_staff):
    response = post(api.as_user(street_staff), f"/api/v1/tasks/{lead_task(dispatched_case).pk}/approve_extension/")
    assert response.status_code == 409
    assert response.json()["detail"] == "No extension request is waiting for approval."


def test_resolving_a_filed_case_on_site_is_a_conflict(api, filed_case, grid_worker):
    response = post(api.as_user(grid_worker), f"/api/v1/cases/{filed_case.number}/resolve_on_site/", {"note": "已处理"})
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot resolve on site: the case is filed."


# --- bad input: 400 with the field's message -----------------------------------------------------

def test_filing_with_an_unknown_category_code_names_the_field(api, reported_case, street_staff):
    response = post(api.as_user(street_staff), f"/api/v1/cases/{reported_case.number}/file/", {"category": "NOPE"})
    assert response.status_code == 400
    assert list(response.json()) == ["category"]
    assert "NOPE" in response.json()["category"][0]


def test_filing_under_a_work_area_instead_of_a_category_is_refused(api, reported_case, street_staff, category):
    response = post(api.as_user(street_staff), f"/api/v1/cases/{reported_case.number}/file/",
                    {"category": WORK_AREA_CODE})
    assert response.status_code == 400
    assert response.json() == {"category": ["Choose a category, not a work area."]}
    assert Case.objects.get(pk=reported_case.pk).status == "reported"


def test_reporting_a_point_outside_every_grid_names_the_point(api, grid_worker):
    response = post(api.as_user(grid_worker), "/api/v1/cases/",
                    {"title": "井盖缺失", "lat": 31.23, "lng": 121.47, "source": "grid_patrol"})
    assert response.status_code == 400
    assert response.json() == {"lat": ["The point (31.23, 121.47) lies outside every grid of the district."]}
    assert not Case.objects.filter(title="井盖缺失", lat=31.23).exists()


def test_reporting_without_a_title_or_with_an_unknown_source_names_the_fields(api, grid, grid_worker):
    response = post(api.as_user(grid_worker), "/api/v1/cases/",
                    {"lat": grid.centroid_lat, "lng": grid.centroid_lng, "source": "pigeon"})
    assert response.status_code == 400
    assert set(response.json()) == {"title", "source"}


@pytest.mark.parametrize("verb", ["reject", "escalate"])
def test_a_case_action_without_its_reason_names_the_field(api, filed_case, street_staff, verb):
    response = post(api.as_user(street_staff), f"/api/v1/cases/{filed_case.number}/{verb}/", {})
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field is required."]}


def test_returning_a_task_without_a_reason_names_the_field(api, dispatched_case, agency_head):
    response = post(api.as_user(agency_head), f"/api/v1/tasks/{lead_task(dispatched_case).pk}/return/", {})
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field is required."]}


def test_dispatching_to_an_agency_of_another_street_names_it(api, filed_case, street_staff, agency, other_agency):
    staff = api.as_user(street_staff)
    response = post(staff, f"/api/v1/cases/{filed_case.number}/dispatch/", {"lead": other_agency.code})
    assert response.status_code == 400
    assert response.json() == {"lead": [f"{other_agency.code} is not an agency serving this street."]}

    response = post(staff, f"/api/v1/cases/{filed_case.number}/dispatch/",
                    {"lead": agency.code, "cooperating": [other_agency.code]})
    assert response.status_code == 400
    assert response.json() == {"cooperating": [f"{other_agency.code} is not an agency serving this street."]}
    assert not filed_case.tasks.exists()
    assert Case.objects.get(pk=filed_case.pk).status == "filed"


def test_the_district_dispatches_only_to_its_departments(api, filed_case, street_staff, district_command, agency):
    services.case_escalate(case=filed_case, actor=street_staff, reason="街道无法协调")
    response = post(api.as_user(district_command), f"/api/v1/cases/{filed_case.number}/dispatch/",
                    {"lead": agency.code})
    assert response.status_code == 400
    assert response.json() == {"lead": [f"{agency.code} is not a department of this district."]}


def test_dispatching_with_a_due_time_in_the_past_is_refused(api, filed_case, street_staff, agency):
    response = post(api.as_user(street_staff), f"/api/v1/cases/{filed_case.number}/dispatch/",
                    {"lead": agency.code, "due_at": "2020-01-01T09:00:00+08:00"})
    assert response.status_code == 400
    assert response.json() == {"due_at": ["The due time must be in the future."]}


def test_an_extension_must_end_after_the_current_due_time(api, dispatched_case, agency_head):
    task = lead_task(dispatched_case)
    response = post(api.as_user(agency_head), f"/api/v1/tasks/{task.pk}/request_extension/",
                    {"until": (task.due_at - dt.timedelta(hours=1)).isoformat(), "reason": "需协调"})
    assert response.status_code == 400
    assert response.json() == {"until": ["The new due time must be later than the current one."]}


def test_rejecting_as_a_duplicate_of_an_unknown_case_names_the_field(api, reported_case, street_staff):
    response = post(api.as_user(street_staff), f"/api/v1/cases/{reported_case.number}/reject/",
                    {"reason": "重复上报", "duplicate_of": "HD20260101999999"})
    assert response.status_code == 400
    assert list(response.json()) == ["duplicate_of"]


def test_a_case_cannot_be_rejected_as_a_duplicate_of_itself(api, reported_case, street_staff):
    response = post(api.as_user(street_staff), f"/api/v1/cases/{reported_case.number}/reject/",
                    {"reason": "重复上报", "duplicate_of": reported_case.number})
    assert response.status_code == 400
    assert response.json() == {"duplicate_of": ["A case cannot duplicate itself."]}


def test_a_case_cannot_be_rejected_as_a_duplicate_of_another_streets_case(
    api, make_case, other_grid, reported_case, street_staff
):
    elsewhere = make_case(at=other_grid)
    response = post(api.as_user(street_staff), f"/api/v1/cases/{reported_case.number}/reject/",
                    {"reason": "重复上报", "duplicate_of": elsewhere.number})
    assert response.status_code == 400
    assert list(response.json()) == ["duplicate_of"]

