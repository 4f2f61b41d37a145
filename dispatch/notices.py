"""What the case workflow tells people: its kinds of notification, and where each leads."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from haidian.permissions import Role
from notifications import kinds
from people.models import Membership


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


def street_staff_ids(street_id: int) -> list[int]:
    return _people(Q(role=Role.STREET_STAFF, street_id=street_id))


def command_ids(district_id: int) -> list[int]:
    return _people(Q(role=Role.DISTRICT_COMMAND, district_id=district_id))


def handler_ids(*, agency_id: int | None, department_id: int | None) -> list[int]:
    """The people of a task's assignee: the agency's head and staff, or the department's administrators."""
    if agency_id:
        return _people(Q(role__in=[Role.AGENCY_HEAD, Role.AGENCY_STAFF], agency_id=agency_id))
    return _people(Q(role=Role.DEPARTMENT_ADMIN, department_id=department_id))


def _people(rule: Q) -> list[int]:
    return list(Membership.objects.filter(rule).values_list("user_id", flat=True).distinct())
