"""The public's reads. Nothing here is scoped by a user (there is none): what may leave the server
is decided field by field instead, and each function says what it gives away.

A case seen by the public (its follow page) shows its number, title, category, grid, community and
street, its status and the public steps of its timeline with the acting *unit*. Never: the
reporter's name or phone (not even masked), the address or the point, photos, notes written by
staff or agencies (a result or a verification note can name people, phones, flats), staff names.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from agencies.models import Agency, Department
from dispatch.models import Case, CaseEvent, CaseStatus, Satisfaction
from dispatch.workflow import Action
from grids.models import GridCell
from public.models import FollowToken, RosterEntry

# --- following a case ----------------------------------------------------------------------------

CASE_NUMBER = re.compile(r"^HD\d{14}$")


def normalise_number(number: str) -> str:
    return re.sub(r"\s", "", number).upper()


def case_for_follow(*, number: str, last_four: str) -> Case | None:
    """The case with this number whose reporter's phone ends in these four digits, else None.

    An unknown number, a case without a phone and wrong digits all give None, after the same
    single query and one constant-time comparison: the answer says nothing about which it was."""
    number = normalise_number(number)
    phone = ""
    if CASE_NUMBER.match(number):
        phone = Case.objects.filter(number=number).values_list("reporter_phone", flat=True).first() or ""
    digits = re.sub(r"\D", "", phone)
    expected = digits[-4:] if len(digits) >= 4 else "----"  # never equal to four digits
    if not constant_time_compare(expected, last_four):
        return None
    return Case.objects.get(number=number)


def case_for_token(token: str) -> Case | None:
    follow = (FollowToken.objects.select_related("case__grid", "case__community", "case__street", "case__category")
              .defer("case__grid__boundary").filter(token=token).first())
    return follow.case if follow else None


def status_label(case: Case) -> str:
    """Where the case stands, in the public's words."""
    return {
        CaseStatus.REPORTED: _("Received, waiting to be filed"),
        CaseStatus.FILED: _("Filed, waiting to be sent to a handling unit"),
        CaseStatus.DISPATCHED: _("Being handled"),
        CaseStatus.RESPONDED: _("Handled, waiting to be checked"),
        CaseStatus.CLOSED: _("Closed"),
        CaseStatus.REJECTED: _("Not taken up as a case"),
    }[case.status]


@dataclass(frozen=True)
class Step:
    """One public step of a case: when, what, and which unit (never a person)."""

    at: dt.datetime
    action: str
    label: str
    unit: str


# The actions the public sees, in the public's words. Anything else (attachments, extension
# requests, actions added later) stays off the public timeline until someone decides it may show.
def _step_labels() -> dict[str, str]:
    return {
        Action.CREATE: _("Report received"),
        Action.FILE: _("Filed as a case"),
        Action.REJECT: _("Not taken up as a case"),
        Action.RESOLVE_ON_SITE: _("Solved on the spot by the grid worker"),
        Action.DISPATCH: _("Sent to the handling unit"),
        Action.ESCALATE: _("Referred to the district command center"),
        Action.ACCEPT: _("Handling unit took up the task"),
        Action.RETURN: _("Task returned, to be sent to another unit"),
        Action.APPROVE_EXTENSION: _("Handling time extended"),
        Action.RESPOND: _("Handling unit reported the result"),
        Action.VERIFY_PASSED: _("Checked on site and closed"),
        Action.VERIFY_FAILED: _("Checked on site: not solved yet, sent back for more work"),
        Action.RATE: _("Satisfaction recorded"),
    }


def public_timeline(case: Case) -> list[Step]:
    """The case's public steps, oldest first (at most three queries)."""
    labels = _step_labels()
    events = list(CaseEvent.objects.filter(case=case, action__in=list(labels))
                  .select_related("task__agency", "task__department").order_by("at", "id"))
    names = _assignee_names(events)
    street_unit = _("%(street)s sub-center") % {"street": case.street.name}
    steps = []
    for event in events:
        label, unit = labels[event.action], ""
        if event.action == Action.REJECT and event.data.get("duplicate_of"):
            label = _("Merged with an earlier report of the same problem")
        if event.task_id is not None:
            assignee = event.task.agency or event.task.department
            unit = assignee.name if assignee else ""
        elif event.action == Action.DISPATCH:
            codes = [event.data.get("lead", ""), *event.data.get("cooperating", [])]
            unit = "、".join(names[code] for code in codes if code in names)
        elif event.action == Action.ESCALATE:
            unit = _("District command center")
        elif event.action == Action.RESOLVE_ON_SITE or event.actor_unit.startswith(case.grid.code):
            unit = case.grid.name  # the grid worker, by their grid
        elif event.action in (Action.FILE, Action.REJECT, Action.VERIFY_PASSED, Action.VERIFY_FAILED):
            unit = street_unit
        steps.append(Step(at=event.at, action=event.action, label=label, unit=unit))
    return steps


def _assignee_names(events: list[CaseEvent]) -> dict[str, str]:
    """code → name of the agencies and departments the dispatch events name."""
    codes = set()
    for event in events:
        if event.action == Action.DISPATCH:
            codes.add(event.data.get("lead", ""))
            codes.update(event.data.get("cooperating", []))
    codes.discard("")
    if not codes:
        return {}
    names = dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    names.update(Department.objects.filter(code__in=codes - set(names)).values_list("code", "name"))
    return names


def satisfaction_label(case: Case) -> str:
    return str(Satisfaction(case.satisfaction).label) if case.satisfaction else ""


# --- grids and their rosters ---------------------------------------------------------------------

def grid_by_code(code: str, *, with_boundary: bool = False) -> GridCell | None:
    queryset = GridCell.objects.select_related("community__street")
    if not with_boundary:
        queryset = queryset.defer("boundary")
    return queryset.filter(code=code.strip()).first() if code else None


def roster(grid: GridCell) -> list[RosterEntry]:
    """The people shown on a grid's page and poster, in the administrators' order."""
    return list(RosterEntry.objects.filter(grid=grid, active=True).order_by("order", "id"))


OUTLINES_CACHE_SECONDS = 24 * 60 * 60


def grid_outlines() -> tuple[bytes, str]:
    """Every grid's outline as a GeoJSON FeatureCollection (code, name, community, street: nothing
    else), and a version tag for ETag. Built once per change of the grids (count and newest
    update, the locate index's own test) and served from the cache: about 1 MB for 3,000 grids."""
    stamp = GridCell.objects.aggregate(n=Count("id"), newest=Max("updated_at"))
    newest = stamp["newest"].timestamp() if stamp["newest"] else 0
    version = f"{stamp['n']}-{newest:.6f}"
    key = f"public:grid-outlines:{version}"
    content = cache.get(key)
    if content is None:
        rows = (GridCell.objects.order_by("code")
                .values_list("code", "name", "community__name", "community__street__name", "boundary"))
        features = [{"type": "Feature", "geometry": boundary,
                     "properties": {"code": code, "name": name, "community": community, "street": street}}
                    for code, name, community, street, boundary in rows]
        content = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                             separators=(",", ":")).encode()
        cache.set(key, content, OUTLINES_CACHE_SECONDS)
    return content, version
