"""Who may do what on a case: one table the services enforce and the pages read.

An action names the seat it needs for a given case (or task): the roles and the organisation unit,
e.g. "street staff of the case's street". A person may act when one of their memberships is such
a seat. Superusers may do everything. The services call `require` (403 with the action's reason
when the person has no seat); the pages call `case_actions`/`task_actions` so that nobody is
shown a button they may not use. Whether the case's status allows the move is the workflow
table's business (`dispatch.workflow`), not this module's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dispatch.models import Case, CaseStatus, ExtensionStatus, Priority, Review, Source, Task, TaskStatus, Tier
from dispatch.workflow import CASE_MOVES, TASK_MOVES, Action
from haidian.errors import ActionForbidden
from haidian.permissions import Role
from people.selectors import memberships

AGENCY_ROLES = (Role.AGENCY_HEAD, Role.AGENCY_STAFF)


@dataclass(frozen=True)
class Seat:
    roles: tuple[str, ...]
    unit_field: str  # the Membership field: "street", "grid", "district", "agency", "department"
    unit_id: int | None


def _street_staff(case: Case, task: Task | None) -> Seat:
    return Seat((Role.STREET_STAFF,), "street", case.street_id)


def _grid_worker(case: Case, task: Task | None) -> Seat:
    return Seat((Role.GRID_WORKER,), "grid", case.grid_id)


def _district_command(case: Case, task: Task | None) -> Seat:
    return Seat((Role.DISTRICT_COMMAND,), "district", case.street.district_id)


def _dispatcher(case: Case, task: Task | None) -> Seat:
    """The street's staff dispatch street-tier cases; the district command center district-tier ones."""
    return _district_command(case, task) if case.tier == Tier.DISTRICT else _street_staff(case, task)


def _handler(case: Case, task: Task | None) -> Seat:
    """The people of the agency (or department) a task is assigned to."""
    if task.agency_id:
        return Seat(AGENCY_ROLES, "agency", task.agency_id)
    return Seat((Role.DEPARTMENT_ADMIN,), "department", task.department_id)


STREET_ONLY = _("Only the sub-center staff of the case's street may do this.")
HANDLERS_ONLY = _("Only the people of the assigned agency or department may handle this task.")
COMMAND_ONLY = _("Only the district command center may do this.")
DISPATCHER_ONLY = "dispatcher"  # the street's reason or the command center's, by the case's tier

# action → (the seats that may do it, the reason given to anyone else).
WHO: dict[str, tuple[tuple[Callable[[Case, Task | None], Seat], ...], str]] = {
    Action.FILE: ((_street_staff,), STREET_ONLY),
    Action.REJECT: ((_street_staff,), STREET_ONLY),
    Action.ESCALATE: ((_street_staff,), STREET_ONLY),
    # Staff do not rate: what they record after calling the reporter back is a call-back (回访).
    Action.RATE: ((), _("Only the reporter may rate the case; staff record a call-back.")),
    Action.CALLBACK: ((_street_staff,), STREET_ONLY),
    Action.REOPEN: ((_street_staff,), STREET_ONLY),
    Action.EXPLAIN: ((_street_staff,), STREET_ONLY),
    Action.PUBLIC_RESULT: ((_street_staff, _district_command),
                           _("Only the street's sub-center staff or the district command center may do this.")),
    Action.SEND_DOWN: ((_district_command,), COMMAND_ONLY),
    Action.ACKNOWLEDGE_ALARM: ((_district_command, _street_staff),
                               _("Only the district command center or the street's sub-center staff may do this.")),
    Action.RESOLVE_ON_SITE: ((_grid_worker,), _("Only the grid worker of the case's grid may do this.")),
    Action.DISPATCH: ((_dispatcher,), DISPATCHER_ONLY),
    Action.APPROVE_EXTENSION: ((_dispatcher,), DISPATCHER_ONLY),
    Action.APPROVE_RETURN: ((_dispatcher,), DISPATCHER_ONLY),
    Action.REFUSE_RETURN: ((_dispatcher,), DISPATCHER_ONLY),
    Action.ACCEPT: ((_handler,), HANDLERS_ONLY),
    Action.RETURN: ((_handler,), HANDLERS_ONLY),
    Action.REQUEST_EXTENSION: ((_handler,), HANDLERS_ONLY),
    Action.RESPOND: ((_handler,), HANDLERS_ONLY),
    Action.VERIFY_PASSED: ((_street_staff, _grid_worker),
                           _("Only the street's sub-center staff or the grid worker of the case's grid may verify.")),
    Action.VERIFY_FAILED: ((_street_staff, _grid_worker),
                           _("Only the street's sub-center staff or the grid worker of the case's grid may verify.")),
    Action.ATTACH: ((_street_staff, _grid_worker, _district_command),
                    _("Only people working on this case may add attachments.")),
}


