"""The reporter is told at every step (群众知情): each step of their case that concerns them reaches
them once by SMS (and by email if they gave one) with the case's follow link, however often and
however concurrently the task runs; a broken gateway or broker never stops the workflow; the
follow page shows the public result, the sub-center's explanation and letter feedback, and lets
the reporter stop the messages.

The cases move through the real services. What a request would leave to Celery is caught at the
commit (`Worker`) and run here, synchronously: the reporter task, then the sending loop.
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from agencies.models import Agency, Street
from assessment.models import RatingInvitation
from assessment.satisfaction import invitation_rate
from dispatch import services as dispatch_services
from dispatch.letters import services as letters
from dispatch.models import Case, CaseEvent, Category, Source
from grids.geometry import grid_index
from grids.models import GridCell
from haidian.celery import app as celery_app
from haidian.permissions import Role
from haidian.workflow import PUBLIC
from notifications import messages
from notifications.models import Message, MessageOptOut
from public import reporters, tasks
from public.models import FollowToken
from tests.conftest import HOME_STREET, make_user, run_together
from tests.dispatch.conftest import Workflow, lead_task
from tests.public.conftest import REPORTER_PHONE, main_text, public_client, report_data
from tests.races import race_on_uncommitted_row

BASE = "https://wgh.bjhd.example"
EMAIL = "wang.xiuying@example.cn"
RESULT = "已清理占道摊点，恢复通行。"


class Worker:
    """Celery, in the test: tasks sent at a commit are kept, then run here one after the other."""

    def __init__(self, capture):
        self.capture = capture
        self.queue: list[tuple[str, list]] = []
        self.ran: list[tuple[str, list]] = []

    def send_task(self, name, args=None, **kwargs):
        self.queue.append((name, list(args or [])))

    def run(self) -> None:
        while self.queue:
            name, args = self.queue.pop(0)
            self.ran.append((name, args))
            with self.capture(execute=True):  # the task's own commit sends the next task
                if name == reporters.TELL_REPORTER_TASK:
                    tasks.tell_reporter(*args)
                elif name == messages.SEND_MESSAGES_TASK:
                    messages.send_pending_messages()

    @contextmanager
    def step(self):
        """A step of the workflow as a request takes it: committed, then the worker does the rest."""
        with self.capture(execute=True):
            yield
        self.run()


@pytest.fixture
def worker(monkeypatch, settings, django_capture_on_commit_callbacks):
    settings.PUBLIC_BASE_URL = BASE
    celery = Worker(django_capture_on_commit_callbacks)
    monkeypatch.setattr(celery_app, "send_task", celery.send_task)
    return celery


@pytest.fixture
def reported(visitor, grid, worker) -> Case:
    """A resident's report from the public page, with their phone (the report's own commit told them)."""
    with worker.step():
        assert visitor.post("/report/", report_data(grid)).status_code == 302
    return Case.objects.get()


def follow_url(case: Case) -> str:
    return f"{BASE}/follow/{FollowToken.objects.get(case=case).token}/"


def sent_texts(sms_outbox) -> list[str]:
    assert {message.to for message in sms_outbox} <= {REPORTER_PHONE}
    return [message.text for message in sms_outbox]


def templates(case: Case) -> list[str]:
    return list(Message.objects.filter(case_number=case.number).order_by("id").values_list("template", flat=True))


# --- every step --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_reporter_is_told_of_each_step_from_the_report_to_the_result(reported, workflow, worker, sms_outbox):
    case, follow = reported, follow_url(reported)
    assert templates(case) == ["received"]

    with worker.step():
        case = workflow.file(case)
    with worker.step():
        case = dispatch_services.case_dispatch(case=case, actor=workflow.street_staff, lead=workflow.agency.code,
                                               cooperating=[workflow.cooperating_agency.code])
    with worker.step():
        task = dispatch_services.task_accept(task=lead_task(case), actor=workflow.agency_head)
        dispatch_services.task_respond(task=task, actor=workflow.agency_head, result=RESULT)
    with worker.step():
        case = dispatch_services.case_verify(case=Case.objects.get(pk=case.pk), actor=workflow.street_staff,
                                             passed=True)

    assert templates(case) == ["received", "filed", "dispatched", "result"]  # nothing for accept and respond
    received, filed, dispatched, result = sent_texts(sms_outbox)
    assert all(case.number in text and text.endswith(follow) for text in sent_texts(sms_outbox))
    assert case.street.name in filed
    assert workflow.agency.name in dispatched and workflow.cooperating_agency.name not in dispatched
    invitation = RatingInvitation.objects.get(case=case)
    assert RESULT.rstrip("。") in result  # the case's public result, quoted
    assert f"{BASE}/rate/{invitation.token}/" in result  # and the rating link, in the same message
    assert set(Message.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_a_history_written_while_reporters_are_not_told_texts_nobody_and_then_they_are_told_again(
        reported, workflow, worker, sms_outbox):
    """The demo's seeded past (seed_demo) is not texted to its made-up reporters today."""
    with reporters.reporters_not_told(), worker.step():
        case = workflow.file(reported)
    assert templates(case) == ["received"]  # nothing for the filing
    with worker.step():
        dispatch_services.case_dispatch(case=case, actor=workflow.street_staff, lead=workflow.agency.code)
    assert templates(case) == ["received", "dispatched"]


