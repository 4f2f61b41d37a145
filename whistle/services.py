"""Every write of 吹哨报到: keyword-only, atomic, one function per action, each writing its event.

- `summons_create`: street staff of the case's street whistle on an open case, summoning agencies
  serving the street or departments of its district; each unit's people are told at once.
- `summons_check_in`: a summoned unit's person reports on site (报到), on time or late.
- `summons_sweep`: units still pending past their time are marked missing; the district command
  center and the street's staff are told. Beat runs it every minute, `manage.py sweep_summons` too.

A summons never touches its case: the case's status, tasks and CaseEvents stay dispatch's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from agencies.models import Agency, Department
from dispatch.models import Case, CaseStatus
from dispatch.notices import case_link
from dispatch.workflow import CASES
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from haidian.workflow import SYSTEM, user_or_none
from notifications.models import EmailStatus, Notification
from notifications.services import Note, notify, queue_emails
from people.selectors import acting_as, command_ids, street_staff_ids
from whistle import notices, selectors
from whistle.models import MAX_MINUTES, SummonedUnit, Summons, UnitStatus
from whistle.notices import NoticeKind
from whistle.workflow import SUMMONSES, UNITS, Step

SWEEP_BATCH = 500


def _minutes(minutes) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput({"minutes": _("Give between 1 and %(max)s minutes.") % {"max": MAX_MINUTES}})
    return minutes


def _summonable(case: Case, codes: list[str]) -> tuple[list[Agency], list[Department]]:
    """The units named by `codes`: agencies serving the case's street, departments of its district.
    Any other code is a 400 naming it."""
    codes = list(dict.fromkeys(code.strip() for code in codes if code and code.strip()))
    if not codes:
        raise InvalidInput({"units": _("Choose at least one agency or department to summon.")})
    agencies = {a.code: a for a in Agency.objects.filter(streets=case.street_id, code__in=codes)}
    departments = {d.code: d for d in Department.objects.filter(district_id=case.street.district_id, code__in=codes)
                   if d.code not in agencies}
    unknown = [code for code in codes if code not in agencies and code not in departments]
    if unknown:
        raise InvalidInput({"units": [
            _("%(code)s is neither an agency serving this street nor a department of its district.") % {"code": code}
            for code in unknown]})
    return ([agencies[code] for code in codes if code in agencies],
            [departments[code] for code in codes if code in departments])


@transaction.atomic
def summons_create(*, case: Case, actor, units: list[str], minutes: int, note: str = "",
                   now: dt.datetime | None = None) -> Summons:
    """吹哨: summon `units` (agency or department codes) to `case` on site within `minutes`."""
    now = now or timezone.now()
    case = CASES.lock(case)  # a case being closed at this moment is either still open here, or a 409
    label = acting_as(actor, Role.STREET_STAFF, "street", case.street_id,
                      refusal=_("Only the sub-center staff of the case's street may blow the whistle."))
    if case.status not in CaseStatus.open_values():
        raise ActionConflict(_("Cannot blow the whistle: the case is %(status)s.")
                             % {"status": case.get_status_display()})
    minutes = _minutes(minutes)
    agencies, departments = _summonable(case, units)
    summons = Summons.objects.create(case=case, street_id=case.street_id, note=note, minutes=minutes,
                                     created_by=user_or_none(actor), created_at=now)
    due_at = summons.due_at
    summoned = SummonedUnit.objects.bulk_create(
        [SummonedUnit(summons=summons, agency=agency, due_at=due_at) for agency in agencies]
        + [SummonedUnit(summons=summons, department=department, due_at=due_at) for department in departments])
    SUMMONSES.record(summons, Step.WHISTLE, actor=actor, at=now, unit=label, to_status=UnitStatus.PENDING,
                     note=note, data={"units": [unit.code for unit in summoned], "minutes": minutes,
                                      "due_at": due_at.isoformat()})
    _tell_summoned(case, summons, summoned, due_at, now)
    return summons


def _tell_summoned(case: Case, summons: Summons, summoned: list[SummonedUnit], due_at: dt.datetime,
                   now: dt.datetime) -> None:
    people = notices.unit_people(summoned)
    with override("zh-hans"):  # notifications and emails are written in Chinese
        due = timezone.localtime(due_at).strftime("%H:%M")
        notes = [Note(people[unit.pk], f"summoned:{unit.pk}", NoticeKind.SUMMONED,
                      _("%(street)s whistles: %(unit)s, report on site by %(due)s")
                      % {"street": case.street.name, "unit": unit.unit.name, "due": due},
                      " ".join(filter(None, [_("Case %(number)s: %(title)s.")
                                             % {"number": case.number, "title": case.title},
                                             case.address, summons.note])),
                      case_number=case.number, link=notices.summons_link())
                 for unit in summoned]
    notify(notes, now)
    queue_emails()  # a summons gives minutes, not days: its emails go now, not at the next sweep


# --- check-in ------------------------------------------------------------------------------------

@transaction.atomic
def summons_check_in(*, summons: Summons, actor, lat: float, lng: float, unit: str | None = None,
                     location_note: str = "", now: dt.datetime | None = None) -> SummonedUnit:
    """报到: the actor reports on site for their summoned unit (`unit`, its code, when they report for
    several; else the first still waiting): on time up to the due time, late after it or after being
    marked missing. 403 for anyone who reports for no summoned unit; 409 once the unit has reported."""
    now = now or timezone.now()
    mine = [u for u in selectors.reporting_units(summons=summons, user=actor) if unit is None or u.code == unit]
    if not mine:
        raise ActionForbidden(_("Only the people of a summoned agency or department may report for it."))
    chosen = next((u for u in mine if u.is_waiting), mine[0])
    # The row lock serves two people of one unit reporting at once one after the other: the second
    # sees the first's check-in under the lock and gets a 409, never a second check-in over the first.
    chosen = UNITS.lock(chosen)
    late = now > chosen.due_at or chosen.status == UnitStatus.MISSING
    _move(chosen, Step.CHECK_IN_LATE if late else Step.CHECK_IN_ON_TIME, actor=actor, at=now,
          label=selectors.reporting_seat(actor, chosen), note=location_note,
          changes={"checked_in_at": now, "checked_in_by": user_or_none(actor), "lat": lat, "lng": lng,
                   "location_note": location_note[:200]},
          data={"lat": lat, "lng": lng})
    if late:
        notify(_command_notes([chosen], NoticeKind.SUMMONS_LATE, street_too=False), now)
        queue_emails()
    return chosen


def _move(summoned: SummonedUnit, step: str, *, actor, at: dt.datetime, label: str = "", note: str = "",
          changes: dict | None = None, data: dict | None = None):
    """Take `step` on a locked unit: check the move (409), save the status and `changes` only, and write
    the event in the summons' log, naming the unit."""
    from_status = summoned.status
    to_status = UNITS.next_status(summoned, step)
    summoned.status = to_status
    for name, value in (changes or {}).items():
        setattr(summoned, name, value)
    summoned.save(update_fields=["status", *(changes or {})])
    return SUMMONSES.record(summoned.summons, step, actor=actor, at=at, unit=label, from_status=from_status,
                            to_status=to_status, note=note, summoned_unit=summoned,
                            data={"unit": summoned.code, "name": summoned.unit.name, **(data or {})})