def _reporter_may(user, action: str, case: Case, task: Task | None) -> bool:
    """A reporter adds photos to their own report and rates it if they are the public (staff and grid
    workers do not grade their own patrol reports: the street records a call-back instead)."""
    if not (user is not None and user.is_authenticated and case.reported_by_id == user.pk):
        return False
    if action == Action.ATTACH:
        return task is None
    return action == Action.RATE and case.source in (Source.RESIDENT, Source.OPEN311)


def acting_unit(user, action: str, case: Case, task: Task | None = None) -> str | None:
    """The label recorded on the event when `user` does `action` here, or None if they may not."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return "superuser"
    if _reporter_may(user, action, case, task):
        return "reporter"
    seats, _reason = WHO[action]
    if task is not None and action == Action.ATTACH:
        seats = (_handler,)
    held = memberships(user)
    for seat_of in seats:
        seat = seat_of(case, task)
        for role, field, unit_id, label in held:
            if role in seat.roles and field == seat.unit_field and unit_id == seat.unit_id:
                return label
    return None


def require(user, action: str, case: Case, task: Task | None = None) -> str:
    """`acting_unit`, or ActionForbidden (HTTP 403) with the action's reason."""
    label = acting_unit(user, action, case, task)
    if label is None:
        reason = HANDLERS_ONLY if task is not None and action == Action.ATTACH else WHO[action][1]
        if reason == DISPATCHER_ONLY:
            reason = COMMAND_ONLY if case.tier == Tier.DISTRICT else STREET_ONLY
        raise ActionForbidden(str(reason))
    return label


def case_actions(user, case: Case) -> set[str]:
    """The case-level actions `user` may do on `case` now: status allows it and they hold the seat."""
    allowed = set()
    for action in (Action.FILE, Action.REJECT, Action.RESOLVE_ON_SITE, Action.DISPATCH, Action.ESCALATE,
                   Action.SEND_DOWN, Action.VERIFY_PASSED, Action.VERIFY_FAILED, Action.RATE, Action.CALLBACK,
                   Action.REOPEN, Action.EXPLAIN, Action.PUBLIC_RESULT, Action.ACKNOWLEDGE_ALARM, Action.ATTACH):
        if case.status not in CASE_MOVES[action] or not _case_allows(action, case):
            continue
        if acting_unit(user, action, case) is not None:
            allowed.add(action)
    return allowed


def _case_allows(action: str, case: Case) -> bool:
    """What besides the status decides whether an action is open on the case now."""
    if action == Action.ESCALATE:
        return case.tier == Tier.STREET
    if action == Action.SEND_DOWN:
        return case.tier == Tier.DISTRICT
    if action == Action.RATE:
        return not case.satisfaction
    if action == Action.CALLBACK:
        return not case.callback_satisfaction
    if action in (Action.REOPEN, Action.EXPLAIN):
        return case.review == Review.PENDING
    if action == Action.ACKNOWLEDGE_ALARM:
        return case.priority == Priority.CRITICAL and case.alarm_acknowledged_at is None
    return True


def task_actions(user, task: Task, case: Case) -> set[str]:
    """The task actions `user` may do on `task` now."""
    allowed = set()
    for action in (Action.ACCEPT, Action.RETURN, Action.REQUEST_EXTENSION, Action.RESPOND):
        if task.status not in TASK_MOVES[action]:
            continue
        if action == Action.REQUEST_EXTENSION and task.extension_status == ExtensionStatus.REQUESTED:
            continue
        if acting_unit(user, action, case, task) is not None:
            allowed.add(action)
    if (task.extension_status == ExtensionStatus.REQUESTED and task.status in TaskStatus.active_values()
            and case.status != CaseStatus.CLOSED
            and acting_unit(user, Action.APPROVE_EXTENSION, case, task) is not None):
        allowed.add(Action.APPROVE_EXTENSION)
    if task.status == TaskStatus.RETURN_REQUESTED and acting_unit(user, Action.APPROVE_RETURN, case, task) is not None:
        allowed |= {Action.APPROVE_RETURN, Action.REFUSE_RETURN}
    return allowed
