"""Deadline letters (问题限期受理函告): issue, acknowledge, answer, feed back, close; reminders.

Each step locks the letter row, checks its status in one table (`LETTER_MOVES`) and writes one
event on the letter's timeline (the `LETTERS` machine of haidian.workflow), as the case workflow
does. Numbers are `<street short name>函〔<year>〕<n>号`, taken from a per-street, per-year sequence
row locked inside the issuing transaction: unique, and gap-free because a failed issue rolls its
number back with it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from agencies.models import Agency
from dispatch.models import Case, CaseStatus, DeadlineLetter, LetterEvent, LetterNumberSequence, LetterStatus
from dispatch.notices import NoticeKind, letter_link
from dispatch.services import case_record_letter_feedback
from haidian.calendar import TimeUnit, add_working_time
from haidian.errors import ActionConflict, InvalidInput
from haidian.permissions import Role
from haidian.workflow import SYSTEM, Machine
from notifications.services import Note, notify
from people.selectors import acting_as, handler_ids, holds, street_staff_ids

S = LetterStatus
# step → {from status: to status}; a step not listed for the current status is a 409.
LETTER_MOVES = {
    "acknowledge": {S.ISSUED: S.ACKNOWLEDGED},
    "answer": {S.ISSUED: S.ANSWERED, S.ACKNOWLEDGED: S.ANSWERED},
    "feedback": {S.ANSWERED: S.ANSWERED},
    "close": {S.ANSWERED: S.CLOSED},
    "overdue": {S.ISSUED: S.ISSUED, S.ACKNOWLEDGED: S.ACKNOWLEDGED},  # the sweep, past the deadline
}
STEP_LABELS = {
    "issue": gettext_lazy("issued"),
    "acknowledge": gettext_lazy("receipt acknowledged"),
    "answer": gettext_lazy("answered"),
    "feedback": gettext_lazy("feedback to the reporters recorded"),
    "close": gettext_lazy("closed"),
    "overdue": gettext_lazy("not answered by the deadline"),
}
LETTERS = Machine(model=DeadlineLetter, moves=LETTER_MOVES, events=LetterEvent,
                  refusal=gettext_lazy("Cannot %(step)s this letter: it is %(status)s."), step_labels=STEP_LABELS,
                  related=("street", "agency"))


def letter_steps(user, letter: DeadlineLetter) -> set[str]:
    """The steps this person may take on the letter now (the pages show only these)."""
    steps = set()
    if holds(user, Role.AGENCY_HEAD, "agency", letter.agency_id):
        steps |= LETTERS.steps_open(letter, ("acknowledge", "answer"))
    if holds(user, Role.STREET_STAFF, "street", letter.street_id):
        steps |= LETTERS.steps_open(letter, ("feedback", "close"))
        if not letter.feedback:
            steps.discard("close")
    return steps


def may_issue(user, street_id: int) -> bool:
    return holds(user, Role.STREET_STAFF, "street", street_id)


def _street_staff(user, street_id: int) -> str:
    return acting_as(user, Role.STREET_STAFF, "street", street_id,
                     refusal=_("Only the sub-center staff of the letter's street may do this."))


def _agency_head(user, letter: DeadlineLetter) -> str:
    return acting_as(user, Role.AGENCY_HEAD, "agency", letter.agency_id,
                     refusal=_("Only the head of the agency the letter is addressed to may do this."))


def take_letter_number(street, year: int) -> int:
    """The street's next letter number of `year`, under the sequence row's lock (held to commit)."""
    LetterNumberSequence.objects.bulk_create([LetterNumberSequence(street=street, year=year)], ignore_conflicts=True)
    sequence = LetterNumberSequence.objects.select_for_update().get(street=street, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


@transaction.atomic
def letter_issue(*, actor, agency: Agency, cases: list[Case], requirement: str,
                 deadline: dt.datetime | None = None, now: dt.datetime | None = None) -> DeadlineLetter:
    """The street writes to an agency serving it about one or more of its cases."""
    now = now or timezone.now()
    if not cases:
        raise InvalidInput({"cases": [_("Name at least one case.")]})
    street = cases[0].street
    if any(case.street_id != street.pk for case in cases):
        raise InvalidInput({"cases": [_("All cases of a letter must be of one street.")]})
    unit = _street_staff(actor, street.pk)
    if not agency.streets.filter(pk=street.pk).exists():
        raise InvalidInput({"agency": [_("%(code)s is not an agency serving this street.") % {"code": agency.code}]})
    if deadline is None:
        deadline = add_working_time(now, settings.LETTER_DEADLINE_WORKING_DAYS, TimeUnit.WORKING_DAYS)
    elif deadline <= now:
        raise InvalidInput({"deadline": [_("The deadline must be in the future.")]})
    year = timezone.localtime(now).year
    sequence = take_letter_number(street, year)
    letter = DeadlineLetter.objects.create(
        street=street, agency=agency, year=year, sequence=sequence,
        number=f"{street.short_name}函〔{year}〕{sequence}号", requirement=requirement, deadline=deadline,
        issued_by=actor, issued_at=now,
    )
    letter.cases.set(cases)
    LETTERS.record(letter, "issue", actor=actor, at=now, unit=unit,
                   data={"cases": [case.number for case in cases], "deadline": deadline.isoformat()})
    _tell_agency(letter, now, key=f"letter:{letter.pk}",
                 title=lambda: _("Deadline letter %(number)s to answer") % {"number": letter.number})
    return letter


@transaction.atomic
def letter_acknowledge(*, letter: DeadlineLetter, actor, now: dt.datetime | None = None) -> DeadlineLetter:
    now = now or timezone.now()
    letter = LETTERS.lock(letter)
    unit = _agency_head(actor, letter)
    LETTERS.move(letter, "acknowledge", actor=actor, at=now, unit=unit,
                 changes={"acknowledged_at": now})
    return letter


@transaction.atomic
def letter_answer(*, letter: DeadlineLetter, actor, answer: str, now: dt.datetime | None = None) -> DeadlineLetter:
    """The agency's measures and result (attachments go on the letter's cases)."""
    now = now or timezone.now()
    letter = LETTERS.lock(letter)
    unit = _agency_head(actor, letter)
    LETTERS.move(letter, "answer", actor=actor, at=now, unit=unit, note=answer,
                 changes={"answer": answer, "answered_at": now})
    return letter


@transaction.atomic
def letter_feedback(*, letter: DeadlineLetter, actor, note: str, now: dt.datetime | None = None) -> DeadlineLetter:
    """How and when the street told the reporters the outcome."""
    now = now or timezone.now()
    letter = LETTERS.lock(letter)
    unit = _street_staff(actor, letter.street_id)
    LETTERS.move(letter, "feedback", actor=actor, at=now, unit=unit, note=note,
                 changes={"feedback": note, "feedback_at": now})
    # On each case's timeline too: from there it reaches every reporter and their follow pages.
    case_record_letter_feedback(cases=letter.cases.order_by("id"), actor=actor, unit=unit,
                                letter_number=letter.number, note=note, now=now)
    return letter


@transaction.atomic
def letter_close(*, letter: DeadlineLetter, actor, reasons: dict[str, str] | None = None,
                 now: dt.datetime | None = None) -> DeadlineLetter:
    """A letter closes the loop only when its cases are closed: each linked case still open needs a
    reason (by case number) recorded on the letter's closing event."""
    now = now or timezone.now()
    letter = LETTERS.lock(letter)
    unit = _street_staff(actor, letter.street_id)
    LETTERS.next_status(letter, "close")
    if not letter.feedback:
        raise ActionConflict(_("Record the feedback given to the reporters before closing the letter."))
    reasons = {number: reason.strip() for number, reason in (reasons or {}).items() if reason and reason.strip()}
    still_open = list(letter.cases.exclude(status__in=CaseStatus.terminal_values()).order_by("number")
                      .values_list("number", flat=True))
    unexplained = [number for number in still_open if number not in reasons]
    if unexplained:
        raise ActionConflict(_("Cases %(numbers)s are still open: close them first, or give a reason for each.")
                             % {"numbers": "、".join(unexplained)})
    LETTERS.move(letter, "close", actor=actor, at=now, unit=unit, changes={"closed_at": now},
                 data={"open_cases": {number: reasons[number] for number in still_open}} if still_open else None)
    return letter