@pytest.mark.django_db
def test_a_rejected_report_tells_the_reason(reported, workflow, worker, sms_outbox):
    with worker.step():
        dispatch_services.case_reject(case=reported, actor=workflow.street_staff, reason="不属于本街道管辖范围。")

    assert templates(reported) == ["received", "rejected"]
    assert "不属于本街道管辖范围" in sent_texts(sms_outbox)[-1]


@pytest.mark.django_db
def test_a_merged_report_names_the_case_it_was_merged_with(reported, workflow, worker, grid, sms_outbox):
    first = dispatch_services.case_create(actor=PUBLIC, title="井盖破损", lat=grid.centroid_lat,
                                          lng=grid.centroid_lng, source=Source.RESIDENT)
    with worker.step():
        dispatch_services.case_reject(case=reported, actor=workflow.street_staff, duplicate_of=first, reason="重复")

    assert first.number in sent_texts(sms_outbox)[-1]


@pytest.mark.django_db
def test_a_problem_solved_on_the_spot_tells_the_result_and_the_rating_link(grid, grid_worker, worker, sms_outbox):
    with worker.step():
        case = dispatch_services.case_create(actor=grid_worker, title="楼道堆物", lat=grid.centroid_lat,
                                             lng=grid.centroid_lng, source=Source.GRID_PATROL,
                                             reporter_phone=REPORTER_PHONE)
    with worker.step():
        dispatch_services.case_resolve_on_site(case=case, actor=grid_worker, note="已现场清理")

    assert templates(case) == ["received", "result"]
    token = RatingInvitation.objects.get(case=case).token
    assert f"/rate/{token}/" in sent_texts(sms_outbox)[-1]


@pytest.mark.django_db
def test_an_explanation_after_a_dissatisfied_rating_reaches_the_reporter_and_the_follow_page(
        reported, workflow, worker, visitor, sms_outbox):
    case = workflow.close(reported)
    invitation_rate(invitation=RatingInvitation.objects.get(case=case), satisfaction="dissatisfied")
    explanation = "摊点已取缔，如再出现请拨打12345。"
    with worker.step():
        dispatch_services.case_explain(case=case, actor=workflow.street_staff, note=explanation)

    assert Message.objects.filter(case_number=case.number, template="explained").count() == 1
    assert explanation.rstrip("。") in sent_texts(sms_outbox)[-1]
    page = visitor.get(f"/follow/{FollowToken.objects.get(case=case).token}/")
    assert re.findall(r'data-step-text="([a-z_]+)"', page.content.decode()) == ["explain"]
    assert explanation in main_text(page)


@pytest.mark.django_db
def test_a_reopened_case_tells_the_reporter_it_is_handled_again(reported, workflow, worker, sms_outbox):
    case = workflow.close(reported)
    invitation_rate(invitation=RatingInvitation.objects.get(case=case), satisfaction="dissatisfied")
    with worker.step():
        dispatch_services.case_reopen(case=case, actor=workflow.street_staff, note="再次处理")

    assert templates(case)[-1] == "reopened"
    assert case.number in sent_texts(sms_outbox)[-1]


