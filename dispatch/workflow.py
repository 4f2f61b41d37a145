"""The case workflow as one table: which action moves a case (or a task) from which status to which,
and the machines (haidian.workflow) that take those steps and write them in the case's event log.

collect → file → dispatch → handle → feedback → verify → evaluate (DESIGN §5).
"""

from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from dispatch.models import Case, CaseEvent, Task
from dispatch.models import CaseStatus as S
from dispatch.models import TaskStatus as T
from haidian.workflow import Machine


class Action(models.TextChoices):
    CREATE = "create", gettext_lazy("report")
    FILE = "file", pgettext_lazy("case action", "file")
    REJECT = "reject", gettext_lazy("reject")
    RESOLVE_ON_SITE = "resolve_on_site", gettext_lazy("resolve on site")
    DISPATCH = "dispatch", gettext_lazy("dispatch")
    ESCALATE = "escalate", gettext_lazy("escalate to the district")
    ACCEPT = "accept", gettext_lazy("accept the task")
    RETURN = "return", gettext_lazy("return the task")
    REQUEST_EXTENSION = "request_extension", gettext_lazy("request an extension")
    APPROVE_EXTENSION = "approve_extension", gettext_lazy("approve the extension")
    RESPOND = "respond", gettext_lazy("respond")
    VERIFY_PASSED = "verify_passed", gettext_lazy("pass verification")
    VERIFY_FAILED = "verify_failed", gettext_lazy("fail verification")
    RATE = "rate", gettext_lazy("rate")
    ATTACH = "attach", gettext_lazy("add an attachment")


# action → {from status: to status}. A case action not listed for the current status is a 409.
CASE_MOVES: dict[str, dict[str, str]] = {
    Action.FILE: {S.REPORTED: S.FILED},
    Action.REJECT: {S.REPORTED: S.REJECTED},
    Action.RESOLVE_ON_SITE: {S.REPORTED: S.CLOSED},
    Action.DISPATCH: {S.FILED: S.DISPATCHED},
    Action.ESCALATE: {S.FILED: S.FILED, S.DISPATCHED: S.FILED},
    Action.RESPOND: {S.DISPATCHED: S.RESPONDED},  # when the lead task responds
    Action.RETURN: {S.DISPATCHED: S.FILED},  # when the lead task is returned
    Action.VERIFY_PASSED: {S.RESPONDED: S.CLOSED},
    Action.VERIFY_FAILED: {S.RESPONDED: S.DISPATCHED},
    Action.RATE: {S.CLOSED: S.CLOSED},
    Action.ATTACH: {status: status for status in S.open_values()},
}

# action → {from task status: to task status}.
TASK_MOVES: dict[str, dict[str, str]] = {
    Action.ACCEPT: {T.PENDING: T.ACCEPTED},
    Action.RETURN: {T.PENDING: T.RETURNED, T.ACCEPTED: T.RETURNED},
    Action.REQUEST_EXTENSION: {T.PENDING: T.PENDING, T.ACCEPTED: T.ACCEPTED},
    Action.APPROVE_EXTENSION: {T.PENDING: T.PENDING, T.ACCEPTED: T.ACCEPTED},
    Action.RESPOND: {T.PENDING: T.RESPONDED, T.ACCEPTED: T.RESPONDED},
    Action.VERIFY_FAILED: {T.RESPONDED: T.ACCEPTED},  # the lead task reopens for rework
}


CASES = Machine(model=Case, moves=CASE_MOVES, events=CaseEvent,
                refusal=gettext_lazy("Cannot %(action)s: the case is %(status)s."),
                step_labels=dict(Action.choices), step_verbs=dict(Action.choices), related=("street", "category"))
# A task's steps are written in its case's event log (with the task named on the event).
TASKS = Machine(model=Task, moves=TASK_MOVES, events=CaseEvent,
                refusal=gettext_lazy("Cannot %(action)s: the task is %(status)s."), step_labels=dict(Action.choices),
                step_verbs=dict(Action.choices))


def case_next_status(action: str, current: str) -> str:
    return CASES.target(action, current)


def task_next_status(action: str, current: str) -> str:
    return TASKS.target(action, current)