def _tell_agency(letter: DeadlineLetter, now: dt.datetime, *, key: str, title, street_too: bool = False) -> int:
    users = handler_ids(agency_id=letter.agency_id, department_id=None)
    if street_too:
        users += street_staff_ids(letter.street_id)
    with override("zh-hans"):
        text = str(title())
        body = _("%(number)s from %(street)s: answer by %(deadline)s.") % {
            "number": letter.number, "street": letter.street.name,
            "deadline": timezone.localtime(letter.deadline).strftime("%Y-%m-%d %H:%M")}
    return notify([Note(users, key, NoticeKind.LETTER, text, body, link=letter_link(letter.pk))], now)


def sweep_letters(now: dt.datetime) -> tuple[int, int]:
    """Remind the agency one working day before a letter's deadline; mark it overdue after. Once each.

    The list is read once; each letter is then locked and looked at again, so one answered in the
    meantime is left alone, and of two sweeps at once the second finds the first's overdue mark."""
    reminded = overdue = 0
    waiting = [S.ISSUED, S.ACKNOWLEDGED]
    due_soon = DeadlineLetter.objects.filter(status__in=waiting,
                                             deadline__lte=add_working_time(now, 1, TimeUnit.WORKING_DAYS))
    for letter in due_soon.order_by("id"):
        with transaction.atomic():
            letter = LETTERS.lock(letter)
            if letter.status not in waiting:
                continue
            if letter.deadline <= now:
                if not letter.overdue:
                    LETTERS.move(letter, "overdue", actor=SYSTEM, at=now, changes={"overdue": True},
                                 data={"deadline": letter.deadline.isoformat()})
                    overdue += 1
                _tell_agency(letter, now, key=f"letter-overdue:{letter.pk}", street_too=True,
                             title=lambda letter=letter: _("Deadline letter %(number)s is overdue")
                             % {"number": letter.number})
            else:
                reminded += _tell_agency(
                    letter, now, key=f"letter-reminder:{letter.pk}",
                    title=lambda letter=letter: _("Deadline letter %(number)s is due within a working day")
                    % {"number": letter.number})
    return reminded, overdue
