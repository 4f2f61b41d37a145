"""The co-manager API: the permission matrix, the answers 400/403/404/409, and masked phones."""

import datetime as dt

import pytest

from comanagers import services
from comanagers.models import CoManager, Deployment
from haidian.models import AuditEntry
from tests.comanagers.conftest import set_quota

pytestmark = [pytest.mark.django_db]

LIST = "/api/v1/comanagers/"


def hire_body(street, **extra):
    return {"street": street.code, "post": "safety-informant", "name": "王五", "phone": "13912345678",
            "hired_at": "2026-03-02", "deployment": "central", "central_reason": "治安联合调解室调解员", **extra}


@pytest.fixture
def comanager(street_staff, street, informant_post):
    set_quota(street, 1)
    return services.comanager_hire(actor=street_staff, street=street, post=informant_post, name="赵六",
                                   phone="13800001234", hired_at=dt.date(2026, 3, 2),
                                   deployment=Deployment.CENTRAL, central_reason="治安联合调解室调解员")


def test_anonymous_is_refused(api, comanager):
    assert api.get(LIST).status_code == 401
    assert api.post(LIST, {}, format="json").status_code == 401


def test_the_streets_staff_hires_and_reads_the_phone_whole(api, street_staff, street, informant_post):
    set_quota(street, 1)
    response = api.as_user(street_staff).post(LIST, hire_body(street), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == "13912345678"
    assert response.json()["street"] == street.code


def test_past_the_quota_is_409_and_a_policy_placement_passes(api, comanager, street_staff, street,
                                                            district_command):
    client = api.as_user(street_staff)
    assert client.post(LIST, hire_body(street), format="json").status_code == 409
    response = client.post(LIST, hire_body(street, placement="policy", placement_reason="就业困难人员",
                                           placement_approver=district_command.username), format="json")
    assert response.status_code == 201, response.json()


def test_a_policy_placement_without_reason_and_approver_is_400(api, comanager, street_staff, street):
    response = api.as_user(street_staff).post(LIST, hire_body(street, placement="policy"), format="json")
    assert response.status_code == 400
    assert {"placement_reason", "placement_approver"} <= set(response.json())


def test_bad_input_is_400_not_500(api, street_staff, street, other_grid):
    client = api.as_user(street_staff)
    for body in (hire_body(street, deployment="grids", central_reason="", grids=[other_grid.code]),
                 hire_body(street, deployment="grids", central_reason="", grids=["999999999999999"]),
                 hire_body(street, central_reason=""), hire_body(street, post="nope"),
                 hire_body(street, phone="call me"), hire_body(street, placement_approver="nobody")):
        assert client.post(LIST, body, format="json").status_code == 400, body


def test_wrong_role_is_403(api, street, grid_worker, agency_head, district_command, other_street_staff):
    set_quota(street, 5)
    for user in (grid_worker, agency_head, district_command, other_street_staff):
        assert api.as_user(user).post(LIST, hire_body(street), format="json").status_code == 403, user


def test_another_streets_co_manager_is_404(api, comanager, other_street_staff):
    client = api.as_user(other_street_staff)
    assert client.get(f"{LIST}{comanager.pk}/").status_code == 404
    assert client.post(f"{LIST}{comanager.pk}/leave/", {}, format="json").status_code == 404
    assert client.get(LIST).json()["results"] == []


def test_seen_but_not_staff_may_not_make_them_leave(api, comanager, district_command, grid_worker):
    for user in (district_command, grid_worker):
        assert api.as_user(user).post(f"{LIST}{comanager.pk}/leave/", {}, format="json").status_code == 403


def test_leave_then_leave_again_is_409(api, comanager, street_staff):
    client = api.as_user(street_staff)
    response = client.post(f"{LIST}{comanager.pk}/leave/", {"left_at": "2026-04-01"}, format="json")
    assert response.status_code == 200 and response.json()["left_at"] == "2026-04-01"
    assert client.post(f"{LIST}{comanager.pk}/leave/", {}, format="json").status_code == 409
    assert CoManager.objects.get(pk=comanager.pk).left_at == dt.date(2026, 4, 1)


def test_the_phone_is_masked_outside_the_street(api, comanager, district_command, agency_head, grid_worker):
    for user, phone in ((district_command, "138****1234"), (agency_head, "138****1234"),
                        (grid_worker, "13800001234")):
        response = api.as_user(user).get(f"{LIST}{comanager.pk}/")
        assert response.status_code == 200
        assert response.json()["phone"] == phone, user


def test_a_phone_shown_whole_is_audited_once_per_answer_and_a_masked_one_not_at_all(
        api, client, comanager, street_staff, agency_head):
    viewed = AuditEntry.objects.filter(action="personal_data_viewed", object_type="comanagers.comanager")

    assert api.as_user(agency_head).get(LIST).status_code == 200  # masked: nothing to record
    assert not viewed.exists()
    assert api.as_user(street_staff).get(LIST).json()["results"][0]["phone"] == "13800001234"
    client.force_login(street_staff)
    page = client.get("/comanagers/")
    assert page.status_code == 200 and "13800001234" in page.content.decode()

    assert [(row.actor_username, row.data) for row in viewed.order_by("id")] == [
        (street_staff.username, {"field": "phone", "rows": 1}), (street_staff.username, {"field": "phone", "rows": 1})]


def test_quotas_are_set_by_the_district_command(api, district_command, street_staff, street):
    body = {"street": street.code, "year": 2026, "count": 30}
    assert api.as_user(street_staff).post("/api/v1/comanager-quotas/", body, format="json").status_code == 403
    response = api.as_user(district_command).post("/api/v1/comanager-quotas/", body, format="json")
    assert response.status_code == 201 and response.json()["count"] == 30
    assert api.as_user(district_command).post("/api/v1/comanager-quotas/", {**body, "count": -1},
                                              format="json").status_code == 400
    listed = api.as_user(street_staff).get("/api/v1/comanager-quotas/").json()["results"]
    assert [(row["street"], row["count"]) for row in listed] == [(street.code, 30)]


def test_the_list_takes_a_bounded_number_of_queries(api, comanager, street_staff, django_assert_max_num_queries):
    client = api.as_user(street_staff)
    client.get(LIST)
    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200
