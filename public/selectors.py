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
from django.db.models import BooleanField, CharField, Count, F, IntegerField, Max, OuterRef, Subquery, Value, When
from django.db.models import Case as SqlCase
from django.db.models.functions import Coalesce
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from agencies.models import Agency, Department
from dispatch.models import Case, CaseEvent, CaseStatus, Satisfaction
from dispatch.workflow import Action
from grids.models import GridCell
from haidian.permissions import Role
from people.models import Membership
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
    text: str = ""  # what the sub-center wrote *to the reporter* (an explanation, a letter's feedback)


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
        # 不满意重办 and 函告反馈 (by their names: written for the reporter, so their text is shown).
        "reopen": _("Reopened after a dissatisfied rating: being handled again"),
        "explain": _("The sub-center explained the outcome"),
        "letter_feedback": _("Feedback from the sub-center on the deadline letter"),
    }


# Steps whose note is written for the reporter and shown with the step. Every other note (results,
# verification notes, reasons) is staff's and can name people: it never shows.
NOTES_FOR_THE_REPORTER = frozenset({"explain", "letter_feedback"})
PUBLIC_RESULT_EDITED = "public_result"  # the sub-center wrote the public result (not a step of its own)


@dataclass(frozen=True)
class FollowView:
    steps: list[Step]
    public_result: str  # the outcome in the sub-center's own words, or ""


def follow_view(case: Case) -> FollowView:
    """The case's public steps, and its public result once it is closed (at most three queries).

    The public result is shown only when the sub-center wrote it (an edit of the public result is on
    record): until then it is a copy of the handling unit's answer, which can name people, phones and
    flats like any note. (The reporter's own text messages quote it: they go to the reporter alone.)"""
    labels = _step_labels()
    events = list(CaseEvent.objects.filter(case=case, action__in=[*labels, PUBLIC_RESULT_EDITED])
                  .select_related("task__agency", "task__department").order_by("at", "id"))
    written = any(event.action == PUBLIC_RESULT_EDITED for event in events)
    result = getattr(case, "public_result", "") if written and case.status == CaseStatus.CLOSED else ""
    return FollowView(steps=_steps(case, [event for event in events if event.action in labels]), public_result=result)


def public_timeline(case: Case) -> list[Step]:
    """The case's public steps, oldest first (at most three queries)."""
    return follow_view(case).steps


def _steps(case: Case, events: list[CaseEvent]) -> list[Step]:
    labels = _step_labels()
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
        elif event.action in ("explain", "letter_feedback", "reopen"):
            unit = street_unit
        text = event.note if event.action in NOTES_FOR_THE_REPORTER else ""
        steps.append(Step(at=event.at, action=event.action, label=label, unit=unit, text=text))
    return steps


def _assignee_names(events: list[CaseEvent]) -> dict[str, str]:
    """code → name of the agencies and departments the dispatch events name."""
    codes = set()
    for event in events:
        if event.action == Action.DISPATCH:
            codes.add(event.data.get("lead", ""))
            codes.update(event.data.get("cooperating", []))
    return unit_names(codes)


def unit_names(codes: set[str]) -> dict[str, str]:
    """code → name of these agencies and departments (at most two queries)."""
    codes = set(codes) - {""}
    if not codes:
        return {}
    names = dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    if codes - set(names):
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


# Who is on a grid's roster through their membership of the grid, in this order.
ROSTER_ROLES = (Role.GRID_WORKER, Role.SUNK_STAFF)
# Demo seeders give the people they make up phones 010-0…: no Beijing number starts with 0 after the
# area code, so such a phone is never a real person's, and a line carrying one is demo data.
DEMO_PHONE_PREFIX = "010-0"


@dataclass(frozen=True)
class RosterLine:
    """One person on a grid's roster (实名制公示), as the page and the poster show them."""

    name: str
    unit: str
    duty: str
    public_phone: str
    demo: bool = False


def roster(grid: GridCell) -> list[RosterLine]:
    """The people serving a grid, in one query: its grid workers, then the department staff sunk to
    it (下沉人员, by when they were sunk), then the entries administrators made for people without an
    account (party secretary, property manager …) in their order.

    A member shows with their name (a person whose account has no name is left off: a login name is
    not for the public), their agency (the one serving the grid's street first), their membership's
    duty (else its title, else the role) and public phone. Inactive accounts and entries taken off
    the roster are not shown; a revoked membership is gone."""
    agencies = Membership.objects.filter(user_id=OuterRef("user_id"), role__in=[Role.AGENCY_STAFF, Role.AGENCY_HEAD],
                                         agency__isnull=False).order_by("id")
    others = Membership.objects.filter(user_id=OuterRef("user_id")).order_by("id")
    unit = Coalesce(
        Subquery(agencies.filter(agency__streets__communities=grid.community_id).values("agency__name")[:1]),
        Subquery(agencies.values("agency__name")[:1]),
        Subquery(others.filter(department__isnull=False).values("department__name")[:1]),
        Subquery(others.filter(community__isnull=False).values("community__name")[:1]),
        Value(""), output_field=CharField(),
    )
    members = (Membership.objects.filter(grid=grid, role__in=ROSTER_ROLES, user__is_active=True)
               .exclude(user__first_name="", user__last_name="")
               .annotate(r_rank=SqlCase(When(role=Role.GRID_WORKER, then=Value(0)), default=Value(1),
                                        output_field=IntegerField()),
                         r_order=Value(0, output_field=IntegerField()), r_id=F("id"),
                         r_first=F("user__first_name"), r_last=F("user__last_name"), r_unit=unit,
                         r_duty=F("duty"), r_title=F("title"), r_role=F("role"), r_phone=F("public_phone"),
                         r_demo=Value(False, output_field=BooleanField())))
    entries = (RosterEntry.objects.filter(grid=grid, active=True)
               .annotate(r_rank=Value(2, output_field=IntegerField()), r_order=F("order"), r_id=F("id"),
                         r_first=F("name"), r_last=Value("", output_field=CharField()), r_unit=F("unit"),
                         r_duty=F("duty"), r_title=Value("", output_field=CharField()),
                         r_role=Value("", output_field=CharField()), r_phone=F("public_phone"), r_demo=F("demo")))
    columns = ["r_rank", "r_order", "r_id", "r_first", "r_last", "r_unit", "r_duty", "r_title", "r_role",
               "r_phone", "r_demo"]
    rows = members.values_list(*columns).union(entries.values_list(*columns), all=True).order_by(
        "r_rank", "r_order", "r_id")
    committee = _committee_name(grid)
    return [
        RosterLine(name=person_name(first, last), unit=unit or committee,
                   duty=duty or title or (str(Role(role).label) if role else ""), public_phone=phone,
                   demo=demo or phone.startswith(DEMO_PHONE_PREFIX))
        for _rank, _order, _id, first, last, unit, duty, title, role, phone, demo in rows
    ]


def _committee_name(grid: GridCell) -> str:
    """A grid worker with no agency serves for the grid's community: 学院路社区居委会, 某某村村委会."""
    community = grid.community
    return community.name + ("村委会" if community.kind == community.Kind.VILLAGE else "居委会")


def person_name(first: str, last: str) -> str:
    """李 + 建国 → 李建国 (a Chinese name is surname first, with no space); Anna + Smith → Anna Smith."""
    first, last = first.strip(), last.strip()
    if any("\u3400" <= char <= "\u9fff" for char in first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


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
