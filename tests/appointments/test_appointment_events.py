"""An appointment's timeline (the `APPOINTMENTS` machine): each step writes one event naming who took it,
for which unit, from which status to which (a filing the HR bureau refuses too: it stays on record);
a refused step writes none; the appointment's page shows the events in order; nobody changes or
deletes one afterwards."""

import datetime as dt

import pytest
from django.test import Client
from django.utils.translation import override

from appointments import services
from appointments.models import Appointment, AppointmentEvent, Position, Verdict
from haidian.calendar import SHANGHAI
from haidian.errors import ActionConflict, ActionForbidden
from tests.appointments.conftest import pdf
from tests.timelines import (
    RAW_CHANGES,
    assert_the_database_refuses,
    assert_the_model_refuses_changes,
    timeline_on,
    unit_label,
)

pytestmark = pytest.mark.django_db

PROPOSED = dt.datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
HOUR = dt.timedelta(hours=1)


def attach(appointment, actor, now, verdict=Verdict.AGREE, text="同意。"):
    return services.appointment_attach_document(appointment=appointment, actor=actor, verdict=verdict, text=text,
                                                upload=pdf(), now=now)


def file(appointment, actor, now):
    return services.appointment_file(appointment=appointment, actor=actor, hr_reference="海人任〔2026〕7号", now=now)


# An appointment's steps after the proposal, each taken by `actor` at `now`, and who may take it.
STEPS = {"attach": attach, "file": file}
TAKEN_BY = {"attach": "street_staff", "file": "department_admin"}


def moves(appointment) -> list[tuple]:
    return list(AppointmentEvent.objects.filter(appointment=appointment).order_by("at", "id")
                .values_list("action", "actor", "actor_unit", "from_status", "to_status"))


@pytest.fixture
def proposal(agency, street, department_admin) -> Appointment:
    """The department proposes the home street's police station head (the street's opinion is needed)."""
    return services.appointment_propose(actor=department_admin, agency=agency, street=street,
                                        candidate_name="王建国", position=Position.HEAD, now=PROPOSED)


@pytest.fixture
def consent_proposal(housing_office, street, housing_admin) -> Appointment:
    """The housing office's head: the street party committee's consent is needed."""
    return services.appointment_propose(actor=housing_admin, agency=housing_office, street=street,
                                        candidate_name="李红", position=Position.HEAD, now=PROPOSED)


@pytest.fixture
def take(request, proposal):
    """Take the named steps on the proposal in order, an hour apart, each as the person who may."""

    def take_steps(*steps: str) -> Appointment:
        for hours, step in enumerate(steps, start=1):
            STEPS[step](proposal, request.getfixturevalue(TAKEN_BY[step]), PROPOSED + hours * HOUR)
        return Appointment.objects.get(pk=proposal.pk)

    return take_steps


def test_each_step_of_an_appointment_writes_one_event_naming_the_actor_its_unit_and_the_move(
        proposal, street_staff, department_admin, street, department):
    attach(proposal, street_staff, PROPOSED + HOUR, Verdict.DISAGREE, "建议暂缓。")
    attach(proposal, street_staff, PROPOSED + 2 * HOUR, Verdict.AGREE, "经复议，同意。")  # reconsidered
    file(proposal, department_admin, PROPOSED + 3 * HOUR)
    admin, staff = (department_admin.pk, unit_label(department)), (street_staff.pk, unit_label(street))

    assert moves(proposal) == [
        ("propose", *admin, "", "proposed"),
        ("attach", *staff, "proposed", "document_attached"),
        ("attach", *staff, "document_attached", "document_attached"),
        ("file", *admin, "document_attached", "filed"),
    ]
    events = list(proposal.events.order_by("at", "id"))
    assert [event.at for event in events] == [PROPOSED + hours * HOUR for hours in range(4)]
    assert [event.data.get("verdict") for event in events[1:3]] == [Verdict.DISAGREE, Verdict.AGREE]
    assert events[3].note == "海人任〔2026〕7号"


def test_a_filing_refused_as_invalid_leaves_one_refusal_event(consent_proposal, housing_admin, housing_office):
    with pytest.raises(services.FilingRefused) as refused:
        services.appointment_file(appointment=consent_proposal, actor=housing_admin, now=PROPOSED + HOUR)

    admin = (housing_admin.pk, unit_label(housing_office.department))
    assert moves(consent_proposal) == [("propose", *admin, "", "proposed"),
                                       ("refuse", *admin, "proposed", "refused_invalid")]
    assert consent_proposal.events.get(action="refuse").note == refused.value.errors["document"][0]


