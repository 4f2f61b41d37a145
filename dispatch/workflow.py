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
    SEND_DOWN = "send_down", gettext_lazy("send down to the street")
    ACKNOWLEDGE_ALARM = "acknowledge_alarm", gettext_lazy("acknowledge the alarm")
    ACCEPT = "accept", gettext_lazy("accept the task")
    RETURN = "return", gettext_lazy("ask to return the task")
    APPROVE_RETURN = "approve_return", gettext_lazy("approve the return")
    REFUSE_RETURN = "refuse_return", gettext_lazy("refuse the return")
    REQUEST_EXTENSION = "request_extension", gettext_lazy("request an extension")
    APPROVE_EXTENSION = "approve_extension", gettext_lazy("approve the extension")
    RESPOND = "respond", gettext_lazy("respond")
    VERIFY_PASSED = "verify_passed", gettext_lazy("pass verification")
    VERIFY_FAILED = "verify_failed", gettext_lazy("fail verification")
    RATE = "rate", gettext_lazy("rate")
    CALLBACK = "callback", gettext_lazy("record a call-back")
    REOPEN = "reopen", gettext_lazy("reopen after a dissatisfied rating")
    EXPLAIN = "explain", gettext_lazy("explain to the reporter")
    PUBLIC_RESULT = "public_result", gettext_lazy("edit the public result")
    LETTER_FEEDBACK = "letter_feedback", gettext_lazy("deadline letter feedback")
    ATTACH = "attach", gettext_lazy("add an attachment")


# action → {from status: to status}. A case action not listed for the current status is a 409.
CASE_MOVES: dict[str, dict[str, str]] = {
    Action.FILE: {S.REPORTED: S.FILED},
    Action.REJECT: {S.REPORTED: S.REJECTED},
    Action.RESOLVE_ON_SITE: {S.REPORTED: S.CLOSED},
    Action.DISPATCH: {S.FILED: S.DISPATCHED},
    Action.ESCALATE: {S.FILED: S.FILED, S.DISPATCHED: S.FILED},
    Action.SEND_DOWN: {S.FILED: S.FILED, S.DISPATCHED: S.FILED},  # district tier → street, to dispatch again
    Action.ACKNOWLEDGE_ALARM: {status: status for status in S.open_values()},
    Action.RESPOND: {S.DISPATCHED: S.RESPONDED},  # when the lead task responds
    Action.APPROVE_RETURN: {S.DISPATCHED: S.FILED},  # when the lead task's return is approved
    Action.VERIFY_PASSED: {S.RESPONDED: S.CLOSED},
    Action.VERIFY_FAILED: {S.RESPONDED: S.DISPATCHED},
    Action.RATE: {S.CLOSED: S.CLOSED},
    Action.CALLBACK: {S.CLOSED: S.CLOSED},
    # 不满意重办: the lead task reopens (a case closed on the spot, without one, goes back to `filed`).
    Action.REOPEN: {S.CLOSED: S.DISPATCHED},
    Action.EXPLAIN: {S.CLOSED: S.CLOSED},
    Action.PUBLIC_RESULT: {S.RESPONDED: S.RESPONDED, S.CLOSED: S.CLOSED},  # once there is a result to tell
    Action.LETTER_FEEDBACK: {status: status for status in S.values},
    Action.ATTACH: {status: status for status in S.open_values()},
}

# action → {from task status: to task status}.
TASK_MOVES: dict[str, dict[str, str]] = {
    Action.ACCEPT: {T.PENDING: T.ACCEPTED},
    # 退单审核: a return is a request the dispatcher reviews; refused, the task goes back to the status
    # it had (kept in `status_before_return`), its clock never stopped.
    Action.RETURN: {T.PENDING: T.RETURN_REQUESTED, T.ACCEPTED: T.RETURN_REQUESTED},
    Action.APPROVE_RETURN: {T.RETURN_REQUESTED: T.RETURNED},
    Action.REFUSE_RETURN: {T.RETURN_REQUESTED: T.RETURN_REQUESTED},
    Action.REQUEST_EXTENSION: {T.PENDING: T.PENDING, T.ACCEPTED: T.ACCEPTED},
    Action.APPROVE_EXTENSION: {T.PENDING: T.PENDING, T.ACCEPTED: T.ACCEPTED},
    Action.RESPOND: {T.PENDING: T.RESPONDED, T.ACCEPTED: T.RESPONDED},
    Action.VERIFY_FAILED: {T.RESPONDED: T.ACCEPTED},  # the lead task reopens for rework
    Action.REOPEN: {T.RESPONDED: T.ACCEPTED},
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
