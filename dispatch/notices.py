"""What the case workflow tells people: its kinds of notification, and where each leads."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications import kinds


@kinds.register
class NoticeKind(models.TextChoices):
    YELLOW_CARD = "yellow_card", _("time running out")
    RED_CARD = "red_card", _("past the due time")
    ESCALATED = "escalated", _("escalated to the district")
    LETTER = "letter", _("deadline letter")


def case_link(number: str) -> str:
    return reverse("dispatch:case", kwargs={"number": number})


def case_link_parts() -> tuple[str, str]:
    """The case page's path around its number, for SQL that writes many notifications at once."""
    before, after = case_link("NUMBER").split("NUMBER")
    return before, after


def letter_link(pk: int) -> str:
    return reverse("dispatch:letter", kwargs={"pk": pk})


@kinds.register
class WorkflowNoticeKind(models.TextChoices):
    """What the workflow's own steps tell the people concerned at once (the sweep's kinds are above)."""

    PRIORITY = "priority", _("urgent or critical case")
    RETURN_REQUESTED = "return_requested", _("return requested")
    RETURN_DECIDED = "return_decided", _("return approved or refused")
    SENT_DOWN = "sent_down", _("sent down to the street")
    DISSATISFIED = "dissatisfied", _("reporter dissatisfied")
    ANSWERED = "answered", _("task answered")
