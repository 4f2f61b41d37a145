"""The case timeline is an append-only log: every action writes exactly one event, a refused action
writes none, and neither Django nor raw SQL can change or delete an event once written."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction

from dispatch import services
from dispatch.models import Case, CaseEvent
from haidian.errors import ActionConflict, ActionForbidden
from tests.dispatch.conftest import lead_task


@pytest.fixture
def event(reported_case):
    return CaseEvent.objects.get(case=reported_case)


def test_saving_an_existing_event_again_is_refused(event):
    event.note = "改写历史"
    with pytest.raises(ValidationError):
        event.save()
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_deleting_an_event_is_refused(event):
    with pytest.raises(ValidationError):
        event.delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_a_raw_update_of_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="x")
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_the_database_refuses_a_raw_delete_of_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_a_case_with_events_cannot_be_deleted(reported_case):
    with pytest.raises(DatabaseError), transaction.atomic():
        Case.objects.filter(pk=reported_case.pk).delete()
    assert Case.objects.filter(pk=reported_case.pk).exists()


# --- one event per action --------------------------------------------------------------------------

def _until(task):
    return task.due_at + dt.timedelta(days=2)


# action name → (the case fixture it starts from, the service call as the cast)
ACTIONS = {
    "file": ("reported_case", lambda c, k: services.case_file(case=c, actor=k.street_staff, category=k.category)),
    "reject": ("reported_case", lambda c, k: services.case_reject(case=c, actor=k.street_staff, reason="非网格事项")),
    "resolve_on_site": ("reported_case",
                        lambda c, k: services.case_resolve_on_site(case=c, actor=k.grid_worker, note="当场处置")),
    "dispatch": ("filed_case", lambda c, k: services.case_dispatch(case=c, actor=k.street_staff, lead=k.agency.code,
                                                                   cooperating=[k.cooperating_agency.code])),
    "escalate": ("dispatched_case", lambda c, k: services.case_escalate(case=c, actor=k.street_staff, reason="协调难")),
    "accept": ("dispatched_case", lambda c, k: services.task_accept(task=lead_task(c), actor=k.agency_head)),
    "return": ("dispatched_case",
               lambda c, k: services.task_return(task=lead_task(c), actor=k.agency_head, reason="非本所职责")),
    "request_extension": ("dispatched_case", lambda c, k: services.task_request_extension(
        task=lead_task(c), actor=k.agency_head, until=_until(lead_task(c)), reason="需协调")),
    "respond": ("dispatched_case",
                lambda c, k: services.task_respond(task=lead_task(c), actor=k.agency_head, result="已处理")),
    "verify_passed": ("responded_case", lambda c, k: services.case_verify(case=c, actor=k.street_staff, passed=True)),
    "verify_failed": ("responded_case", lambda c, k: services.case_verify(case=c, actor=k.grid_worker, passed=False)),
    # Staff "rating" a case record what they heard when calling the reporter back (回访).
    "callback": ("closed_case",
                 lambda c, k: services.case_rate(case=c, actor=k.street_staff, satisfaction="satisfied")),
    "attach": ("reported_case", lambda c, k: services.case_attach(
        case=c, actor=k.grid_worker, kind="document",
        upload=SimpleUploadedFile("说明.pdf", b"%PDF-1.4\n", "application/pdf"))),
}


@pytest.fixture
def cast(street_staff, grid_worker, agency_head, category, agency, cooperating_agency):
    return SimpleNamespace(street_staff=street_staff, grid_worker=grid_worker, agency_head=agency_head,
                           category=category, agency=agency, cooperating_agency=cooperating_agency)


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_writes_exactly_one_event(request, settings, tmp_path, cast, action):
    settings.MEDIA_ROOT = tmp_path
    fixture, act = ACTIONS[action]
    case = request.getfixturevalue(fixture)
    before = set(case.events.values_list("pk", flat=True))

    act(case, cast)

    [new] = case.events.exclude(pk__in=before)
    assert new.action == action
    assert new.at is not None
    assert new.to_status == Case.objects.get(pk=case.pk).status


def test_approving_an_extension_writes_exactly_one_event(dispatched_case, agency_head, street_staff):
    task = lead_task(dispatched_case)
    services.task_request_extension(task=task, actor=agency_head, until=_until(task), reason="需协调")
    count = dispatched_case.events.count()
    services.task_approve_extension(task=task, actor=street_staff)
    assert dispatched_case.events.count() == count + 1
    assert dispatched_case.events.last().action == "approve_extension"
    assert dispatched_case.events.last().data["until"] == _until(task).isoformat()


def test_an_event_records_who_from_which_unit_and_the_move(filed_case, street_staff, street):
    event = filed_case.events.get(action="file")
    assert event.actor == street_staff
    assert event.actor_unit == f"{street.code} {street.name}"
    assert (event.from_status, event.to_status) == ("reported", "filed")
    assert event.data == {"category": filed_case.category.code, "priority": "normal"}


def test_a_refused_action_writes_no_event(dispatched_case, grid_worker, street_staff, category):
    count = dispatched_case.events.count()
    with pytest.raises(ActionForbidden):
        services.case_escalate(case=dispatched_case, actor=grid_worker, reason="越权")
    with pytest.raises(ActionConflict):
        services.case_file(case=dispatched_case, actor=street_staff, category=category)
    assert dispatched_case.events.count() == count


def test_the_timeline_keeps_every_step_in_order(closed_case):
    assert list(closed_case.events.values_list("action", flat=True)) == [
        "create", "file", "dispatch", "accept", "respond", "verify_passed"]