# --- the sweep -----------------------------------------------------------------------------------

@dataclass
class SweepResult:
    missing: int = 0
    notifications: int = 0  # rows offered to the inbox; one already there is not written twice


def summons_sweep(*, now: dt.datetime | None = None, batch: int = SWEEP_BATCH) -> SweepResult:
    """Mark every unit still pending past its due time missing and tell the district command center and
    the street's staff. Exactly once: the mark is a state change under the unit's row lock (a unit
    already marked, or reporting at this moment, is not pending to a second sweep), and a notification
    is unique per person and key. Each batch is its own transaction: a sweep killed halfway leaves whole
    batches behind, and the next run, a minute later, does the rest."""
    now = now or timezone.now()
    result = SweepResult()
    while True:
        with transaction.atomic():
            # skip_locked: a unit a check-in holds is the check-in's; two sweeps at once share the work.
            due = list(SummonedUnit.objects.select_for_update(of=("self",), skip_locked=True)
                       .filter(status=UnitStatus.PENDING, due_at__lt=now)
                       .select_related("summons__case__street", "agency", "department")
                       .order_by("due_at", "id")[:batch])
            for summoned in due:
                _move(summoned, Step.MARK_MISSING, actor=SYSTEM, at=now)
            result.missing += len(due)
            if due:
                result.notifications += notify(_command_notes(due, NoticeKind.SUMMONS_MISSING, street_too=True), now)
        if len(due) < batch:
            break
    if result.notifications and Notification.objects.filter(email_status=EmailStatus.PENDING).exists():
        queue_emails()
    return result


def _command_notes(units: list[SummonedUnit], kind: str, *, street_too: bool) -> list[Note]:
    """For each unit, a note to its district's command center (and its street's staff)."""
    command: dict[int, list[int]] = {}
    staff: dict[int, list[int]] = {}
    notes = []
    with override("zh-hans"):  # notifications and emails are written in Chinese
        for summoned in units:
            summons = summoned.summons
            case = summons.case
            district_id = case.street.district_id
            if district_id not in command:
                command[district_id] = command_ids(district_id)
            users = list(command[district_id])
            if street_too:
                if summons.street_id not in staff:
                    staff[summons.street_id] = street_staff_ids(summons.street_id)
                users += staff[summons.street_id]
            values = {"unit": summoned.unit.name, "number": case.number, "street": case.street.name,
                      "due": timezone.localtime(summoned.due_at).strftime("%Y-%m-%d %H:%M")}
            if kind == NoticeKind.SUMMONS_LATE:
                title = _("%(unit)s reported late on site for case %(number)s") % values
                body = _("Summoned by %(street)s to report by %(due)s; reported at %(at)s.") % {
                    **values, "at": timezone.localtime(summoned.checked_in_at).strftime("%Y-%m-%d %H:%M")}
            else:
                title = _("%(unit)s did not report on site for case %(number)s") % values
                body = _("Summoned by %(street)s to report by %(due)s; nobody has reported.") % values
            notes.append(Note(users, f"{kind}:{summoned.pk}", kind, title, body, case_number=case.number,
                              link=case_link(case.number)))
    return notes
