"""An assessment round's timeline (the `ROUNDS` machine): each step writes one event naming who took it,
for which unit, from which status to which; a refused step writes none; beat's steps are the
system's; the district's round page shows the events in order; nobody changes or deletes one."""

import datetime as dt

import pytest
from django.test import Client
from django.utils.translation import override

from assessment import compute, schedule, scoring, services
from assessment.models import Round, RoundEvent
from haidian.calendar import SHANGHAI
from haidian.errors import ActionConflict, ActionForbidden
from tests.timelines import (
    RAW_CHANGES,
    assert_the_database_refuses,
    assert_the_model_refuses_changes,
    timeline_on,
    unit_label,
)

pytestmark = pytest.mark.django_db

PERIOD = "2026H1"
START = dt.datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
HOUR = dt.timedelta(hours=1)
WEIGHTS = {"weight_objective": 50, "weight_upward": 10, "weight_downward": 20, "weight_satisfaction": 20,
           "weight_oversight": 0}

# A round's steps after its creation, each taken by `actor` at `now`.
STEPS = {
    "weights": lambda round_, actor, now: services.round_set_weights(round=round_, actor=actor, now=now, **WEIGHTS),
    "open": lambda round_, actor, now: services.round_open(round=round_, actor=actor, now=now),
    "annotate": lambda round_, actor, now: services.round_annotate(round=round_, actor=actor, now=now,
                                                                   annotation="街道响应整体及时。"),
    "close": lambda round_, actor, now: services.round_close(round=round_, actor=actor, now=now),
    "compute": lambda round_, actor, now: services.round_compute(round=round_, actor=actor, now=now),
    "publish": lambda round_, actor, now: services.round_publish(round=round_, actor=actor, now=now),
}
THE_WHOLE_ROUND = ("weights", "open", "annotate", "close", "compute", "publish")


def moves(round_) -> list[tuple]:
    return list(RoundEvent.objects.filter(round=round_).order_by("at", "id")
                .values_list("action", "actor", "actor_unit", "from_status", "to_status"))


@pytest.fixture
def draft(district_command) -> Round:
    return services.round_create(actor=district_command, period=PERIOD, now=START)


@pytest.fixture
def take(draft, district_command):
    """Take the named steps on the round in order, an hour apart, as the district command center;
    the queued computation runs (as the worker would) right after the step that queues it."""

    def take_steps(*steps: str) -> Round:
        for hours, step in enumerate(steps, start=1):
            STEPS[step](Round.objects.get(pk=draft.pk), district_command, START + hours * HOUR)
            if step == "compute":
                compute.run(draft.pk)  # the worker writes results and progress, no step of its own
        return Round.objects.get(pk=draft.pk)

    return take_steps


@pytest.fixture
def published(take) -> Round:
    return take(*THE_WHOLE_ROUND)


def test_each_step_of_a_round_writes_one_event_naming_the_district_and_the_move(published, district_command,
                                                                                district):
    command = (district_command.pk, unit_label(district))

    assert moves(published) == [
        ("create", *command, "", "draft"),
        ("weights", *command, "draft", "draft"),
        ("open", *command, "draft", "open"),
        ("annotate", *command, "open", "open"),
        ("close", *command, "open", "closed"),
        ("compute", *command, "closed", "closed"),
        ("publish", *command, "closed", "published"),
    ]
    events = list(published.events.order_by("at", "id"))
    assert [event.at for event in events] == [START + hours * HOUR for hours in range(7)]
    assert events[1].data == {**WEIGHTS, "deputy_street_weight": published.deputy_street_weight,
                              "callback_share": 0, "indicator_weights": scoring.default_indicator_weights()}
    assert events[3].note == "街道响应整体及时。"
    assert events[6].data == {"version": 1}


