"""An inquiry's steps as one table, and the machine (haidian.workflow) that takes them and writes them in
the inquiry's event log.

    asked ──the target answers (once)──▶ answered
    asked ──the sweep, past the due time──▶ asked, ever_overdue (the answer is still owed)
"""

from django.db import models
from django.utils.translation import gettext, gettext_lazy

from haidian.workflow import Machine
from supervision.models import Inquiry, InquiryEvent
from supervision.models import InquiryStatus as S


class Step(models.TextChoices):
    ASK = "ask", gettext_lazy("inquiry put")
    ANSWER = "answer", gettext_lazy("inquiry answered")
    OVERDUE = "overdue", gettext_lazy("not answered by the due time")


# step → {from status: to status}. A step not listed for the inquiry's status is a 409.
INQUIRY_MOVES: dict[str, dict[str, str]] = {
    Step.ANSWER: {S.ASKED: S.ANSWERED},
    Step.OVERDUE: {S.ASKED: S.ASKED},
}



def _refusal(inquiry: Inquiry | None, action: str, status: str) -> str:
    if inquiry is not None and inquiry.status == S.ANSWERED:
        return gettext("This inquiry has already been answered.")
    return gettext("Cannot %(action)s: the inquiry is %(status)s.") % {"action": action, "status": status}


# The inquiry's row: its lock (two answers at once are served one after the other) and its moves.
INQUIRIES = Machine(model=Inquiry, moves=INQUIRY_MOVES, events=InquiryEvent, refusal=_refusal,
                    step_labels=dict(Step.choices),
                    step_verbs={Step.ANSWER: gettext_lazy("answer"), Step.OVERDUE: gettext_lazy("mark as overdue")},
                    related=("body__street", "target_street", "target_agency"))