@pytest.mark.django_db
def test_a_deadline_letters_feedback_reaches_every_reporter_of_its_cases(reported, workflow, worker, visitor,
                                                                          grid, sms_outbox):
    other = dispatch_services.case_create(actor=PUBLIC, title="犬只扰民", lat=grid.centroid_lat,
                                          lng=grid.centroid_lng, source=Source.RESIDENT, reporter_phone="13900001111")
    letter = letters.letter_issue(actor=workflow.street_staff, agency=workflow.agency, cases=[reported, other],
                                  requirement="请于五个工作日内处理。")
    letters.letter_acknowledge(letter=letter, actor=workflow.agency_head)
    letters.letter_answer(letter=letter, actor=workflow.agency_head, answer="已安排夜间巡查。")
    feedback = "派出所已安排夜间巡查，问题已解决。"
    with worker.step():
        letters.letter_feedback(letter=letter, actor=workflow.street_staff, note=feedback)

    told = Message.objects.filter(template="letter_feedback")
    assert sorted(told.values_list("to", flat=True)) == sorted([REPORTER_PHONE, "13900001111"])
    assert all(feedback.rstrip("。") in message.text for message in told)
    page = visitor.get(f"/follow/{FollowToken.objects.get(case=reported).token}/")
    assert re.findall(r'data-step-text="([a-z_]+)"', page.content.decode()) == ["letter_feedback"]
    assert feedback in main_text(page)


@pytest.mark.django_db
def test_steps_that_do_not_concern_the_reporter_and_cases_without_an_address_send_nothing(
        reported, workflow, worker, grid, grid_worker):
    dispatched = workflow.dispatch(reported)
    worker.ran.clear()
    with worker.step():
        dispatch_services.task_accept(task=lead_task(dispatched), actor=workflow.agency_head)
        dispatch_services.case_escalate(case=Case.objects.get(pk=dispatched.pk), actor=workflow.street_staff,
                                        reason="需区级协调")
    assert worker.ran == []

    with worker.step():
        anonymous = dispatch_services.case_create(actor=grid_worker, title="路灯不亮", lat=grid.centroid_lat,
                                                  lng=grid.centroid_lng, source=Source.GRID_PATROL)
        workflow.file(anonymous)
    assert worker.ran == [] and not Message.objects.filter(case_number=anonymous.number).exists()


@pytest.mark.django_db
def test_the_receiver_reads_nothing_from_the_database(reported, workflow, django_assert_num_queries,
                                                      django_capture_on_commit_callbacks, worker):
    event = CaseEvent.objects.select_related("case").get(case=reported, action="create")

    with django_capture_on_commit_callbacks(execute=False) as callbacks, django_assert_num_queries(0):
        reporters.on_case_event(sender=CaseEvent, event=event)

    assert len(callbacks) == 1


# --- once, and by email too ----------------------------------------------------------------------

@pytest.mark.django_db
def test_telling_the_same_step_twice_writes_one_message_per_channel(reported, worker, sms_outbox):
    Case.objects.filter(pk=reported.pk).update(reporter_email=EMAIL)
    event = CaseEvent.objects.get(case=reported, action="create")
    Message.objects.all().delete()
    sms_outbox.clear()

    assert reporters.tell_reporter(event_id=event.pk) == 2  # SMS and email
    assert reporters.tell_reporter(event_id=event.pk) == 0
    messages.send_pending_messages()

    assert sorted(Message.objects.values_list("key", flat=True)) == [
        f"case-event:{event.pk}:email", f"case-event:{event.pk}:sms"]
    assert len(sms_outbox) == 1 and len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL] and reported.number in mail.outbox[0].body


@pytest.mark.django_db
def test_an_event_the_reporter_is_not_told_of_or_an_unknown_one_writes_nothing(reported, workflow):
    case = workflow.respond(reported)
    accepted = CaseEvent.objects.get(case=case, action="accept")

    assert reporters.tell_reporter(event_id=accepted.pk) == 0
    assert reporters.tell_reporter(event_id=10**12) == 0
    assert templates(case) == ["received"]


# --- nothing stops the workflow --------------------------------------------------------------------

class BrokenGateway:
    def send(self, *, to: str, text: str) -> None:
        raise ConnectionError("the SMS gateway is down")


@pytest.mark.django_db
def test_a_broken_gateway_never_stops_the_workflow_and_its_messages_wait_for_another_try(
        reported, workflow, worker, settings, sms_outbox):
    settings.SMS_BACKEND = "tests.public.test_reporter_messages.BrokenGateway"
    Message.objects.update(status="pending", attempts=0, sent_at=None)
    sms_outbox.clear()

    with worker.step():
        case = workflow.file(reported)

    assert Case.objects.get(pk=case.pk).status == "filed"
    assert sms_outbox == []
    assert set(Message.objects.values_list("template", "status", "attempts")) == {
        ("received", "pending", 1), ("filed", "pending", 1)}
    assert all("the SMS gateway is down" in error for error in Message.objects.values_list("last_error", flat=True))