@pytest.mark.parametrize(("before", "step"), [
    ((), "close"),  # never opened
    ((), "publish"),
    (("open",), "weights"),  # the weights are fixed once the forms are out
    (("open",), "open"),
    (("open",), "publish"),
    (("open", "close"), "publish"),  # nothing computed to publish
    (("open", "close", "compute", "publish"), "annotate"),  # published results are frozen, their note too
    (("open", "close", "compute", "publish"), "close"),
])
def test_a_step_the_rounds_status_forbids_is_a_conflict_and_writes_no_event(take, district_command, before, step):
    round_ = take(*before)
    count = round_.events.count()

    with pytest.raises(ActionConflict):
        STEPS[step](round_, district_command, START + 10 * HOUR)

    assert round_.events.count() == count
    assert Round.objects.get(pk=round_.pk).status == round_.status


def test_a_second_computation_while_one_is_queued_and_a_second_round_of_a_period_write_no_event(
        draft, district_command):
    services.round_compute(round=draft, actor=district_command, now=START + HOUR)
    count = RoundEvent.objects.count()

    with pytest.raises(ActionConflict):
        services.round_compute(round=draft, actor=district_command, now=START + 2 * HOUR)
    with pytest.raises(ActionConflict):
        services.round_create(actor=district_command, period=PERIOD, now=START + 2 * HOUR)

    assert RoundEvent.objects.count() == count


@pytest.mark.parametrize("step", ["weights", "open", "annotate", "compute"])
def test_a_step_by_someone_outside_the_district_command_is_forbidden_and_writes_no_event(draft, street_staff,
                                                                                         department_admin, step):
    count = draft.events.count()

    for someone in (street_staff, department_admin):
        with pytest.raises(ActionForbidden):
            STEPS[step](draft, someone, START + HOUR)

    assert draft.events.count() == count
    with pytest.raises(ActionForbidden):
        services.round_create(actor=street_staff, period="2026H2", now=START)
    assert not Round.objects.filter(period="2026H2").exists()


def test_the_round_page_shows_every_event_on_its_timeline_in_order(published, district_command, district):
    client = Client()
    client.force_login(district_command)

    response = client.get(f"/assessment/rounds/{PERIOD}/")

    assert response.status_code == 200
    with override(response.wsgi_request.LANGUAGE_CODE):
        labels = [services.ROUNDS.label(step) for step in ("create", *THE_WHOLE_ROUND)]
    command = f"{district_command.username} {unit_label(district)}"
    assert timeline_on(response) == [(label, command) for label in labels]


def test_beat_opening_and_closing_a_round_writes_the_systems_events(grid_worker):
    opened = schedule.daily(today=dt.date(2026, 7, 1))
    round_ = Round.objects.get(period=PERIOD)
    closes = round_.window_closes_at.astimezone(SHANGHAI).date()
    again = schedule.daily(today=dt.date(2026, 7, 2))  # nothing left to open
    closed = schedule.daily(today=closes + dt.timedelta(days=1))

    assert (opened.opened, again.opened, closed.closed) == ([PERIOD], [], [PERIOD])
    assert moves(round_) == [
        ("create", None, "system", "", "draft"),
        ("open", None, "system", "draft", "open"),
        ("close", None, "system", "open", "closed"),
    ]


def test_beat_opens_the_districts_draft_as_the_system(district_command, district, grid_worker):
    draft = services.round_create(actor=district_command, period=PERIOD, now=START - dt.timedelta(days=10))

    schedule.daily(today=dt.date(2026, 7, 1))

    assert moves(draft) == [
        ("create", district_command.pk, unit_label(district), "", "draft"),
        ("open", None, "system", "draft", "open"),
    ]
    assert draft.events.get(action="open").at == dt.datetime(2026, 7, 1, 0, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize("statement", RAW_CHANGES)
def test_the_database_refuses_to_change_or_delete_a_round_event(draft, statement):
    assert_the_database_refuses(draft.events.get(), statement)


def test_a_round_event_cannot_be_saved_again_or_deleted(draft):
    assert_the_model_refuses_changes(draft.events.get())
