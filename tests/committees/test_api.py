"""The committees API: 404 outside your scope, 403 for the wrong role, 409 at the wrong moment,
400 for bad input; never a 500 (the `api` client fails the test on one)."""

import pytest

from committees.models import Meeting

MEETINGS = "/api/v1/meetings/"


def _plan(street, agency):
    return {"street": street.code, "kind": "joint_meeting", "held_at": "2026-10-12T09:00:00+08:00",
            "title": "联席会议", "agencies": [agency.code]}


def test_anonymous_is_refused(api, planned_meeting):
    assert api.get(MEETINGS).status_code == 401
    assert api.post(f"{MEETINGS}{planned_meeting.pk}/hold/").status_code == 401


def test_street_staff_plan_a_meeting(api, street_staff, street, agency):
    response = api.as_user(street_staff).post(MEETINGS, _plan(street, agency), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["invitations"] == [
        {"agency": agency.code, "required": True, "attended": None, "absence_reason": ""}]


def test_planning_refuses_an_agency_of_another_street_and_the_wrong_role(api, street_staff, agency_head, street,
                                                                         other_agency, agency):
    assert api.as_user(street_staff).post(MEETINGS, _plan(street, other_agency), format="json").status_code == 400
    assert api.as_user(agency_head).post(MEETINGS, _plan(street, agency), format="json").status_code == 403
    assert not Meeting.objects.exists()


def test_who_sees_a_meeting(api, planned_meeting, street_staff, agency_head, cooperating_head, other_street_staff,
                            other_agency_head):
    url = f"{MEETINGS}{planned_meeting.pk}/"
    for user in (street_staff, agency_head, cooperating_head):
        assert api.as_user(user).get(url).status_code == 200
    for user in (other_street_staff, other_agency_head):
        assert api.as_user(user).get(url).status_code == 404
        assert api.as_user(user).get(MEETINGS).json()["results"] == []


def test_workflow_verbs_matrix(api, planned_meeting, street_staff, agency_head, other_street_staff, agency):
    url = f"{MEETINGS}{planned_meeting.pk}"
    attendance = {"attendance": [{"agency": agency.code, "attended": False, "absence_reason": "值班"}]}
    staff = api.as_user(street_staff)
    assert staff.post(f"{url}/attendance/", attendance, format="json").status_code == 409
    assert staff.post(f"{url}/minutes/", {"minutes": "纪要"}, format="json").status_code == 409
    assert api.as_user(other_street_staff).post(f"{url}/hold/").status_code == 404
    assert api.as_user(agency_head).post(f"{url}/hold/").status_code == 403
    assert staff.post(f"{url}/hold/").status_code == 200
    assert staff.post(f"{url}/hold/").status_code == 409
    assert staff.post(f"{url}/attendance/", {"attendance": []}, format="json").status_code == 400
    response = staff.post(f"{url}/attendance/", attendance, format="json")
    assert response.status_code == 200
    rows = {row["agency"]: row for row in response.json()["invitations"]}
    assert (rows[agency.code]["attended"], rows[agency.code]["absence_reason"]) == (False, "值班")
    assert staff.post(f"{url}/minutes/", {"minutes": "纪要"}, format="json").json()["minutes"] == "纪要"
    response = staff.post(f"{url}/decisions/", {"text": "整治", "responsible_agency": agency.code}, format="json")
    assert response.status_code == 201


def test_a_decision_becomes_a_case_through_the_api(api, decision, street_staff, agency_head, grid, category, agency):
    url = f"/api/v1/meeting-decisions/{decision.pk}/create_case/"
    body = {"title": "占道经营整治", "lat": grid.centroid_lat, "lng": grid.centroid_lng, "category": category.code}
    assert api.as_user(agency_head).post(url, body, format="json").status_code == 403
    assert api.as_user(street_staff).post(url, {**body, "lat": "x"}, format="json").status_code == 400
    response = api.as_user(street_staff).post(url, body, format="json")
    assert response.status_code == 201
    assert response.json()["case"]
    assert api.as_user(street_staff).post(url, body, format="json").status_code == 409


def test_joint_team_matrix(api, street_staff, agency_head, other_street_staff, street, agency, other_agency,
                           workflow, make_case):
    staff = api.as_user(street_staff)
    assert api.as_user(agency_head).post("/api/v1/joint-teams/", {"street": street.code}).status_code == 403
    response = staff.post("/api/v1/joint-teams/", {"street": street.code})
    assert response.status_code == 201
    assert staff.post("/api/v1/joint-teams/", {"street": street.code}).status_code == 409
    url = f"/api/v1/joint-teams/{response.json()['id']}"
    assert api.as_user(other_street_staff).get(f"{url}/").status_code == 404
    assert api.as_user(agency_head).get(f"{url}/").status_code == 200
    assert staff.post(f"{url}/members/", {"agency": other_agency.code, "person_name": "李"}).status_code == 400
    member = staff.post(f"{url}/members/", {"agency": agency.code, "person_name": "张警官"}).json()
    case = workflow.dispatch(make_case())
    body = {"date": "2026-10-12", "title": "联合整治", "participants": [member["id"]], "cases": [case.number]}
    assert api.as_user(agency_head).post(f"{url}/operations/", body, format="json").status_code == 403
    assert staff.post(f"{url}/operations/", {**body, "participants": [999999]}, format="json").status_code == 400
    response = staff.post(f"{url}/operations/", body, format="json")
    assert response.status_code == 201
    assert response.json()["cases"] == [case.number]


@pytest.mark.parametrize("url", [MEETINGS, "/api/v1/meeting-decisions/", "/api/v1/joint-teams/"])
def test_lists_answer_for_street_staff(api, street_staff, decision, team, url):
    response = api.as_user(street_staff).get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
