"""质询: a body's secretary (or the street's staff for it) questions the street or an agency serving it; the
target's people answer in writing, once, by the due time (ten working days by default) or late; an
inquiry nobody answered goes overdue by the sweep. Each side is told."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_celery_beat.models import PeriodicTask

from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from notifications.models import Notification
from supervision import services, tasks
from supervision.models import Inquiry, InquiryEvent, InquiryStatus
from supervision.selectors import inquiry_figures
from tests.supervision.conftest import ASKED, DUE, MINUTE

ANSWER = "已约谈施工单位，夜间22时后停止施工，派出所每晚巡查。"


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_an_inquiry_is_due_ten_working_days_later_and_the_agency_is_told(inquiry, agency_head, agency_staff,
                                                                         secretary, agency):
    assert (inquiry.status, inquiry.target, inquiry.asked_by, inquiry.answer_due_at) == (
        InquiryStatus.ASKED, agency, secretary, DUE)
    assert not inquiry.ever_overdue
    event = InquiryEvent.objects.get(inquiry=inquiry)
    assert (event.action, event.to_status, event.actor) == ("ask", "asked", secretary)
    assert event.actor_unit.endswith(inquiry.body.name)


def test_the_target_agencys_people_are_told_when_asked(committee, seats, secretary, agency, agency_head,
                                                       agency_staff, street_staff):
    services.inquiry_put(body=committee, actor=secretary, target=agency.code, subject="s", question="q", now=ASKED)
    assert told("inquiry_asked") == ["agency-head", "agency-staff"]


def test_an_inquiry_to_the_street_is_told_to_its_staff(street_inquiry, street_staff, street):
    assert street_inquiry.target == street
    assert told("inquiry_asked") == ["street-staff"]


@override_settings(SUPERVISION_INQUIRY_WORKING_DAYS=3)
def test_the_default_time_to_answer_comes_from_the_settings(committee, seats, secretary, agency):
    inquiry = services.inquiry_put(body=committee, actor=secretary, target=agency.code, subject="s", question="q",
                                   now=ASKED)
    assert inquiry.answer_due_at == ASKED + dt.timedelta(days=3)  # Monday 09:00 → Thursday 09:00


def test_an_answer_by_the_due_time_is_on_time_and_the_secretary_is_told(inquiry, agency_head, secretary):
    services.inquiry_answer(inquiry=inquiry, actor=agency_head, answer=ANSWER, now=DUE)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.answer, inquiry.answered_at, inquiry.answered_by, inquiry.ever_overdue) == (
        InquiryStatus.ANSWERED, ANSWER, DUE, agency_head, False)
    assert not inquiry.is_overdue(DUE + dt.timedelta(days=30))
    assert told("inquiry_answered") == ["secretary"]
    assert inquiry_figures(start=ASKED, end=DUE + MINUTE)[("agency", inquiry.target_agency_id)] == {
        "inquiries": 1, "answered_on_time": 1, "overdue": 0}


def test_an_answer_after_the_due_time_is_late_and_counted_overdue(inquiry, agency_staff):
    services.inquiry_answer(inquiry=inquiry, actor=agency_staff, answer=ANSWER, now=DUE + MINUTE)
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ANSWERED and inquiry.ever_overdue
    assert InquiryEvent.objects.get(inquiry=inquiry, action="answer").data == {"late": True}
    assert inquiry_figures(start=ASKED, end=DUE + 60 * MINUTE)[("agency", inquiry.target_agency_id)] == {
        "inquiries": 1, "answered_on_time": 0, "overdue": 1}


def test_an_inquiry_nobody_answered_goes_overdue_by_the_sweep_once(inquiry, agency_head, agency_staff, secretary):
    assert services.inquiry_sweep(now=DUE).overdue == 0  # due at 09:00 sharp: not late yet
    first = services.inquiry_sweep(now=DUE + MINUTE)
    second = services.inquiry_sweep(now=DUE + 60 * MINUTE)
    assert (first.overdue, first.notifications, second.overdue, second.notifications) == (1, 3, 0, 0)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.ever_overdue) == (InquiryStatus.ASKED, True)
    assert told("inquiry_overdue") == ["agency-head", "agency-staff", "secretary"]
    assert InquiryEvent.objects.filter(inquiry=inquiry, action="overdue").count() == 1
    # still owed: the answer comes late and the inquiry stays overdue
    services.inquiry_answer(inquiry=inquiry, actor=agency_head, answer=ANSWER, now=DUE + 2 * 60 * MINUTE)
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ANSWERED and inquiry.ever_overdue


def test_the_beat_task_marks_unanswered_inquiries_overdue(inquiry):
    assert tasks.sweep_inquiries()["overdue"] == 1  # now is long past 16 November 2026
    assert Inquiry.objects.get(pk=inquiry.pk).ever_overdue
    assert tasks.sweep_inquiries() == {"overdue": 0, "notifications": 0}


def test_beat_runs_the_sweep_every_ten_minutes(db):
    task = PeriodicTask.objects.select_related("interval").get(task="supervision.sweep_inquiries")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 10, "minutes")


def test_the_command_sweeps_as_of_the_given_time_and_says_what_it_did(inquiry):
    out = io.StringIO()
    call_command("sweep_inquiries", now="2026-11-16T09:01", stdout=out)
    assert out.getvalue().strip() == "swept inquiries as of 2026-11-16 09:01: 1 overdue, 1 notifications"


def test_a_second_answer_is_a_conflict(inquiry, agency_head, agency_staff):
    services.inquiry_answer(inquiry=inquiry, actor=agency_head, answer=ANSWER, now=ASKED + MINUTE)
    with pytest.raises(ActionConflict) as refused:
        services.inquiry_answer(inquiry=inquiry, actor=agency_staff, answer="另一份答复", now=ASKED + 2 * MINUTE)
    assert "该质询已答复" in str(refused.value)
    assert Inquiry.objects.get(pk=inquiry.pk).answer == ANSWER


def test_only_the_targets_people_answer(inquiry, street_inquiry, secretary, street_staff, cooperating_head,
                                        district_command, agency_head):
    for person in (secretary, street_staff, cooperating_head, district_command):
        with pytest.raises(ActionForbidden):
            services.inquiry_answer(inquiry=inquiry, actor=person, answer=ANSWER, now=ASKED)
    with pytest.raises(ActionForbidden):
        services.inquiry_answer(inquiry=street_inquiry, actor=agency_head, answer=ANSWER, now=ASKED)
    services.inquiry_answer(inquiry=street_inquiry, actor=street_staff, answer="驿站年底建成。", now=ASKED)


def test_only_the_secretary_or_the_streets_staff_put_an_inquiry(committee, seats, member_user, agency_head,
                                                                 other_street_staff, district_command, agency):
    for person in (member_user, agency_head, other_street_staff, district_command):
        with pytest.raises(ActionForbidden):
            services.inquiry_put(body=committee, actor=person, target=agency.code, subject="s", question="q")
    assert not Inquiry.objects.exists()


def test_a_secretary_who_left_puts_no_more_inquiries(committee, seats, secretary, street_staff, agency):
    services.member_leave(member=seats[0], actor=street_staff, left_on=ASKED.date())
    with pytest.raises(ActionForbidden):
        services.inquiry_put(body=committee, actor=secretary, target=agency.code, subject="s", question="q",
                             now=ASKED)


@pytest.mark.parametrize(("target", "field"), [
    ("110108010-pcs", "target"),  # another street's police station
    ("110108010", "target"),  # another street
    ("", "target"),
])
def test_the_target_is_the_bodys_street_or_an_agency_serving_it(committee, seats, secretary, target, field):
    with pytest.raises(InvalidInput) as refused:
        services.inquiry_put(body=committee, actor=secretary, target=target, subject="s", question="q")
    assert list(refused.value.errors) == [field]


def test_an_inactive_body_asks_nothing_and_a_due_time_must_be_ahead(committee, seats, secretary, agency):
    with pytest.raises(InvalidInput) as refused:
        services.inquiry_put(body=committee, actor=secretary, target=agency.code, subject="s", question="q",
                             answer_due_at=ASKED, now=ASKED)
    assert list(refused.value.errors) == ["answer_due_at"]
    committee.active = False
    committee.save(update_fields=["active"])
    with pytest.raises(ActionConflict):
        services.inquiry_put(body=committee, actor=secretary, target=agency.code, subject="s", question="q")
