"""A deadline letter's timeline (the `LETTERS` machine): each step writes one event naming who took it,
for which unit, from which status to which; a refused step writes none; the letter's page shows the
events in order; nobody changes or deletes one afterwards; the sweep marks an overdue letter once."""

import datetime as dt

import pytest
from django.test import Client
from django.utils.translation import override

from dispatch import sweep
from dispatch.letters import services as letters
from dispatch.models import DeadlineLetter, LetterEvent
from haidian.errors import ActionConflict, ActionForbidden
from tests.dispatch.conftest import shanghai
from tests.timelines import (
    RAW_CHANGES,
    assert_the_database_refuses,
    assert_the_model_refuses_changes,
    timeline_on,
    unit_label,
)

pytestmark = pytest.mark.django_db

ISSUED = shanghai(2026, 11, 2, 9, 0)  # a Monday: the default deadline is 2026-11-09 09:00
HOUR = dt.timedelta(hours=1)

# A letter's steps after the issue, each taken by `actor` at `now`.
STEPS = {
    "acknowledge": lambda letter, actor, now: letters.letter_acknowledge(letter=letter, actor=actor, now=now),
    "answer": lambda letter, actor, now: letters.letter_answer(letter=letter, actor=actor, answer="已联合执法清理。",
                                                               now=now),
    "feedback": lambda letter, actor, now: letters.letter_feedback(letter=letter, actor=actor,
                                                                   note="11月5日电话回访反映人，表示满意。", now=now),
    "close": lambda letter, actor, now: letters.letter_close(
        letter=letter, actor=actor, now=now,
        reasons={case.number: "反映人已表示满意，转入长效巡查。" for case in letter.cases.all()}),
}
# Who may take each step: the addressed agency's head answers, the issuing street follows up.
TAKEN_BY = {"acknowledge": "agency_head", "answer": "agency_head", "feedback": "street_staff", "close": "street_staff"}


def moves(letter) -> list[tuple]:
    return list(LetterEvent.objects.filter(letter=letter).order_by("at", "id")
                .values_list("action", "actor", "actor_unit", "from_status", "to_status"))


@pytest.fixture
def letter(street_staff, agency, make_case) -> DeadlineLetter:
    return letters.letter_issue(actor=street_staff, agency=agency, cases=[make_case()],
                                requirement="五个工作日内清理并书面答复。", now=ISSUED)


@pytest.fixture
def take(request, letter):
    """Take the named steps on the letter in order, an hour apart, each as the person who may."""

    def take_steps(*steps: str) -> DeadlineLetter:
        for hours, step in enumerate(steps, start=1):
            STEPS[step](letter, request.getfixturevalue(TAKEN_BY[step]), ISSUED + hours * HOUR)
        return DeadlineLetter.objects.get(pk=letter.pk)

    return take_steps


@pytest.fixture
def closed_letter(take) -> DeadlineLetter:
    return take("acknowledge", "answer", "feedback", "close")


def test_each_step_of_a_letter_writes_one_event_naming_the_actor_its_unit_and_the_move(
        closed_letter, street_staff, agency_head, street, agency):
    staff, head = (street_staff.pk, unit_label(street)), (agency_head.pk, unit_label(agency))

    assert moves(closed_letter) == [
        ("issue", *staff, "", "issued"),
        ("acknowledge", *head, "issued", "acknowledged"),
        ("answer", *head, "acknowledged", "answered"),
        ("feedback", *staff, "answered", "answered"),
        ("close", *staff, "answered", "closed"),
    ]
    events = list(closed_letter.events.order_by("at", "id"))
    assert [event.at for event in events] == [ISSUED + hours * HOUR for hours in range(5)]
    assert [event.note for event in events] == ["", "", "已联合执法清理。", "11月5日电话回访反映人，表示满意。", ""]


def test_an_answer_without_an_acknowledgement_goes_straight_from_issued(take, agency_head, agency):
    answered = take("answer")

    assert moves(answered)[1:] == [("answer", agency_head.pk, unit_label(agency), "issued", "answered")]


@pytest.mark.parametrize(("before", "step"), [
    ((), "feedback"),  # nothing answered to tell the reporters about
    ((), "close"),
    (("acknowledge",), "acknowledge"),  # acknowledged once already
    (("answer",), "acknowledge"),
    (("answer",), "close"),  # the feedback to the reporters is missing
    (("answer", "feedback", "close"), "answer"),
    (("answer", "feedback", "close"), "feedback"),
])
def test_a_step_the_letters_status_forbids_is_a_conflict_and_writes_no_event(request, take, before, step):
    letter = take(*before)
    count = letter.events.count()

    with pytest.raises(ActionConflict):
        STEPS[step](letter, request.getfixturevalue(TAKEN_BY[step]), ISSUED + 10 * HOUR)

    assert letter.events.count() == count
    assert DeadlineLetter.objects.get(pk=letter.pk).status == letter.status


@pytest.mark.parametrize(("before", "step", "someone"), [
    ((), "acknowledge", "street_staff"),
    ((), "answer", "street_staff"),
    ((), "answer", "cooperating_head"),  # heads another agency of the same street
    ((), "answer", "other_agency_head"),
    (("answer",), "feedback", "agency_head"),
    (("answer",), "feedback", "other_street_staff"),
    (("answer", "feedback"), "close", "agency_head"),
])
def test_a_step_by_someone_who_may_not_take_it_is_forbidden_and_writes_no_event(request, take, before, step,
                                                                                 someone):
    letter = take(*before)
    count = letter.events.count()

    with pytest.raises(ActionForbidden):
        STEPS[step](letter, request.getfixturevalue(someone), ISSUED + 10 * HOUR)

    assert letter.events.count() == count
    assert DeadlineLetter.objects.get(pk=letter.pk).status == letter.status


def test_the_letters_page_shows_every_event_on_its_timeline_in_order(closed_letter, agency_head, street_staff,
                                                                     street, agency):
    client = Client()
    client.force_login(agency_head)

    response = client.get(f"/letters/{closed_letter.pk}/")

    assert response.status_code == 200
    with override(response.wsgi_request.LANGUAGE_CODE):
        labels = [letters.LETTERS.label(step) for step in ("issue", "acknowledge", "answer", "feedback", "close")]
    staff = f"{street_staff.username} {unit_label(street)}"
    head = f"{agency_head.username} {unit_label(agency)}"
    assert timeline_on(response) == list(zip(labels, [staff, head, head, staff, staff], strict=True))


@pytest.mark.parametrize("statement", RAW_CHANGES)
def test_the_database_refuses_to_change_or_delete_a_letter_event(letter, statement):
    assert_the_database_refuses(letter.events.get(), statement)


def test_a_letter_event_cannot_be_saved_again_or_deleted(letter):
    assert_the_model_refuses_changes(letter.events.get())


@pytest.mark.sweep
def test_the_sweep_writes_one_overdue_event_past_the_deadline_and_a_second_sweep_none(take):
    letter = take("acknowledge")
    sweep.sweep_deadlines(now=shanghai(2026, 11, 6, 9, 30))  # within a working day of it: a reminder only
    assert letter.events.count() == 2

    first = sweep.sweep_deadlines(now=shanghai(2026, 11, 9, 9, 1))
    second = sweep.sweep_deadlines(now=shanghai(2026, 11, 10, 9, 0))

    assert (first.letters_overdue, second.letters_overdue) == (1, 0)
    assert moves(letter)[2:] == [("overdue", None, "system", "acknowledged", "acknowledged")]
    assert letter.events.get(action="overdue").at == shanghai(2026, 11, 9, 9, 1)


