"""A work access request's timeline (the `REQUESTS` machine): each step writes one event naming who
took it, for which unit, from which status to which; a refused step writes none; the request's page
shows the events in order; nobody changes or deletes one afterwards."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils.translation import override

from haidian.calendar import SHANGHAI
from haidian.errors import ActionConflict, ActionForbidden
from tests.timelines import (
    RAW_CHANGES,
    assert_the_database_refuses,
    assert_the_model_refuses_changes,
    timeline_on,
    unit_label,
)
from workaccess import services
from workaccess.models import AccessRequest, AccessRequestEvent, StreetAssignment

pytestmark = pytest.mark.django_db

DRAFTED = dt.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
HOUR = dt.timedelta(hours=1)


def submit(request, actor, now, cast):
    return services.request_submit(request=request, actor=actor, now=now)


def approve(request, actor, now, cast):
    return services.request_decide(request=request, actor=actor, approve=True, now=now,
                                   meeting_reference="区政府常务会〔2026〕8号")


def refuse(request, actor, now, cast):
    return services.request_decide(request=request, actor=actor, approve=False, now=now,
                                   meeting_reference="区政府常务会〔2026〕9号")


def assign(request, actor, now, cast):
    return services.request_assign(request=request, actor=actor, streets=[cast.street], now=now)


def acknowledge(request, actor, now, cast):
    assignment = StreetAssignment.objects.get(request=request, street=cast.street)
    return services.assignment_acknowledge(assignment=assignment, actor=actor, now=now)


# A request's steps after it is drafted, each taken by `actor` at `now`, and who may take it.
STEPS = {"submit": submit, "approve": approve, "refuse": refuse, "assign": assign, "acknowledge": acknowledge}
TAKEN_BY = {"submit": "department_admin", "approve": "district_command", "refuse": "district_command",
            "assign": "district_command", "acknowledge": "street_staff"}
THE_WHOLE_REQUEST = ("submit", "approve", "assign", "acknowledge")


class Cast:
    def __init__(self, **people_and_places):
        self.__dict__.update(people_and_places)


def moves(request) -> list[tuple]:
    return list(AccessRequestEvent.objects.filter(request=request).order_by("at", "id")
                .values_list("action", "actor", "actor_unit", "from_status", "to_status"))


@pytest.fixture
def cast(street):
    return Cast(street=street)


@pytest.fixture
def drafted(department, department_admin) -> AccessRequest:
    return services.request_create(
        actor=department_admin, department=department, title="背街小巷停车秩序巡查",
        description="街道负责背街小巷停车秩序的日常巡查与劝导。", powers="劝导、登记、移交违法停车线索",
        budget_yuan=Decimal("480000.00"), staff_count=6, now=DRAFTED)


@pytest.fixture
def take(request, drafted, cast):
    """Take the named steps on the request in order, an hour apart, each as the person who may."""

    def take_steps(*steps: str) -> AccessRequest:
        for hours, step in enumerate(steps, start=1):
            STEPS[step](drafted, request.getfixturevalue(TAKEN_BY[step]), DRAFTED + hours * HOUR, cast)
        return AccessRequest.objects.get(pk=drafted.pk)

    return take_steps


def test_each_step_of_a_request_writes_one_event_naming_the_actor_its_unit_and_the_move(
        take, department_admin, district_command, street_staff, department, district, street):
    done = take(*THE_WHOLE_REQUEST)
    admin, command = (department_admin.pk, unit_label(department)), (district_command.pk, unit_label(district))

    assert moves(done) == [
        ("create", *admin, "", "draft"),
        ("submit", *admin, "draft", "submitted"),
        ("approve", *command, "submitted", "approved"),
        ("assign", *command, "approved", "approved"),
        ("acknowledge", street_staff.pk, unit_label(street), "approved", "approved"),
    ]
    events = list(done.events.order_by("at", "id"))
    assert [event.at for event in events] == [DRAFTED + hours * HOUR for hours in range(5)]
    assert events[2].note == "区政府常务会〔2026〕8号"
    assert (events[3].data, events[4].data) == ({"streets": [street.code]}, {"street": street.code})


def test_a_refusal_is_one_event_from_submitted_to_refused(take, district_command, district):
    refused = take("submit", "refuse")

    assert moves(refused)[2:] == [("refuse", district_command.pk, unit_label(district), "submitted", "refused")]
    assert refused.events.get(action="refuse").note == "区政府常务会〔2026〕9号"


@pytest.mark.parametrize(("before", "step"), [
    ((), "approve"),  # not put to the district yet
    ((), "assign"),
    (("submit",), "submit"),  # submitted once
    (("submit",), "assign"),  # not decided yet
    (("submit", "refuse"), "approve"),  # decided once
    (("submit", "refuse"), "assign"),
    (("submit", "approve"), "refuse"),
    (("submit", "approve", "assign", "acknowledge"), "acknowledge"),  # the street confirmed once
])
def test_a_step_the_requests_status_forbids_is_a_conflict_and_writes_no_event(request, take, cast, before, step):
    found = take(*before)
    count = found.events.count()

    with pytest.raises(ActionConflict):
        STEPS[step](found, request.getfixturevalue(TAKEN_BY[step]), DRAFTED + 10 * HOUR, cast)

    assert found.events.count() == count
    assert AccessRequest.objects.get(pk=found.pk).status == found.status


@pytest.mark.parametrize(("before", "step", "someone"), [
    ((), "submit", "other_department_admin"),
    ((), "submit", "district_command"),
    (("submit",), "approve", "department_admin"),
    (("submit",), "refuse", "street_staff"),
    (("submit", "approve"), "assign", "department_admin"),
    (("submit", "approve"), "assign", "street_staff"),
    (("submit", "approve", "assign"), "acknowledge", "other_street_staff"),
    (("submit", "approve", "assign"), "acknowledge", "district_command"),
])
def test_a_step_by_someone_who_may_not_take_it_is_forbidden_and_writes_no_event(request, take, cast, before, step,
                                                                                 someone):
    found = take(*before)
    count = found.events.count()

    with pytest.raises(ActionForbidden):
        STEPS[step](found, request.getfixturevalue(someone), DRAFTED + 10 * HOUR, cast)

    assert found.events.count() == count
    assert AccessRequest.objects.get(pk=found.pk).status == found.status


def test_a_request_drafted_by_someone_else_writes_no_event(department, district_command):
    with pytest.raises(ActionForbidden):
        services.request_create(actor=district_command, department=department, title="t", description="d",
                                powers="p", budget_yuan=Decimal(1), staff_count=1, now=DRAFTED)

    assert not AccessRequestEvent.objects.exists()


@pytest.mark.parametrize("viewer", ["department_admin", "district_command"])
def test_the_request_page_shows_every_event_on_its_timeline_in_order(request, take, viewer, department_admin,
                                                                     district_command, street_staff, department,
                                                                     district, street):
    done = take(*THE_WHOLE_REQUEST)
    client = Client()
    client.force_login(request.getfixturevalue(viewer))

    response = client.get(f"/work-access/requests/{done.pk}/")

    assert response.status_code == 200
    with override(response.wsgi_request.LANGUAGE_CODE):
        labels = [services.REQUESTS.label(step) for step in ("create", *THE_WHOLE_REQUEST)]
    admin = f"{department_admin.username} {unit_label(department)}"
    command = f"{district_command.username} {unit_label(district)}"
    staff = f"{street_staff.username} {unit_label(street)}"
    assert timeline_on(response) == list(zip(labels, [admin, admin, command, command, staff], strict=True))


@pytest.mark.parametrize("statement", RAW_CHANGES)
def test_the_database_refuses_to_change_or_delete_a_request_event(drafted, statement):
    assert_the_database_refuses(drafted.events.get(), statement)


def test_a_request_event_cannot_be_saved_again_or_deleted(drafted):
    assert_the_model_refuses_changes(drafted.events.get())

