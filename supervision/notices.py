"""What supervision tells people: its kinds of notification, who gets each, and where each leads."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from notifications import kinds
from people.selectors import handler_ids, street_staff_ids
from supervision.models import BodyMember, Inquiry, WorkPlanTask, serving_on


@kinds.register
class NoticeKind(models.TextChoices):
    INQUIRY_ASKED = "inquiry_asked", gettext_lazy("inquiry to answer")
    INQUIRY_ANSWERED = "inquiry_answered", gettext_lazy("inquiry answered")
    INQUIRY_OVERDUE = "inquiry_overdue", gettext_lazy("inquiry not answered in time")
    WORKPLAN_INSPECTED = "workplan_inspected", gettext_lazy("work-plan task inspected")


def inquiry_link(pk: int) -> str:
    return reverse("supervision:inquiry", kwargs={"pk": pk})


def task_link(pk: int) -> str:
    return reverse("supervision:task", kwargs={"pk": pk})


def target_people(inquiry: Inquiry) -> list[int]:
    """Who answers an inquiry: the street's sub-center staff, or the agency's head and staff."""
    if inquiry.target_agency_id:
        return handler_ids(agency_id=inquiry.target_agency_id, department_id=None)
    return street_staff_ids(inquiry.target_street_id)


def secretary_ids(body_id: int, today: dt.date | None = None) -> list[int]:
    """The body's secretary with an account (one at a time; a list, as every who-to-tell helper)."""
    today = today or timezone.localdate()
    return list(BodyMember.objects.filter(serving_on(today), body_id=body_id, is_secretary=True)
                .values_list("user_id", flat=True).order_by("user_id"))


def owner_people(task: WorkPlanTask) -> list[int]:
    """Who answers for a work-plan task: the owner department's administrators, or the owner street's staff."""
    if task.owner_department_id:
        return handler_ids(agency_id=None, department_id=task.owner_department_id)
    return street_staff_ids(task.owner_street_id)

