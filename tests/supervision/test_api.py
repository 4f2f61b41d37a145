"""The supervision API: its contract's shapes, and every endpoint answering the cast — anonymous 401,
outside your scope 404, the wrong role 403, the wrong moment 409, bad input 400 with field messages; never a
500 (the `api` client fails the test on one)."""

import datetime as dt

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from supervision import services
from supervision.models import BodyMember, Inquiry
from tests.supervision.conftest import DUE, TOWN

BODIES = "/api/v1/supervision/bodies/"
INQUIRIES = "/api/v1/inquiries/"
TASKS = "/api/v1/workplan/tasks/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


# --- bodies --------------------------------------------------------------------------------------

def test_a_body_is_created_and_listed_with_its_members(api, street, street_staff, secretary):
    client = api.as_user(street_staff)
    response = client.post(BODIES, {"street": street.code, "kind": "democratic_committee"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["street"], body["kind"], body["active"], body["members"]) == (
        street.code, "democratic_committee", True, [])
    url = f"{BODIES}{body['id']}/members/"
    added = client.post(url, {"name": "王秘书", "user": secretary.username, "is_secretary": True}, format="json")
    assert added.status_code == 201, added.json()
    assert (added.json()["user"], added.json()["is_secretary"], added.json()["left_on"]) == (
        "secretary", True, None)
    assert [m["name"] for m in client.get(url).json()] == ["王秘书"]
    assert client.get(f"{BODIES}{body['id']}/").json()["members"][0]["name"] == "王秘书"


def test_a_town_only_kind_for_a_street_is_a_400_naming_the_kind(api, street, street_staff):
    response = api.as_user(street_staff).post(BODIES, {"street": street.code, "kind": "town_peoples_congress"},
                                              format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["kind"] and "not a town" in response.json()["kind"][0]
    town = api.as_user(street_staff).post(BODIES, {"street": TOWN, "kind": "town_peoples_congress"}, format="json")
    assert town.status_code == 403  # a town's bodies are its own staff's or the command center's


def test_bodies_answer_the_cast(api, committee, street, street_staff, other_street_staff, agency_head,
                                district_command, department_admin, secretary, seats, nobody, other_agency_head):
    url = f"{BODIES}{committee.pk}/"
    assert api.get(url).status_code == 401
    for person in (street_staff, agency_head, district_command, department_admin, secretary):
        assert api.as_user(person).get(url).status_code == 200, person
        assert committee.pk in ids(api.as_user(person).get(BODIES))
    for person in (other_street_staff, other_agency_head, nobody):
        assert api.as_user(person).get(url).status_code == 404, person
        assert api.as_user(person).get(f"{url}members/").status_code == 404
        assert ids(api.as_user(person).get(BODIES)) == []
    member = {"name": "新委员"}
    assert api.as_user(agency_head).post(f"{url}members/", member, format="json").status_code == 403
    assert api.as_user(secretary).post(f"{url}members/", member, format="json").status_code == 403
    assert api.as_user(district_command).post(f"{url}members/", member, format="json").status_code == 201
    second = {"street": street.code, "kind": "democratic_committee"}
    assert api.as_user(street_staff).post(BODIES, second, format="json").status_code == 409
    assert api.as_user(other_street_staff).post(BODIES, second, format="json").status_code == 403


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"),
    ({"name": "x", "is_secretary": True}, "user"),
    ({"name": "x", "user": "no-such-account"}, "user"),
    ({"name": "x", "joined_on": "yesterday"}, "joined_on"),
])
def test_bad_members_are_refused_with_the_fields_message(api, committee, street_staff, data, field):
    response = api.as_user(street_staff).post(f"{BODIES}{committee.pk}/members/", data, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field] and response.json()[field]
    assert not BodyMember.objects.exists()


def test_a_second_secretary_is_a_conflict(api, committee, seats, street_staff, nobody):
    response = api.as_user(street_staff).post(f"{BODIES}{committee.pk}/members/", {
        "name": "赵委员", "user": nobody.username, "is_secretary": True}, format="json")
    assert response.status_code == 409


