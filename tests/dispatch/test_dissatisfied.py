"""不满意重办: a reporter's "dissatisfied" puts the case on the street's queue 不满意待复核; the street
reopens it (the lead task again, with a new due time) or explains (the reporter reads it). Staff
call-backs (回访) are kept apart from the reporter's own rating."""

from __future__ import annotations

import pytest

from assessment.models import RatingInvitation
from dispatch import services
from dispatch.models import Case, Task
from dispatch.notices import WorkflowNoticeKind
from haidian.workflow import PUBLIC
from notifications.models import Notification
from tests.dispatch.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def dissatisfied_case(closed_case):
    invitation = RatingInvitation.objects.get(case=closed_case)
    return services.case_rate(case=closed_case, actor=PUBLIC, satisfaction="dissatisfied", comment="摊点又回来了",
                              invitation=invitation)


def test_a_dissatisfied_rating_waits_for_the_streets_review(dissatisfied_case, street_staff):
    case = Case.objects.get(pk=dissatisfied_case.pk)
    assert (case.status, case.review, case.satisfaction) == ("closed", "pending", "dissatisfied")
    [note] = Notification.objects.filter(user=street_staff, kind=WorkflowNoticeKind.DISSATISFIED)
    assert "摊点又回来了" in note.body
    staff = signed_in(street_staff)
    queue = staff.get("/workbench/?queue=review").content.decode()
    assert case.number in queue
    assert {"reopen", "explain"} <= {chunk.split('"', 1)[0] for chunk in staff.get(
        f"/cases/{case.number}/").content.decode().split('data-action="')[1:]}


def test_reopening_gives_the_lead_task_back_with_a_new_due_time(api, dissatisfied_case, street_staff, agency_head):
    lead = Task.objects.get(case=dissatisfied_case, role="lead")
    old_due = lead.due_at

    response = api.as_user(street_staff).post(f"/api/v1/cases/{dissatisfied_case.number}/reopen/",
                                              {"note": "重新处置"}, format="json")

    assert response.status_code == 200, response.json()
    reopened_at = dissatisfied_case.events.get(action="reopen").at
    detail = api.as_user(street_staff).get(f"/api/v1/cases/{dissatisfied_case.number}/").json()
    assert (detail["status"], detail["reopen_count"], detail["review"]) == ("dispatched", 1, "reopened")
    lead.refresh_from_db()
    # A new due time: the category's limit counted from the reopening.
    assert lead.status == "accepted" and lead.responded_at is None
    assert lead.due_at == services.due_time(lead.case.category, reopened_at) >= old_due
    # Handled again, closed again, and the reporter may rate the new outcome.
    services.task_respond(task=lead, actor=agency_head, result="已取缔并建立长效巡查")
    closed = services.case_verify(case=Case.objects.get(pk=dissatisfied_case.pk), actor=street_staff, passed=True)
    assert closed.status == "closed" and closed.satisfaction == ""
    invitation = RatingInvitation.objects.get(case=closed)
    assert invitation.used_at is None
    rated = services.case_rate(case=closed, actor=PUBLIC, satisfaction="satisfied", invitation=invitation)
    assert (rated.satisfaction, rated.review) == ("satisfied", "reopened")


def test_explaining_answers_the_reporter_and_leaves_the_case_closed(api, dissatisfied_case, street_staff):
    response = api.as_user(street_staff).post(f"/api/v1/cases/{dissatisfied_case.number}/explain/",
                                              {"note": "该处为合法疏导点，已规范经营时间。"}, format="json")

    assert response.status_code == 200, response.json()
    case = Case.objects.get(pk=dissatisfied_case.pk)
    assert (case.status, case.review, case.satisfaction) == ("closed", "explained", "dissatisfied")
    assert case.events.get(action="explain").note == "该处为合法疏导点，已规范经营时间。"
    assert api.as_user(street_staff).post(f"/api/v1/cases/{case.number}/reopen/", {}, format="json"
                                          ).status_code == 409  # already answered


def test_reopen_or_explain_without_a_dissatisfied_rating_is_a_conflict(api, closed_case, street_staff):
    staff = api.as_user(street_staff)
    assert staff.post(f"/api/v1/cases/{closed_case.number}/reopen/", {}, format="json").status_code == 409
    assert staff.post(f"/api/v1/cases/{closed_case.number}/explain/", {"note": "x"}, format="json"
                      ).status_code == 409


def test_only_the_streets_staff_review(api, dissatisfied_case, agency_head, other_street_staff):
    url = f"/api/v1/cases/{dissatisfied_case.number}/reopen/"
    assert api.as_user(agency_head).post(url, {}, format="json").status_code == 403
    assert api.as_user(other_street_staff).post(url, {}, format="json").status_code == 404


def test_a_staff_call_back_is_kept_apart_from_the_reporters_rating(api, closed_case, street_staff):
    response = api.as_user(street_staff).post(f"/api/v1/cases/{closed_case.number}/rate/",
                                              {"satisfaction": "satisfied", "comment": "电话回访"}, format="json")
    assert response.status_code == 200
    case = Case.objects.get(pk=closed_case.pk)
    assert (case.satisfaction, case.callback_satisfaction, case.callback_note) == ("", "satisfied", "电话回访")
    assert case.review == "" and case.events.last().action == "callback"
    # The reporter's own rating is still to come, and counts by itself.
    invitation = RatingInvitation.objects.get(case=case)
    rated = services.case_rate(case=case, actor=PUBLIC, satisfaction="basically_satisfied", invitation=invitation)
    assert (rated.satisfaction, rated.callback_satisfaction) == ("basically_satisfied", "satisfied")