def test_a_street_appointing_directly_writes_one_event_from_nothing_to_appointed(justice_office, street,
                                                                                  street_staff):
    appointment = services.appointment_by_street(actor=street_staff, agency=justice_office, street=street,
                                                 candidate_name="孙立", position=Position.HEAD, now=PROPOSED)

    assert moves(appointment) == [("appoint", street_staff.pk, unit_label(street), "", "appointed")]


@pytest.mark.parametrize(("before", "step"), [
    (("attach", "file"), "attach"),  # filed: the document is on file
    (("attach", "file"), "file"),  # filed once
])
def test_a_step_the_appointments_status_forbids_is_a_conflict_and_writes_no_event(request, take, before, step):
    appointment = take(*before)
    count = appointment.events.count()

    with pytest.raises(ActionConflict):
        STEPS[step](appointment, request.getfixturevalue(TAKEN_BY[step]), PROPOSED + 10 * HOUR)

    assert appointment.events.count() == count
    assert Appointment.objects.get(pk=appointment.pk).status == appointment.status


def test_no_step_follows_a_refused_filing_or_a_direct_appointment(consent_proposal, housing_admin, street_staff,
                                                                  justice_office, street):
    with pytest.raises(services.FilingRefused):
        services.appointment_file(appointment=consent_proposal, actor=housing_admin, now=PROPOSED + HOUR)
    direct = services.appointment_by_street(actor=street_staff, agency=justice_office, street=street,
                                            candidate_name="孙立", position=Position.HEAD, now=PROPOSED)
    count = AppointmentEvent.objects.count()

    for settled in (consent_proposal, direct):
        with pytest.raises(ActionConflict):
            attach(settled, street_staff, PROPOSED + 2 * HOUR)
    with pytest.raises(ActionConflict):
        services.appointment_file(appointment=consent_proposal, actor=housing_admin, now=PROPOSED + 2 * HOUR)

    assert AppointmentEvent.objects.count() == count


@pytest.mark.parametrize(("before", "step", "someone"), [
    ((), "attach", "department_admin"),
    ((), "attach", "other_street_staff"),
    (("attach",), "file", "street_staff"),
    (("attach",), "file", "other_department_admin"),
])
def test_a_step_by_someone_who_may_not_take_it_is_forbidden_and_writes_no_event(request, take, before, step,
                                                                                 someone):
    appointment = take(*before)
    count = appointment.events.count()

    with pytest.raises(ActionForbidden):
        STEPS[step](appointment, request.getfixturevalue(someone), PROPOSED + 10 * HOUR)

    assert appointment.events.count() == count
    assert Appointment.objects.get(pk=appointment.pk).status == appointment.status


def test_a_proposal_by_another_department_writes_no_event(agency, street, other_department_admin):
    with pytest.raises(ActionForbidden):
        services.appointment_propose(actor=other_department_admin, agency=agency, street=street,
                                     candidate_name="吴", position=Position.HEAD, now=PROPOSED)

    assert not AppointmentEvent.objects.exists()


@pytest.mark.parametrize("viewer", ["department_admin", "street_staff"])
def test_the_appointment_page_shows_every_event_on_its_timeline_in_order(request, take, viewer, department_admin,
                                                                         street_staff, department, street):
    filed = take("attach", "file")
    client = Client()
    client.force_login(request.getfixturevalue(viewer))

    response = client.get(f"/appointments/{filed.pk}/")

    assert response.status_code == 200
    with override(response.wsgi_request.LANGUAGE_CODE):
        labels = [services.APPOINTMENTS.label(step) for step in ("propose", "attach", "file")]
    admin = f"{department_admin.username} {unit_label(department)}"
    staff = f"{street_staff.username} {unit_label(street)}"
    assert timeline_on(response) == list(zip(labels, [admin, staff, admin], strict=True))


@pytest.mark.parametrize("statement", RAW_CHANGES)
def test_the_database_refuses_to_change_or_delete_an_appointment_event(proposal, statement):
    assert_the_database_refuses(proposal.events.get(), statement)


def test_an_appointment_event_cannot_be_saved_again_or_deleted(proposal):
    assert_the_model_refuses_changes(proposal.events.get())