def test_meetings_are_recorded_with_their_attendees(api, committee, seats, street_staff, agency_head):
    url = f"{BODIES}{committee.pk}/meetings/"
    data = {"held_at": "2026-11-05T14:00:00+08:00", "topic": "听取派出所工作汇报",
            "attendees": [seats[0].pk, seats[2].pk]}
    assert api.as_user(agency_head).post(url, data, format="json").status_code == 403
    response = api.as_user(street_staff).post(url, data, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["attendees"]) == sorted([seats[0].pk, seats[2].pk])
    assert [m["topic"] for m in api.as_user(agency_head).get(url).json()] == ["听取派出所工作汇报"]
    bad = api.as_user(street_staff).post(url, {**data, "attendees": [999999]}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["attendees"]


# --- inquiries -----------------------------------------------------------------------------------

def test_a_secretary_puts_an_inquiry_and_the_agency_answers_it(api, committee, seats, secretary, agency_head,
                                                               agency):
    put = api.as_user(secretary).post(INQUIRIES, {"body": committee.pk, "target": agency.code, "subject": "夜间噪声",
                                                  "question": "请说明整改措施。"}, format="json")
    assert put.status_code == 201, put.json()
    body = put.json()
    assert (body["body"], body["target_kind"], body["target"], body["target_name"], body["status"],
            body["asked_by"], body["overdue"]) == (committee.pk, "agency", agency.code, agency.name, "asked",
                                                   "secretary", False)
    assert dt.datetime.fromisoformat(body["answer_due_at"]) > dt.datetime.fromisoformat(body["asked_at"])
    answered = api.as_user(agency_head).post(f"{INQUIRIES}{body['id']}/answer/", {"answer": "已整改。"}, format="json")
    assert answered.status_code == 200, answered.json()
    assert (answered.json()["status"], answered.json()["answer"], answered.json()["answered_by"]) == (
        "answered", "已整改。", "agency-head")
    assert api.as_user(agency_head).post(f"{INQUIRIES}{body['id']}/answer/", {"answer": "again"},
                                         format="json").status_code == 409


def test_inquiries_answer_the_cast(api, inquiry, street_staff, agency_head, department_admin, district_command,
                                   secretary, member_user, other_street_staff, other_agency_head, cooperating_head,
                                   nobody):
    url = f"{INQUIRIES}{inquiry.pk}/"
    assert api.get(url).status_code == 401
    for person in (street_staff, agency_head, department_admin, district_command, secretary, member_user):
        assert api.as_user(person).get(url).status_code == 200, person
        assert ids(api.as_user(person).get(INQUIRIES)) == [inquiry.pk]
    for person in (other_street_staff, other_agency_head, cooperating_head, nobody):
        assert api.as_user(person).get(url).status_code == 404, person
        assert ids(api.as_user(person).get(INQUIRIES)) == []
        assert api.as_user(person).post(f"{url}answer/", {"answer": "x"}, format="json").status_code == 404
    for person in (street_staff, secretary, department_admin, district_command):
        assert api.as_user(person).post(f"{url}answer/", {"answer": "x"}, format="json").status_code == 403, person
    assert api.as_user(agency_head).post(f"{url}answer/", {"answer": ""}, format="json").status_code == 400
    assert Inquiry.objects.get(pk=inquiry.pk).status == "asked"


def test_overdue_lists_only_the_late_inquiries(api, inquiry, street_inquiry, street_staff, agency_head):
    client = api.as_user(street_staff)
    assert ids(client.get(f"{INQUIRIES}?overdue=1")) == [street_inquiry.pk, inquiry.pk]  # both long past due
    services.inquiry_answer(inquiry=inquiry, actor=agency_head, answer="a", now=DUE)
    assert ids(client.get(f"{INQUIRIES}?overdue=1")) == [street_inquiry.pk]
    assert ids(client.get(f"{INQUIRIES}?overdue=0")) == [street_inquiry.pk, inquiry.pk]
    response = client.get(f"{INQUIRIES}?overdue=maybe")
    assert response.status_code == 400 and list(response.json()) == ["overdue"]


@pytest.mark.parametrize(("data", "field"), [
    ({"target": "110108007-pcs", "subject": "s", "question": "q"}, "body"),
    ({"body": "other", "target": "110108007-pcs", "subject": "s", "question": "q"}, "body"),
    ({"body": "mine", "target": "110108010-pcs", "subject": "s", "question": "q"}, "target"),
    ({"body": "mine", "target": "110108007-pcs", "subject": "", "question": "q"}, "subject"),
    ({"body": "mine", "target": "110108007-pcs", "subject": "s", "question": "q",
      "answer_due_at": "2020-01-01T00:00:00+08:00"}, "answer_due_at"),
])
def test_bad_inquiries_are_refused_with_the_fields_message(api, committee, seats, secretary, district_command,
                                                           other_street, data, field):
    other = services.body_create(actor=district_command, street=other_street, kind="democratic_committee")
    data = {**data, **({"body": {"mine": committee.pk, "other": other.pk}[data["body"]]} if "body" in data else {})}
    response = api.as_user(secretary).post(INQUIRIES, data, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field] and response.json()[field]
    assert not Inquiry.objects.exists()


def test_someone_who_sees_the_body_but_is_not_its_secretary_may_not_put(api, committee, seats, member_user,
                                                                         agency_head, agency):
    data = {"body": committee.pk, "target": agency.code, "subject": "s", "question": "q"}
    for person in (member_user, agency_head):
        assert api.as_user(person).post(INQUIRIES, data, format="json").status_code == 403


def test_the_inquiry_list_reads_a_fixed_number_of_queries(api, committee, seats, secretary, agency, street_staff,
                                                          django_assert_max_num_queries):
    client = api.as_user(street_staff)
    client.get(INQUIRIES)
    for n in range(6):
        services.inquiry_put(body=committee, actor=secretary, target=agency.code, subject=f"s{n}", question="q")
    with django_assert_max_num_queries(6):
        assert len(ids(client.get(INQUIRIES))) == 6


# --- 折子工程 ------------------------------------------------------------------------------------

@pytest.fixture
def task(district_command, department):
    return services.task_create(actor=district_command, year=2026, code="2026-01", title="司法所属地管理",
                                owner=department.code, deadline=dt.date(2026, 6, 30))


def test_the_command_center_creates_a_task_and_it_is_listed_overdue_first(api, task, district_command, street,
                                                                          department_admin):
    client = api.as_user(district_command)
    response = client.post(TASKS, {"year": 2026, "code": "2026-02", "title": "组建联合执法队", "owner": street.code,
                                   "deadline": "2099-06-30", "clause": "组建街、镇联合执法队"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["owner_kind"], body["owner"], body["overdue"], body["progress_reports"], body["inspections"]) == (
        "street", street.code, False, [], [])
    listed = client.get(TASKS).json()["results"]
    assert [(row["code"], row["overdue"]) for row in listed] == [("2026-01", True), ("2026-02", False)]
    assert [row["code"] for row in client.get(f"{TASKS}?overdue=1").json()["results"]] == ["2026-01"]
    assert client.get(f"{TASKS}?year=2025").json()["results"] == []
    assert client.get(f"{TASKS}?year=soon").status_code == 400
    assert client.post(TASKS, {"year": 2026, "code": "2026-02", "title": "x", "owner": street.code,
                               "deadline": "2026-06-30"}, format="json").status_code == 409
    assert api.as_user(department_admin).post(TASKS, {"year": 2026, "code": "x", "title": "x", "owner": street.code,
                                                      "deadline": "2026-06-30"}, format="json").status_code == 403
    bad = client.post(TASKS, {"year": 2026, "code": "y", "title": "x", "owner": "nowhere", "deadline": "2026-06-30"},
                      format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["owner"]


def test_task_steps_answer_the_cast(api, task, department_admin, district_command, street_staff, agency_head,
                                    nobody):
    url = f"{TASKS}{task.pk}/"
    assert api.get(url).status_code == 401
    for person in (street_staff, agency_head, nobody):  # not the owner's, not the district's
        assert api.as_user(person).get(url).status_code == 404
        assert api.as_user(person).post(f"{url}progress/", {"text": "x", "percent": 5},
                                        format="json").status_code == 404
    progress = {"text": "方案已报审。", "percent": 30}
    assert api.as_user(district_command).post(f"{url}progress/", progress, format="json").status_code == 403
    response = api.as_user(department_admin).post(f"{url}progress/", progress, format="json")
    assert response.status_code == 201 and response.json()["percent"] == 30
    bad = api.as_user(department_admin).post(f"{url}progress/", {"text": "x", "percent": 130}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["percent"]
    inspection = {"finding": "进度滞后", "verdict": "behind", "rectify_by": "2099-01-01"}
    assert api.as_user(department_admin).post(f"{url}inspections/", inspection, format="json").status_code == 403
    response = api.as_user(district_command).post(f"{url}inspections/", inspection, format="json")
    assert response.status_code == 201 and response.json()["verdict"] == "behind"
    assert api.as_user(district_command).post(f"{url}inspections/", {**inspection, "verdict": "fine"},
                                              format="json").status_code == 400
    assert api.as_user(district_command).post(f"{url}done/").status_code == 403
    done = api.as_user(department_admin).post(f"{url}done/")
    assert done.status_code == 200 and done.json()["done_at"] and done.json()["overdue"]  # done after 30 June
    assert api.as_user(department_admin).post(f"{url}done/").status_code == 409
    assert api.as_user(department_admin).post(f"{url}progress/", progress, format="json").status_code == 409
    detail = api.as_user(district_command).get(url).json()
    assert (len(detail["progress_reports"]), len(detail["inspections"])) == (1, 1)


def test_the_openapi_schema_documents_the_endpoints(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    for path in (b"/api/v1/supervision/bodies/", b"/api/v1/supervision/bodies/{id}/members/",
                 b"/api/v1/supervision/bodies/{id}/meetings/", b"/api/v1/inquiries/", b"/api/v1/inquiries/{id}/answer/",
                 b"/api/v1/workplan/tasks/", b"/api/v1/workplan/tasks/{id}/progress/",
                 b"/api/v1/workplan/tasks/{id}/inspections/", b"/api/v1/workplan/tasks/{id}/done/"):
        assert path in schema.content, path


def test_the_schema_builds_without_a_warning_of_ours(db):
    """No warning names this app's views or serializers, and the choice sets whose field names other apps
    use too ("kind", "verdict") keep one name each — appointments' verdicts stay `VerdictEnum`."""
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    ours = [message for message in GENERATOR_STATS._warn_cache if "supervision" in message.lower()
            or '"verdict"' in message]
    GENERATOR_STATS.reset()
    assert ours == []
    names = set(schema["components"]["schemas"])
    assert {"SupervisoryBodyKindEnum", "InspectionVerdictEnum", "VerdictEnum", "WorkPlanTask", "Inquiry"} <= names