@pytest.mark.django_db
def test_a_broker_that_is_down_never_stops_the_workflow(reported, workflow, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(celery_app, "send_task", down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = workflow.file(reported)

    assert len(callbacks) == 1 and Case.objects.get(pk=case.pk).status == "filed"


# --- the follow page -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_follow_page_shows_the_public_result_the_sub_center_wrote_once_the_case_is_closed(
        reported, workflow, visitor):
    case = workflow.respond(reported)
    written = "已取缔占道摊点，并安排城管每日巡查。"
    dispatch_services.case_set_public_result(case=case, actor=workflow.street_staff, text=written)
    url = f"/follow/{FollowToken.objects.get(case=case).token}/"
    assert written not in main_text(visitor.get(url))  # not before it closes

    dispatch_services.case_verify(case=Case.objects.get(pk=case.pk), actor=workflow.street_staff, passed=True)

    page = visitor.get(url)
    assert "data-public-result" in page.content.decode() and written in main_text(page)


@pytest.mark.django_db
def test_the_reporter_stops_the_messages_from_the_follow_page(reported, workflow, worker, sms_outbox):
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["django_language"] = "en"
    url = f"/follow/{FollowToken.objects.get(case=reported).token}/"
    page = browser.get(url).content.decode()
    assert 'data-action="stop-messages"' in page
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    assert browser.post(f"{url}stop-messages/").status_code == 403  # without the CSRF token
    answer = browser.post(f"{url}stop-messages/", {"csrfmiddlewaretoken": csrf})

    assert answer.status_code == 302 and answer["Location"] == f"{url}?stopped=1"
    assert MessageOptOut.objects.count() == 1
    after = browser.get(answer["Location"]).content.decode()
    assert "data-messages-stopped" in after and 'data-action="stop-messages"' not in after

    sms_outbox.clear()
    with worker.step():
        workflow.file(reported)
    assert Message.objects.get(template="filed").status == "skipped_opt_out"
    assert sms_outbox == []


@pytest.mark.django_db
def test_a_case_without_a_phone_offers_no_opt_out(visitor, grid):
    visitor.post("/report/", report_data(grid, reporter_phone=""))
    token = FollowToken.objects.get().token

    assert 'data-action="stop-messages"' not in visitor.get(f"/follow/{token}/").content.decode()
    assert public_client().post(f"/follow/{token}-wrong/stop-messages/").status_code == 404


# --- two workers at once, on real connections ----------------------------------------------------

@pytest.fixture
def committed_case(transactional_db, settings, no_broker):
    """Committed data other connections see (the tables are emptied after the test): Haidian again and
    a resident's report with a phone and an email."""
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0, stdout=io.StringIO())
    grid_index.invalidate()
    settings.PUBLIC_BASE_URL = BASE
    grid = GridCell.objects.filter(community__street__code=HOME_STREET).order_by("code").first()
    case = dispatch_services.case_create(actor=PUBLIC, title="井盖破损", lat=grid.centroid_lat, lng=grid.centroid_lng,
                                         source=Source.RESIDENT, reporter_phone=REPORTER_PHONE)
    Case.objects.filter(pk=case.pk).update(reporter_email=EMAIL)
    return case


@pytest.fixture
def no_broker(monkeypatch):
    monkeypatch.setattr(celery_app, "send_task", lambda *args, **kwargs: None)


