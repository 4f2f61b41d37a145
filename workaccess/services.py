"""Writes of work access (工作准入) and delegated enforcement (委托管理执法).

Each step locks its row, checks the status in one table (`ACCESS_MOVES`) and writes one event on the
request's timeline (the `REQUESTS` machine), as deadline letters do; who may take it is checked
against the person's memberships. 403 wrong person, 409 wrong
moment, 400 bad input.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Department, Street
from dispatch.models import Case
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from haidian.workflow import Machine
from people.selectors import acting_as, holds
from workaccess.models import (
    AccessRequest,
    AccessRequestEvent,
    AccessStatus,
    DelegatedAction,
    DelegatedMatter,
    StreetAssignment,
)

S = AccessStatus
# step → {from status: to status}; a step not listed for the current status is a 409.
ACCESS_MOVES = {
    "submit": {S.DRAFT: S.SUBMITTED},
    "approve": {S.SUBMITTED: S.APPROVED},
    "refuse": {S.SUBMITTED: S.REFUSED},
    "assign": {S.APPROVED: S.APPROVED},
    "acknowledge": {S.APPROVED: S.APPROVED},  # a street confirms its assignment
}
STEP_LABELS = {
    "create": gettext_lazy("request drafted"),
    "submit": gettext_lazy("submitted to the district"),
    "approve": gettext_lazy("approved"),
    "refuse": gettext_lazy("refused"),
    "assign": gettext_lazy("assigned to streets"),
    "acknowledge": gettext_lazy("acknowledged by a street"),
}
REQUESTS = Machine(model=AccessRequest, moves=ACCESS_MOVES, events=AccessRequestEvent,
                   refusal=gettext_lazy("Cannot %(step)s this request: it is %(status)s."), step_labels=STEP_LABELS,
                   related=("department",))


def request_steps(user, request: AccessRequest) -> set[str]:
    """The steps `user` may take on `request` now (the pages show only these)."""
    steps = set()
    if holds(user, Role.DEPARTMENT_ADMIN, "department", request.department_id):
        steps |= REQUESTS.steps_open(request, ("submit",))
    if holds(user, Role.DISTRICT_COMMAND, "district", request.department.district_id):
        steps |= REQUESTS.steps_open(request, ("approve", "refuse", "assign"))
    return steps


def _department_admin(user, department_id: int) -> str:
    return acting_as(user, Role.DEPARTMENT_ADMIN, "department", department_id,
                     refusal=_("Only the administrators of the asking department may do this."))


def _district_command(user, district_id: int) -> str:
    return acting_as(user, Role.DISTRICT_COMMAND, "district", district_id,
                     refusal=_("Only the district command center may do this."))


def _lock(request: AccessRequest) -> AccessRequest:
    # The row lock serialises two deciders (approve vs refuse) and a decision racing an assignment.
    return REQUESTS.lock(request)


@transaction.atomic
def request_create(*, actor, department: Department, title: str, description: str, powers: str,
                   budget_yuan: Decimal, staff_count: int, now: dt.datetime | None = None) -> AccessRequest:
    """A department drafts a request to hand streets a new task."""
    unit = _department_admin(actor, department.pk)
    if budget_yuan is None or budget_yuan < 0:
        raise InvalidInput({"budget_yuan": [_("The budget cannot be negative.")]})
    now = now or timezone.now()
    request = AccessRequest.objects.create(
        department=department, title=title, description=description, powers=powers, budget_yuan=budget_yuan,
        staff_count=staff_count, created_by=actor, created_at=now)
    REQUESTS.record(request, "create", actor=actor, at=now, unit=unit,
                    data={"budget_yuan": str(budget_yuan), "staff_count": staff_count})
    return request


@transaction.atomic
def request_submit(*, request: AccessRequest, actor, now: dt.datetime | None = None) -> AccessRequest:
    """The department puts its request to the district meeting."""
    now = now or timezone.now()
    request = _lock(request)
    unit = _department_admin(actor, request.department_id)
    REQUESTS.move(request, "submit", actor=actor, at=now, unit=unit, changes={"submitted_at": now})
    return request


@transaction.atomic
def request_decide(*, request: AccessRequest, actor, approve: bool, meeting_reference: str,
                   now: dt.datetime | None = None) -> AccessRequest:
    """The district command records the meeting's decision, under the meeting's reference."""
    now = now or timezone.now()
    request = _lock(request)
    unit = _district_command(actor, request.department.district_id)
    step = "approve" if approve else "refuse"
    REQUESTS.next_status(request, step)
    meeting_reference = (meeting_reference or "").strip()
    if not meeting_reference:
        raise InvalidInput({"meeting_reference": [_("Give the reference of the meeting that decided.")]})
    REQUESTS.move(request, step, actor=actor, at=now, unit=unit, note=meeting_reference, changes={
        "meeting_reference": meeting_reference, "decided_by": actor, "decided_at": now})
    return request


@transaction.atomic
def request_assign(*, request: AccessRequest, actor, streets: list[Street],
                   now: dt.datetime | None = None) -> list[StreetAssignment]:
    """Hand an approved task to streets of the district; a street already holding it is left as it is."""
    request = _lock(request)
    unit = _district_command(actor, request.department.district_id)
    REQUESTS.next_status(request, "assign")
    if not streets:
        raise InvalidInput({"streets": [_("Choose at least one street.")]})
    outside = [street.code for street in streets if street.district_id != request.department.district_id]
    if outside:
        raise InvalidInput({"streets": [_("Not streets of this district: %(codes)s.") % {"codes": ", ".join(outside)}]})
    now = now or timezone.now()
    held = set(StreetAssignment.objects.filter(request=request).values_list("street_id", flat=True))
    new = [street for street in dict.fromkeys(streets) if street.pk not in held]
    StreetAssignment.objects.bulk_create(
        [StreetAssignment(request=request, street=street, assigned_by=actor, assigned_at=now) for street in new],
        ignore_conflicts=True)
    if new:  # a street already holding the task is left as it is, and nothing new is on record
        REQUESTS.move(request, "assign", actor=actor, at=now, unit=unit, data={"streets": [s.code for s in new]})
    return list(StreetAssignment.objects.filter(request=request, street__in=streets).select_related("street"))


@transaction.atomic
def assignment_acknowledge(*, assignment: StreetAssignment, actor,
                           now: dt.datetime | None = None) -> StreetAssignment:
    """The street confirms it received the task and what came with it."""
    # Locked so that two staff acknowledging at once record one acknowledgement, not the later one.
    assignment = StreetAssignment.objects.select_for_update().select_related("request", "street").get(
        pk=assignment.pk)
    unit = acting_as(actor, Role.STREET_STAFF, "street", assignment.street_id,
                     refusal=_("Only the sub-center staff of the assigned street may do this."))
    if assignment.acknowledged_at is not None:
        raise ActionConflict(_("This assignment is already acknowledged."))
    now = now or timezone.now()
    assignment.acknowledged_by, assignment.acknowledged_at = actor, now
    assignment.save(update_fields=["acknowledged_by", "acknowledged_at"])
    REQUESTS.move(_lock(assignment.request), "acknowledge", actor=actor, at=now,
                  unit=unit,
                  data={"street": assignment.street.code})
    return assignment


# --- delegated enforcement ------------------------------------------------------------------------

def _check_validity(valid_from: dt.date, valid_until: dt.date | None) -> None:
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput({"valid_until": [_("The end of validity cannot be before its start.")]})


@transaction.atomic
def matter_create(*, actor, department: Department, code: str, title: str, legal_basis: str,
                  valid_from: dt.date, valid_until: dt.date | None = None, active: bool = True) -> DelegatedMatter:
    """The district command adds an entry to the district's catalogue of delegated matters."""
    _district_command(actor, department.district_id)
    _check_validity(valid_from, valid_until)
    if DelegatedMatter.objects.filter(code=code).exists():
        raise InvalidInput({"code": [_("An entry with this code exists.")]})
    return DelegatedMatter.objects.create(department=department, code=code, title=title, legal_basis=legal_basis,
                                          valid_from=valid_from, valid_until=valid_until, active=active)


