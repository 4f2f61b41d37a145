"""The workflow pages: who sees which page and which action, what a refused action says, query pins."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from dispatch.models import Case, CaseStatus, TaskStatus
from tests.dispatch.conftest import forms_on, lead_task, signed_in

pytestmark = pytest.mark.django_db


# --- who sees which page -------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "allowed"), [
    ("/workbench/", "street_staff"), ("/grid/", "grid_worker"), ("/grid/report/", "grid_worker"),
    ("/inbox/", "agency_head"), ("/command/", "district_command"),
])
def test_each_workplace_page_is_for_its_role_only(path, allowed, request, street_staff, grid_worker, agency_head,
                                                  district_command):
    cast = {"street_staff": street_staff, "grid_worker": grid_worker, "agency_head": agency_head,
            "district_command": district_command}
    for role, user in cast.items():
        expected = 200 if role == allowed or (path == "/grid/report/" and role == "street_staff") else 404
        assert signed_in(user).get(path).status_code == expected, (path, role)


def test_pages_need_a_login():
    response = Client().get("/workbench/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_header_links_to_my_workplaces_and_counts_what_waits(street_staff, reported_case):
    client = signed_in(street_staff)
    page = client.get("/").content.decode()
    assert 'href="/workbench/"' in page and 'href="/inbox/"' not in page
    assert '<span class="badge badge-on"' in client.get("/waiting/").content.decode()


# --- the workbench ---------------------------------------------------------------------------------

def test_the_workbench_counts_each_queue_and_lists_the_chosen_one(street_staff, make_case, workflow):
    reported, filed = make_case(title="井盖缺失"), workflow.file(make_case(title="路灯不亮"))

    page = signed_in(street_staff).get("/workbench/?queue=filed")

    html = page.content.decode()
    assert page.status_code == 200
    assert filed.number in html and reported.number not in html
    counts = page.context["queues"]
    assert {q["status"]: q["count"] for q in counts}[CaseStatus.REPORTED] == 1
    assert {q["status"]: q["count"] for q in counts}[CaseStatus.FILED] == 1


def test_the_workbench_finds_a_case_by_number_and_by_words(street_staff, make_case):
    wanted, other = make_case(title="井盖缺失"), make_case(title="路灯不亮")
    client = signed_in(street_staff)

    by_number = client.get(f"/workbench/?queue=reported&q={wanted.number}").content.decode()
    by_words = client.get("/workbench/?queue=reported&q=路灯").content.decode()

    assert wanted.number in by_number and other.number not in by_number
    assert other.number in by_words and wanted.number not in by_words


def test_the_workbench_pages_older_cases_with_a_cursor(street_staff, make_case, settings, monkeypatch):
    from dispatch import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    cases = [make_case(title=f"案件{i}") for i in range(3)]
    client = signed_in(street_staff)

    first = client.get("/workbench/?queue=reported")
    second = client.get(f"/workbench/{first.context['next_url']}")

    assert [row["case"].number for row in first.context["rows"]] == [cases[2].number, cases[1].number]
    assert [row["case"].number for row in second.context["rows"]] == [cases[0].number]


def test_workbench_queries_do_not_grow_with_the_page(street_staff, make_case, workflow, django_assert_max_num_queries):
    client = signed_in(street_staff)
    for _ in range(2):
        workflow.dispatch(make_case())
    with django_assert_max_num_queries(14):
        client.get("/workbench/?queue=dispatched")
    for _ in range(8):
        workflow.dispatch(make_case())
    with django_assert_max_num_queries(14):
        assert len(client.get("/workbench/?queue=dispatched").context["rows"]) == 10


@pytest.mark.parametrize(("path", "user_fixture"), [
    ("/inbox/", "agency_head"), ("/grid/", "grid_worker"), ("/command/", "district_command"),
])
def test_queue_pages_keep_a_constant_number_of_queries(path, user_fixture, request, make_case, workflow,
                                                       django_assert_max_num_queries):
    client = signed_in(request.getfixturevalue(user_fixture))
    for _ in range(6):
        workflow.respond(make_case())
    with django_assert_max_num_queries(14):
        client.get(path)


# --- the case page ---------------------------------------------------------------------------------

def test_each_person_sees_only_the_actions_they_may_take_now(reported_case, workflow, street_staff, grid_worker,
                                                            agency_head, district_command):
    number = reported_case.number
    # The street may also blow the whistle on any open case (吹哨报到, a link to its form).
    assert forms_on(signed_in(street_staff).get(f"/cases/{number}/")) == {"file", "reject", "whistle"}
    assert forms_on(signed_in(grid_worker).get(f"/cases/{number}/")) == {"resolve_on_site"}
    assert forms_on(signed_in(district_command).get(f"/cases/{number}/")) == set()

    case = workflow.dispatch(reported_case)
    assert forms_on(signed_in(street_staff).get(f"/cases/{number}/")) == {"escalate", "whistle"}
    assert forms_on(signed_in(agency_head).get(f"/cases/{number}/")) >= {"accept", "return", "respond",
                                                                          "request_extension"}
    workflow.respond(case)
    assert forms_on(signed_in(grid_worker).get(f"/cases/{number}/")) == {"verify"}


def test_posting_an_action_one_may_not_take_is_refused_with_the_reason(reported_case, agency_head, category,
                                                                         street_staff):
    response = signed_in(agency_head).post(f"/cases/{reported_case.number}/do/file/",
                                           {"file-category": category.pk, "file-priority": "normal"})

    assert response.status_code == 404  # the agency has no task on it: the case does not exist for them

    other = signed_in(street_staff).post(f"/cases/{reported_case.number}/do/dispatch/",
                                         {"dispatch-lead": "110108007-pcs"})
    assert other.status_code == 409
    assert "Cannot dispatch" in other.content.decode()
    reported_case.refresh_from_db()
    assert reported_case.status == CaseStatus.REPORTED


def test_a_handler_posting_a_street_action_gets_403_and_nothing_changes(dispatched_case, agency_head):
    response = signed_in(agency_head).post(f"/cases/{dispatched_case.number}/do/escalate/",
                                           {"escalate-reason": "试试"})

    assert response.status_code == 403
    assert "Only the sub-center staff" in response.content.decode()
    dispatched_case.refresh_from_db()
    assert dispatched_case.tier == "street"


def test_bad_input_is_shown_next_to_its_field(reported_case, street_staff):
    response = signed_in(street_staff).post(f"/cases/{reported_case.number}/do/file/", {"file-priority": "normal"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist"' in html and "This field is required." in html


def test_the_whole_path_through_the_pages(grid_worker, street_staff, agency_head, category, agency, grid):
    reporter = signed_in(grid_worker)
    created = reporter.post("/grid/report/", {"title": "井盖缺失", "lat": grid.centroid_lat,
                                              "lng": grid.centroid_lng, "description": "人行道井盖缺失"})
    assert created.status_code == 302
    case = Case.objects.get(title="井盖缺失")
    number = case.number
    staff = signed_in(street_staff)
    assert staff.post(f"/cases/{number}/do/file/", {"file-category": category.pk,
                                                   "file-priority": "normal"}).status_code == 302
    assert staff.post(f"/cases/{number}/do/dispatch/", {"dispatch-lead": agency.code}).status_code == 302
    task = lead_task(case)
    handler = signed_in(agency_head)
    assert handler.post(f"/tasks/{task.pk}/do/accept/").status_code == 302
    assert handler.post(f"/tasks/{task.pk}/do/respond/",
                        {f"task{task.pk}-respond-result": "已修复"}).status_code == 302
    assert reporter.post(f"/cases/{number}/do/verify/", {"verify-passed": "1", "verify-note": "现场已修复"}
                         ).status_code == 302
    case.refresh_from_db()
    task.refresh_from_db()
    assert (case.status, task.status) == (CaseStatus.CLOSED, TaskStatus.RESPONDED)
    assert list(case.events.values_list("action", flat=True)) == [
        "create", "file", "dispatch", "accept", "respond", "verify_passed"]


@pytest.mark.parametrize(("title", "code"), [("小区门口流浪犬伤人", "A02-06"), ("人行道井盖丢了", "A05-05"),
                                             ("早市菜摊占道经营", "A05-01")])
def test_a_report_title_suggests_its_category(title, code, grid_worker):
    from dispatch.selectors import suggest_category

    assert suggest_category(title).code == code
    assert code in signed_in(grid_worker).get("/grid/suggest/", {"title": title}).content.decode()


def test_nothing_is_suggested_for_a_title_that_matches_no_category(grid_worker):
    assert "data-category" not in signed_in(grid_worker).get("/grid/suggest/", {"title": "你好"}).content.decode()


def test_the_street_escalates_and_the_command_center_dispatches_to_a_department(filed_case, street_staff,
                                                                                 district_command, department):
    staff = signed_in(street_staff)
    assert staff.post(f"/cases/{filed_case.number}/do/escalate/", {"escalate-reason": "需区级协调"}).status_code == 302

    command = signed_in(district_command)
    assert filed_case.number in command.get("/command/").content.decode()
    # It dispatches the case to a department, or sends it back down to the street.
    assert forms_on(command.get(f"/cases/{filed_case.number}/")) == {"dispatch", "send_down"}
    assert command.post(f"/cases/{filed_case.number}/do/dispatch/",
                        {"dispatch-lead": department.code}).status_code == 302
    filed_case.refresh_from_db()
    assert (filed_case.tier, filed_case.status) == ("district", CaseStatus.DISPATCHED)
    assert lead_task(filed_case).department == department


def test_an_extension_is_asked_on_the_case_page_and_approved_by_the_street(dispatched_case, agency_head,
                                                                          street_staff):
    task = lead_task(dispatched_case)
    until = timezone.localtime(task.due_at + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")  # Asia/Shanghai
    handler = signed_in(agency_head)
    assert handler.post(f"/tasks/{task.pk}/do/request_extension/", {
        f"task{task.pk}-request_extension-until": until,
        f"task{task.pk}-request_extension-reason": "需协调产权单位"}).status_code == 302

    staff = signed_in(street_staff)
    assert "approve_extension" in forms_on(staff.get(f"/cases/{dispatched_case.number}/"))
    assert staff.post(f"/tasks/{task.pk}/do/approve_extension/").status_code == 302
    task.refresh_from_db()
    assert task.extension_status == "approved"
    assert timezone.localtime(task.due_at).strftime("%Y-%m-%dT%H:%M") == until


def test_the_workbench_marks_a_task_past_its_yellow_point_and_one_past_due(street_staff, make_case, workflow, agency):
    from dispatch import services

    now = timezone.now()
    ten_days_ago = now - dt.timedelta(days=10)
    for title, due in (("黄牌案件", now + dt.timedelta(hours=1)), ("红牌案件", now - dt.timedelta(hours=1))):
        case = workflow.file(make_case(title=title, now=ten_days_ago), now=ten_days_ago)
        services.case_dispatch(case=case, actor=street_staff, lead=agency.code, due_at=due, now=ten_days_ago)

    rows = signed_in(street_staff).get("/workbench/?queue=dispatched").context["rows"]

    assert {row["case"].title: row["mark"] for row in rows} == {"黄牌案件": "yellow", "红牌案件": "red"}
    assert all(row["lead"].warn_at < now for row in rows)


def test_the_case_page_masks_the_reporters_phone_for_the_agency_only(dispatched_case, street_staff, agency_head):
    from tests.dispatch.conftest import REPORTER_PHONE

    masked = f"{REPORTER_PHONE[:3]}****{REPORTER_PHONE[-4:]}"
    staff_page = signed_in(street_staff).get(f"/cases/{dispatched_case.number}/").content.decode()
    agency_page = signed_in(agency_head).get(f"/cases/{dispatched_case.number}/").content.decode()

    assert REPORTER_PHONE in staff_page
    assert masked in agency_page and REPORTER_PHONE not in agency_page