@pytest.mark.django_db(transaction=True)
def test_two_workers_telling_the_same_step_at_once_write_one_message_per_channel(committed_case):
    event = CaseEvent.objects.get(case=committed_case, action="create")

    outcomes = run_together(lambda: reporters.tell_reporter(event_id=event.pk),
                            lambda: reporters.tell_reporter(event_id=event.pk))

    assert sum(outcomes) == 2, outcomes
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["email", "sms"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_runs_into_the_others_uncommitted_messages_waits_and_writes_none(committed_case):
    event = CaseEvent.objects.get(case=committed_case, action="create")

    outcomes = race_on_uncommitted_row(lambda: reporters.tell_reporter(event_id=event.pk),
                                       lambda: reporters.tell_reporter(event_id=event.pk))

    assert outcomes == [2, 0]
    assert Message.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_committed_step_sends_the_reporter_task_by_name_with_the_event(committed_case, monkeypatch):
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args=None, **kwargs: sent.append((name, args)))
    street = Street.objects.get(code=HOME_STREET)
    staff = make_user("street-staff", Role.STREET_STAFF, [street])
    flow = Workflow(street_staff=staff, agency_head=None, category=Category.objects.get(code="A02-06"),
                    agency=Agency.objects.get(code=f"{HOME_STREET}-pcs"),
                    cooperating_agency=Agency.objects.get(code=f"{HOME_STREET}-cgfd"))

    flow.file(committed_case)

    event = CaseEvent.objects.get(case=committed_case, action="file")
    assert sent == [("public.tell_reporter", [event.pk])]


# --- a resident's phone, in a real Chromium ------------------------------------------------------

PHONE_SCREEN = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_resident_reports_from_a_phone_gets_a_text_at_each_step_and_follows_the_last_one_to_the_result(
        live_server, browser, settings, worker, sms_outbox):
    # live_server tests run after the others and empty the tables: build Haidian again.
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0, stdout=io.StringIO())
    grid_index.invalidate()
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PUBLIC_REPORT_MIN_SECONDS = 0
    street = Street.objects.get(code=HOME_STREET)
    grid = GridCell.objects.filter(community__street=street).order_by("code").first()
    flow = Workflow(street_staff=make_user("street-staff", Role.STREET_STAFF, [street]),
                    agency_head=make_user("police-head", Role.AGENCY_HEAD,
                                          [Agency.objects.get(code=f"{HOME_STREET}-pcs")]),
                    category=Category.objects.get(code="A02-06"),
                    agency=Agency.objects.get(code=f"{HOME_STREET}-pcs"),
                    cooperating_agency=Agency.objects.get(code=f"{HOME_STREET}-cgfd"))
    context = browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True, permissions=["geolocation"],
                                  geolocation={"latitude": grid.centroid_lat, "longitude": grid.centroid_lng})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/report/")
    page.fill("#id_title", "小区门口流浪狗追咬行人")
    page.click("#use-location")
    page.wait_for_function(f"() => document.querySelector('#id_lat').value === '{grid.centroid_lat:.6f}'")
    page.fill("#id_reporter_phone", REPORTER_PHONE)
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    case = Case.objects.get(number=page.inner_text("[data-case-number]").strip())

    def texts_after(step) -> list[str]:
        before = len(sms_outbox)
        step()
        worker.run()  # the reporter task, then the sending loop
        return sent_texts(sms_outbox)[before:]

    [received] = texts_after(lambda: None)  # the report's own commit queued it
    assert case.number in received
    [filed] = texts_after(lambda: flow.file(case))
    [dispatched] = texts_after(lambda: flow.dispatch(Case.objects.get(pk=case.pk), cooperating=False))
    assert flow.agency.name in dispatched
    written = "流浪犬已由派出所联系收容机构带走。"

    def handle():
        task = dispatch_services.task_accept(task=lead_task(case), actor=flow.agency_head)
        dispatch_services.task_respond(task=task, actor=flow.agency_head, result="已联系收容机构。")
        dispatch_services.case_set_public_result(case=Case.objects.get(pk=case.pk), actor=flow.street_staff,
                                                 text=written)

    assert texts_after(handle) == []  # the agency's steps are not the reporter's news
    [result] = texts_after(lambda: dispatch_services.case_verify(case=Case.objects.get(pk=case.pk),
                                                                 actor=flow.street_staff, passed=True))
    assert written.rstrip("。") in result

    link = re.findall(r"(https?://\S+/follow/[\w-]+/)", result)[-1]
    assert link == f"{live_server.url}/follow/{FollowToken.objects.get(case=case).token}/"
    page.goto(link)
    assert page.locator("[data-status=closed]").count() == 1
    assert written in page.inner_text("[data-public-result]")
    assert REPORTER_PHONE not in page.inner_text("main")
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path="var/screenshots/public-08-follow-from-the-text.png", full_page=True)
    with page.expect_navigation():
        page.click("a[data-action=rate]")  # the rating link the text also carries
    assert page.locator("button[data-action=rate]").count() == 1
    assert not errors, errors
    context.close()
