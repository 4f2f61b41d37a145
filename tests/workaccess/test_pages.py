"""The work access pages: who sees which page and which buttons, and that a refused step says why."""

import datetime as dt

import pytest

from tests.conftest import make_user
from tests.workaccess.conftest import signed_in
from workaccess import services
from workaccess.models import AccessRequest, AccessStatus, DelegatedAction, DelegatedMatter


def buttons(response) -> set[str]:
    html = response.content.decode()
    return {chunk.split('"', 1)[0] for chunk in html.split('data-action="')[1:]}


def test_anonymous_is_sent_to_sign_in(client):
    for path in ("/work-access/requests/", "/work-access/tasks/", "/work-access/delegated/"):
        assert client.get(path).status_code == 302


def test_the_department_admin_drafts_and_submits_on_the_page(department, department_admin):
    page = signed_in(department_admin)
    assert "new" in buttons(page.get("/work-access/requests/"))
    answer = page.post("/work-access/requests/new/", {
        "department": department.pk, "title": "垃圾分类桶前值守", "description": "d", "powers": "p",
        "budget_yuan": "120000", "staff_count": "3"})
    created = AccessRequest.objects.get(title="垃圾分类桶前值守")
    assert answer.status_code == 302
    assert buttons(page.get(f"/work-access/requests/{created.pk}/")) == {"submit"}
    page.post(f"/work-access/requests/{created.pk}/submit/")
    created.refresh_from_db()
    assert created.status == AccessStatus.SUBMITTED


def test_the_district_command_decides_and_assigns_on_the_page(submitted, district_command, street):
    page = signed_in(district_command)
    assert buttons(page.get(f"/work-access/requests/{submitted.pk}/")) == {"approve", "refuse"}
    missing = page.post(f"/work-access/requests/{submitted.pk}/approve/", {"approve-meeting_reference": ""})
    assert missing.status_code == 400
    page.post(f"/work-access/requests/{submitted.pk}/approve/", {"approve-meeting_reference": "区长办公会〔2026〕5号"})
    assert buttons(page.get(f"/work-access/requests/{submitted.pk}/")) == {"assign"}
    page.post(f"/work-access/requests/{submitted.pk}/assign/", {"assign-streets": [street.pk]})
    assert list(submitted.assignments.values_list("street", flat=True)) == [street.pk]


def test_a_refused_step_says_why(submitted, department_admin, draft):
    page = signed_in(department_admin)
    answer = page.post(f"/work-access/requests/{submitted.pk}/approve/", {"approve-meeting_reference": "x"})
    assert answer.status_code == 403
    answer = page.post(f"/work-access/requests/{submitted.pk}/submit/")
    assert answer.status_code == 409


def test_street_staff_see_their_tasks_with_what_came_with_them(assignment, street_staff, other_street_staff):
    mine = signed_in(street_staff).get("/work-access/tasks/").content.decode()
    assert "480000.00" in mine and "劝导、登记、移交违法停车线索" in mine and "区政府常务会〔2026〕8号" in mine
    theirs = signed_in(other_street_staff)
    assert "背街小巷停车秩序巡查" not in theirs.get("/work-access/tasks/").content.decode()
    assert theirs.post(f"/work-access/tasks/{assignment.pk}/acknowledge/").status_code == 404
    assert signed_in(street_staff).get(f"/work-access/requests/{assignment.request_id}/").status_code == 404
    signed_in(street_staff).post(f"/work-access/tasks/{assignment.pk}/acknowledge/")
    assignment.refresh_from_db()
    assert assignment.acknowledged_at is not None


def test_pages_are_404_for_people_without_the_role(street_staff, department_admin):
    nobody = signed_in(make_user("nobody"))
    for path in ("/work-access/requests/", "/work-access/tasks/", "/work-access/delegated/"):
        assert nobody.get(path).status_code == 404
    assert signed_in(street_staff).get("/work-access/requests/").status_code == 404
    assert signed_in(department_admin).get("/work-access/tasks/").status_code == 404


def test_the_catalogue_page_records_an_action(department, district_command, street, street_staff):
    command = signed_in(district_command)
    added = command.post("/work-access/delegated/new/", {
        "matter-department": department.pk, "matter-code": "WT-1", "matter-title": "劝导", "matter-legal_basis": "条例",
        "matter-valid_from": "2020-01-01"})
    assert added.status_code == 302
    staff = signed_in(street_staff)
    page = staff.get("/work-access/delegated/")
    assert "record" in buttons(page) and "matter" not in buttons(page)
    matter = DelegatedMatter.objects.get(code="WT-1")
    staff.post("/work-access/delegated/record/", {"record-matter": matter.pk, "record-street": street.pk,
                                                  "record-description": "劝离摊贩"})
    assert DelegatedAction.objects.get().matter == matter
    services.matter_update(matter=matter, actor=district_command, valid_until=dt.date(2020, 12, 31))
    refused = staff.post("/work-access/delegated/record/", {"record-matter": matter.pk, "record-street": street.pk,
                                                            "record-description": "再次劝离"})
    assert refused.status_code == 409 and DelegatedAction.objects.count() == 1


@pytest.mark.parametrize("path", ["/work-access/requests/", "/work-access/delegated/"])
def test_list_pages_query_counts_stay_flat(path, django_assert_max_num_queries, approved, district_command):
    page = signed_in(district_command)
    with django_assert_max_num_queries(25):
        assert page.get(path).status_code == 200
