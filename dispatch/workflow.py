"""The case workflow as one table: which action moves a case from which status to which.

collect → file → dispatch → handle → feedback → verify → evaluate (DESIGN §5).
"""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dispatch.models import CaseStatus as S
from dispatch.models import TaskStatus as T
from haidian.errors import ActionConflict


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


def case_next_status(action: str, current: str) -> str:
    try:
        return CASE_MOVES[action][current]
    except KeyError:
        raise ActionConflict(
            _("Cannot %(action)s: the case is %(status)s.")
            % {"action": Action(action).label, "status": S(current).label}
        ) from None


def task_next_status(action: str, current: str) -> str:
    try:
        return TASK_MOVES[action][current]
    except KeyError:
        raise ActionConflict(
            _("Cannot %(action)s: the task is %(status)s.")
            % {"action": Action(action).label, "status": T(current).label}
        ) from None
