"""Deadline letters (问题限期受理函告): issue, acknowledge, answer, feed back, close; reminders.

Each step locks the letter row and checks its status in one table (`LETTER_MOVES`), as the case
workflow does. Numbers are `<street short name>函〔<year>〕<n>号`, taken from a per-street, per-year
sequence row locked inside the issuing transaction: unique, and gap-free because a failed issue
rolls its number back with it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from agencies.models import Agency
from dispatch.models import Case, DeadlineLetter, LetterNumberSequence, LetterStatus
from dispatch.notices import NoticeKind, letter_link
from haidian.calendar import TimeUnit, add_working_time
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from notifications.services import Note, notify
from people.models import Membership
from people.selectors import holds

S = LetterStatus
# step → {from status: to status}; a step not listed for the current status is a 409.
LETTER_MOVES = {
    "acknowledge": {S.ISSUED: S.ACKNOWLEDGED},
    "answer": {S.ISSUED: S.ANSWERED, S.ACKNOWLEDGED: S.ANSWERED},
    "feedback": {S.ANSWERED: S.ANSWERED},
    "close": {S.ANSWERED: S.CLOSED},
}


def letter_steps(user, letter: DeadlineLetter) -> set[str]:
    """The steps this person may take on the letter now (the pages show only these)."""
    steps = set()
    if holds(user, Role.AGENCY_HEAD, "agency", letter.agency_id):
        steps |= {step for step in ("acknowledge", "answer") if letter.status in LETTER_MOVES[step]}
    if holds(user, Role.STREET_STAFF, "street", letter.street_id):
        steps |= {step for step in ("feedback", "close") if letter.status in LETTER_MOVES[step]}
        if not letter.feedback:
            steps.discard("close")
    return steps


def may_issue(user, street_id: int) -> bool:
    return holds(user, Role.STREET_STAFF, "street", street_id)


def _move(letter: DeadlineLetter, step: str) -> str:
    try:
        return LETTER_MOVES[step][letter.status]
    except KeyError:
        raise ActionConflict(_("Cannot %(step)s this letter: it is %(status)s.")
                             % {"step": step, "status": letter.get_status_display()}) from None


def _street_staff(user, street_id: int) -> None:
    if not holds(user, Role.STREET_STAFF, "street", street_id):
        raise ActionForbidden(_("Only the sub-center staff of the letter's street may do this."))


def _agency_head(user, letter: DeadlineLetter) -> None:
    if not holds(user, Role.AGENCY_HEAD, "agency", letter.agency_id):
        raise ActionForbidden(_("Only the head of the agency the letter is addressed to may do this."))


def _lock(letter: DeadlineLetter) -> DeadlineLetter:
    return DeadlineLetter.objects.select_for_update(of=("self",)).select_related("street", "agency").get(pk=letter.pk)


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
    _street_staff(actor, street.pk)
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
    _tell_agency(letter, now, key=f"letter:{letter.pk}",
                 title=lambda: _("Deadline letter %(number)s to answer") % {"number": letter.number})
    return letter


@transaction.atomic
def letter_acknowledge(*, letter: DeadlineLetter, actor, now: dt.datetime | None = None) -> DeadlineLetter:
    letter = _lock(letter)
    _agency_head(actor, letter)
    letter.status, letter.acknowledged_at = _move(letter, "acknowledge"), now or timezone.now()
    letter.save(update_fields=["status", "acknowledged_at"])
    return letter


@transaction.atomic
def letter_answer(*, letter: DeadlineLetter, actor, answer: str, now: dt.datetime | None = None) -> DeadlineLetter:
    """The agency's measures and result (attachments go on the letter's cases)."""
    letter = _lock(letter)
    _agency_head(actor, letter)
    letter.status, letter.answer, letter.answered_at = _move(letter, "answer"), answer, now or timezone.now()
    letter.save(update_fields=["status", "answer", "answered_at"])
    return letter


@transaction.atomic
def letter_feedback(*, letter: DeadlineLetter, actor, note: str, now: dt.datetime | None = None) -> DeadlineLetter:
    """How and when the street told the reporters the outcome."""
    letter = _lock(letter)
    _street_staff(actor, letter.street_id)
    _move(letter, "feedback")
    letter.feedback, letter.feedback_at = note, now or timezone.now()
    letter.save(update_fields=["feedback", "feedback_at"])
    return letter


@transaction.atomic
def letter_close(*, letter: DeadlineLetter, actor, now: dt.datetime | None = None) -> DeadlineLetter:
    letter = _lock(letter)
    _street_staff(actor, letter.street_id)
    to_status = _move(letter, "close")
    if not letter.feedback:
        raise ActionConflict(_("Record the feedback given to the reporters before closing the letter."))
    letter.status, letter.closed_at = to_status, now or timezone.now()
    letter.save(update_fields=["status", "closed_at"])
    return letter


def _tell_agency(letter: DeadlineLetter, now: dt.datetime, *, key: str, title, street_too: bool = False) -> int:
    rule = {"agency_id": letter.agency_id, "role__in": [Role.AGENCY_HEAD, Role.AGENCY_STAFF]}
    users = list(Membership.objects.filter(**rule).values_list("user_id", flat=True))
    if street_too:
        users += Membership.objects.filter(street_id=letter.street_id, role=Role.STREET_STAFF).values_list(
            "user_id", flat=True)
    with override("zh-hans"):
        text = str(title())
        body = _("%(number)s from %(street)s: answer by %(deadline)s.") % {
            "number": letter.number, "street": letter.street.name,
            "deadline": timezone.localtime(letter.deadline).strftime("%Y-%m-%d %H:%M")}
    return notify([Note(users, key, NoticeKind.LETTER, text, body, link=letter_link(letter.pk))], now)


def sweep_letters(now: dt.datetime) -> tuple[int, int]:
    """Remind the agency one working day before a letter's deadline; mark it overdue after. Once each."""
    Letter = DeadlineLetter
    reminded = overdue = 0
    open_letters = Letter.objects.filter(status__in=[S.ISSUED, S.ACKNOWLEDGED]).select_related("street", "agency")
    for letter in open_letters.filter(deadline__lte=add_working_time(now, 1, TimeUnit.WORKING_DAYS)):
        with transaction.atomic():
            if letter.deadline <= now:
                overdue += Letter.objects.filter(pk=letter.pk, overdue=False).update(overdue=True)
                _tell_agency(letter, now, key=f"letter-overdue:{letter.pk}", street_too=True,
                             title=lambda letter=letter: _("Deadline letter %(number)s is overdue")
                             % {"number": letter.number})
            else:
                reminded += _tell_agency(
                    letter, now, key=f"letter-reminder:{letter.pk}",
                    title=lambda letter=letter: _("Deadline letter %(number)s is due within a working day")
                    % {"number": letter.number})
    return reminded, overdue
