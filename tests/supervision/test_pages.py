"""The pages: the inquiries with the form to put one (for the secretary and the street's staff), each
inquiry with the answer form for its target; the 折子工程 with overdue tasks first and marked, each task
with its progress, inspections and the forms for its owner and the command center; the bodies. Every POST
calls the same services as the API."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from haidian.navigation import workplaces
from supervision import services
from supervision.models import Inquiry, InquiryStatus, WorkPlanTask
from tests.dispatch.conftest import forms_on, signed_in

LIST = "/supervision/inquiries/"
WORKPLAN = "/supervision/workplan/"


def detail(inquiry) -> str:
    return reverse("supervision:inquiry", args=[inquiry.pk])


# --- inquiries -----------------------------------------------------------------------------------

def test_the_secretary_sees_the_inquiries_and_the_form_to_put_one(inquiry, secretary):
    response = signed_in(secretary).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "夜间噪声扰民" in html and f'id="inquiry-{inquiry.pk}"' in html
    assert forms_on(response) == {"put"}


def test_an_overdue_inquiry_is_marked_and_listed_on_its_own(inquiry, street_inquiry, street_staff, agency_head):
    services.inquiry_answer(inquiry=street_inquiry, actor=street_staff, answer="a", now=street_inquiry.asked_at)
    html = signed_in(street_staff).get(LIST).content.decode()
    assert f'<tr id="inquiry-{inquiry.pk}" class="red"' in html  # long past its due time, unanswered
    assert f'<tr id="inquiry-{street_inquiry.pk}" class=""' in html
    overdue = signed_in(street_staff).get(f"{LIST}?overdue=1").content.decode()
    assert f'id="inquiry-{inquiry.pk}"' in overdue and f'id="inquiry-{street_inquiry.pk}"' not in overdue


def test_putting_an_inquiry_from_the_page(committee, seats, secretary, agency):
    response = signed_in(secretary).post(LIST, {"body": committee.pk, "target": agency.code, "subject": "占道经营",
                                                "question": "请说明早市占道经营的治理计划。"})
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response.url == detail(inquiry)
    assert (inquiry.target_agency, inquiry.asked_by) == (agency, secretary)


def test_a_bad_put_shows_the_form_again_with_the_fields_message(committee, seats, secretary):
    response = signed_in(secretary).post(LIST, {"body": committee.pk, "target": "110108010-pcs", "subject": "s",
                                                "question": "q"})
    assert response.status_code == 400 and not Inquiry.objects.exists()


def test_the_target_sees_the_answer_form_and_others_do_not(inquiry, agency_head, secretary, street_staff,
                                                           other_agency_head):
    assert forms_on(signed_in(agency_head).get(detail(inquiry))) == {"answer"}
    for person in (secretary, street_staff):
        response = signed_in(person).get(detail(inquiry))
        assert response.status_code == 200 and forms_on(response) == set()
    assert signed_in(other_agency_head).get(detail(inquiry)).status_code == 404


def test_answering_from_the_page(inquiry, agency_head, secretary):
    url = reverse("supervision:inquiry-act", args=[inquiry.pk, "answer"])
    response = signed_in(agency_head).post(url, {"answer-answer": "已约谈施工单位。"})
    assert response.status_code == 302 and response.url == detail(inquiry)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.answer) == (InquiryStatus.ANSWERED, "已约谈施工单位。")
    page = signed_in(secretary).get(detail(inquiry)).content.decode()
    assert "已约谈施工单位。" in page
    again = signed_in(agency_head).post(url, {"answer-answer": "again"})
    assert again.status_code == 409
    assert signed_in(secretary).post(url, {"answer-answer": "x"}).status_code == 403


def test_nobody_sees_no_inquiry_page(inquiry, nobody):
    assert signed_in(nobody).get(LIST).status_code == 404
    assert signed_in(nobody).get(detail(inquiry)).status_code == 404


def test_the_inquiry_list_reads_a_fixed_number_of_queries(committee, seats, secretary, agency, street_staff,
                                                          django_assert_max_num_queries):
    client = signed_in(street_staff)
    client.get(LIST)  # warm up; then: session, user, memberships, the scope, the bodies to ask for and their
    # targets (the form), the inquiries, unread notifications
    for n in range(8):
        services.inquiry_put(body=committee, actor=secretary, target=agency.code, subject=f"第{n}件", question="q")
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.content.decode().count('<tr id="inquiry-') == 8


def test_the_bodies_page_lists_the_serving_members(committee, seats, street_staff, nobody):
    html = signed_in(street_staff).get("/supervision/bodies/").content.decode()
    assert committee.name in html and "王秘书" in html and "张委员" in html
    assert signed_in(nobody).get("/supervision/bodies/").status_code == 404


# --- 折子工程 ------------------------------------------------------------------------------------

@pytest.fixture
def tasks(district_command, department, street):
    def make(code, owner, deadline):
        return services.task_create(actor=district_command, year=2026, code=code, title=f"任务{code}",
                                    owner=owner.code, deadline=deadline, clause="对司法所、统计所实行属地管理。")
    return [make("2026-01", street, dt.date(2099, 6, 30)), make("2026-02", department, dt.date(2026, 6, 30)),
            make("2026-03", street, dt.date(2026, 1, 31))]


def test_the_work_plan_lists_overdue_tasks_first_and_marked(tasks, district_command):
    response = signed_in(district_command).get(WORKPLAN)
    html = response.content.decode()
    rows = [html.index(f'id="task-{task.pk}"') for task in tasks]
    assert rows[2] < rows[1] < rows[0]  # the two overdue ones by deadline, then the one still in time
    assert f'<tr id="task-{tasks[1].pk}" class="red" data-overdue="1">' in html
    assert f'<tr id="task-{tasks[0].pk}" class="" data-overdue="0">' in html
    assert forms_on(response) == {"add-task"}
    only = signed_in(district_command).get(f"{WORKPLAN}?overdue=1").content.decode()
    assert f'id="task-{tasks[0].pk}"' not in only


def test_the_command_center_adds_a_task_from_the_page(district_command, street):
    response = signed_in(district_command).post(WORKPLAN, {"year": 2026, "code": "2026-09", "title": "建立统筹激励机制",
                                                           "owner": street.code, "deadline": "2026-06-30"})
    task = WorkPlanTask.objects.get()
    assert response.status_code == 302 and response.url == reverse("supervision:task", args=[task.pk])


def test_the_owner_sees_the_progress_and_done_forms_the_command_center_the_inspection(tasks, street_staff,
                                                                                      district_command,
                                                                                      department_admin):
    street_task = tasks[0]
    url = reverse("supervision:task", args=[street_task.pk])
    assert forms_on(signed_in(street_staff).get(url)) == {"progress", "done"}
    assert forms_on(signed_in(district_command).get(url)) == {"inspect"}
    assert signed_in(department_admin).get(url).status_code == 404  # another owner's task
    assert forms_on(signed_in(street_staff).get(WORKPLAN)) == set()


def test_progress_done_and_inspection_from_the_task_page(tasks, street_staff, district_command):
    task = tasks[2]
    act = lambda step: reverse("supervision:task-act", args=[task.pk, step])  # noqa: E731
    assert signed_in(street_staff).post(act("progress"), {"progress-text": "已完成80%。",
                                                          "progress-percent": 80}).status_code == 302
    assert signed_in(district_command).post(act("progress"), {"progress-text": "x",
                                                              "progress-percent": 1}).status_code == 403
    inspection = {"inspect-finding": "超期未完成。", "inspect-verdict": "failed", "inspect-rectify_by": "2099-01-31"}
    assert signed_in(district_command).post(act("inspect"), inspection).status_code == 302
    assert signed_in(street_staff).post(act("done")).status_code == 302
    html = signed_in(district_command).get(reverse("supervision:task", args=[task.pk])).content.decode()
    assert "已完成80%。" in html and "超期未完成。" in html and 'class="tag red"' in html  # done late: overdue


def test_the_header_links_the_pages_for_their_roles(street_staff, agency_head, department_admin, district_command,
                                                    nobody):
    def links(user):
        request = RequestFactory().get("/")
        request.user = user
        return {url for url, _label in workplaces(request).get("workplaces", [])}

    for person in (street_staff, department_admin, district_command):
        assert {LIST, WORKPLAN} <= links(person)
    assert LIST in links(agency_head) and WORKPLAN not in links(agency_head)
    assert links(nobody) == set()