MATTER_FIELDS = ("title", "legal_basis", "valid_from", "valid_until", "active")


@transaction.atomic
def matter_update(*, matter: DelegatedMatter, actor, **changes) -> DelegatedMatter:
    """Change an entry's text, validity or active flag (the code and department stay)."""
    matter = DelegatedMatter.objects.select_for_update().select_related("department").get(pk=matter.pk)
    _district_command(actor, matter.department.district_id)
    changed = [name for name in MATTER_FIELDS if name in changes and changes[name] != getattr(matter, name)]
    for name in changed:
        setattr(matter, name, changes[name])
    _check_validity(matter.valid_from, matter.valid_until)
    if changed:
        matter.save(update_fields=changed)
    return matter


@transaction.atomic
def action_record(*, actor, matter: DelegatedMatter, street: Street, description: str,
                  at: dt.datetime | None = None, case_number: str = "") -> DelegatedAction:
    """A street records an act under a delegated matter; refused unless the entry is in force that day."""
    if not holds(actor, Role.STREET_STAFF, "street", street.pk):
        raise ActionForbidden(_("Only the sub-center staff of the street may record its actions."))
    # Locked: the entry cannot be withdrawn or shortened while an action relying on it is written.
    matter = DelegatedMatter.objects.select_for_update(of=("self",)).select_related("department").get(pk=matter.pk)
    if matter.department.district_id != street.district_id:
        raise InvalidInput({"matter": [_("This entry is not in your district's catalogue.")]})
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    if not matter.active:
        raise ActionConflict(_("Entry %(code)s is withdrawn: it cannot be relied on.") % {"code": matter.code})
    if not matter.valid_on(day):
        raise ActionConflict(_("Entry %(code)s is not valid on %(day)s.") % {"code": matter.code, "day": day})
    case = None
    if case_number:
        case = Case.objects.filter(number=case_number.strip(), street=street).first()
        if case is None:
            raise InvalidInput({"case_number": [_("No case %(number)s in this street.") % {"number": case_number}]})
    return DelegatedAction.objects.create(matter=matter, street=street, recorded_by=actor, at=at,
                                          description=description, case=case)
