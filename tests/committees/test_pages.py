import pytest
from django.urls import reverse

from committees.models import Invitation, JointOperation, Meeting
from dispatch.models import Case, TaskRole
from tests.dispatch.conftest import forms_on, signed_in


def test_street_staff_see_the_meetings_page_with_the_planning_form(street_staff, planned_meeting):
    response = signed_in(street_staff).get(reverse("committees:meetings"))
    assert response.status_code == 200
    assert planned_meeting.title in response.content.decode()
    assert "plan" in forms_on(response)


def test_street_staff_plan_a_meeting_on_the_page(street_staff, agency):
    response = signed_in(street_staff).post(reverse("committees:meetings"), {
        "kind": "area_committee", "title": "地区管理委员会", "held_at": "2026-10-12T09:00",
        "agencies": [agency.code]})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("committees:meeting", args=[meeting.pk])


def test_agency_heads_see_the_meetings_they_are_invited_to(agency_head, other_agency_head, planned_meeting):
    response = signed_in(agency_head).get(reverse("committees:meetings"))
    assert response.status_code == 200
    assert planned_meeting.title in response.content.decode()
    assert "plan" not in forms_on(response)
    detail = signed_in(agency_head).get(reverse("committees:meeting", args=[planned_meeting.pk]))
    assert detail.status_code == 200 and forms_on(detail) == set()
    outsider = signed_in(other_agency_head)
    assert planned_meeting.title not in outsider.get(reverse("committees:meetings")).content.decode()
    assert outsider.get(reverse("committees:meeting", args=[planned_meeting.pk])).status_code == 404


def test_nobody_has_no_meetings_page(nobody):
    assert signed_in(nobody).get(reverse("committees:meetings")).status_code == 404
    assert signed_in(nobody).get(reverse("committees:team")).status_code == 404


def test_the_meeting_page_walks_through_holding_attendance_and_a_case(street_staff, planned_meeting, agency, grid,
                                                                      category):
    client = signed_in(street_staff)
    page = reverse("committees:meeting", args=[planned_meeting.pk])
    act = lambda step: reverse("committees:meeting-act", args=[planned_meeting.pk, step])  # noqa: E731
    assert forms_on(client.get(page)) == {"hold"}
    assert client.post(act("attendance"), {}).status_code == 409
    assert client.post(act("hold")).status_code == 302
    assert forms_on(client.get(page)) == {"attendance", "minutes", "decision"}
    assert client.post(act("attendance"), {f"attendance-attended_{agency.pk}": "on"}).status_code == 302
    assert Invitation.objects.get(meeting=planned_meeting, agency=agency).attended is True
    assert client.post(act("decision"), {"decision-text": "整治占道",
                                         "decision-responsible_agency": agency.code}).status_code == 302
    decision = planned_meeting.decisions.get()
    assert "create-case" in forms_on(client.get(page))
    prefix = f"case-{decision.pk}"
    response = client.post(reverse("committees:decision-create-case", args=[decision.pk]), {
        f"{prefix}-title": "整治占道", f"{prefix}-lat": grid.centroid_lat, f"{prefix}-lng": grid.centroid_lng,
        f"{prefix}-category": category.code})
    assert response.status_code == 302
    case = Case.objects.get(meeting_decision=decision)
    assert case.tasks.get(role=TaskRole.LEAD).agency == agency


def test_the_wrong_role_gets_403_on_a_meeting_step(agency_head, planned_meeting):
    response = signed_in(agency_head).post(reverse("committees:meeting-act", args=[planned_meeting.pk, "hold"]))
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["street_staff", "agency_head"])
def test_the_joint_team_page_is_reachable(request, who, member):
    response = signed_in(request.getfixturevalue(who)).get(reverse("committees:team"))
    assert response.status_code == 200
    assert "张警官" in response.content.decode()


def test_street_staff_set_up_the_team_and_record_an_operation(street_staff, street, agency, workflow, make_case):
    client = signed_in(street_staff)
    url = lambda step: f"{reverse('committees:team-act', args=[step])}?street={street.code}"  # noqa: E731
    assert forms_on(client.get(reverse("committees:team"))) == {"create"}
    assert client.post(url("member"), {}).status_code == 409
    assert client.post(url("create"), {"create-name": ""}).status_code == 302
    assert client.post(url("member"), {"member-agency": agency.code, "member-person_name": "张警官"}).status_code == 302
    member = street.joint_team.members.get()
    case = workflow.dispatch(make_case())
    response = client.post(url("operation"), {"operation-date": "2026-10-12", "operation-title": "联合整治",
                                              "operation-participants": [member.pk],
                                              "operation-cases": case.number, "operation-result": "取缔"})
    assert response.status_code == 302
    assert list(JointOperation.objects.get().cases.all()) == [case]


def test_the_meetings_list_has_a_bounded_number_of_queries(street_staff, planned_meeting,
                                                           django_assert_max_num_queries):
    client = signed_in(street_staff)
    client.get(reverse("committees:meetings"))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("committees:meetings")).status_code == 200
