"""What 吹哨报到 tells people: its kinds of notification, who gets each, and where each leads."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from haidian.permissions import Role
from notifications import kinds
from people.models import Membership
from people.selectors import AGENCY_ROLES, handler_rule
from whistle.models import SummonedUnit


@kinds.register
class NoticeKind(models.TextChoices):
    SUMMONED = "summoned", gettext_lazy("summoned to report on site")
    SUMMONS_LATE = "summons_late", gettext_lazy("reported on site late")
    SUMMONS_MISSING = "summons_missing", gettext_lazy("did not report on site")


def summons_link() -> str:
    """The summoned units' phone page."""
    return reverse("whistle:list")


def unit_people_rule(unit: SummonedUnit) -> Q:
    """The people who report for a summoned unit: an agency's head and staff, a department's administrators."""
    return handler_rule(agency_id=unit.agency_id, department_id=unit.department_id)


def unit_people(units: list[SummonedUnit]) -> dict[int, list[int]]:
    """Summoned unit id → the ids of its people, for all the units in one query."""
    if not units:
        return {}
    rule = Q()
    for unit in units:
        rule |= unit_people_rule(unit)
    rows = Membership.objects.filter(rule).values_list("user_id", "agency_id", "department_id", "role")
    found: dict[int, list[int]] = {unit.pk: [] for unit in units}
    for user_id, agency_id, department_id, role in rows.order_by("user_id"):
        for unit in units:
            if ((unit.agency_id and agency_id == unit.agency_id and role in AGENCY_ROLES)
                    or (unit.department_id and department_id == unit.department_id
                        and role == Role.DEPARTMENT_ADMIN)):
                found[unit.pk].append(user_id)
    return found
