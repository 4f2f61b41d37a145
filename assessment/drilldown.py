"""The rows behind every objective count (issue 16 item 6: "every published score drills down … and
(internally) the cases behind it; publicly, case numbers with no personal data. Nothing no one can
check.").

`assessment.indicators.compute` counts with a few set-based GROUP BY statements; this module answers,
for one unit, one count and one half, "which rows are those?" with the Django ORM. Each count's Q
below mirrors the statement of indicators.py (its module docstring is the definition), so that

    total(kind, unit, count, start, end) == indicators.compute(start, end)[kind][unit][count]

and tests/assessment/test_drilldown.py holds the two to that for every count of every kind.

A row is what the count counts (SOURCES):

    task                agency and department task counts: the tasks of the agency (t.agency), or of the
                        department itself and of its agencies, created in the half (at = t.created_at)
    letter              letters, letters_on_time: deadline letters (函告) to the agency (or to the
                        department's agencies) issued in the half (at = issued_at). A letter names one or
                        more cases: `case` is the lowest case number, `cases` all of them
    meeting invitation  meetings_required, meetings_attended: required invitations to the streets'
                        meetings held in the half (committees.services.attendance_rate; at = held_at;
                        no case)
    summons             summoned, check_ins_*: one summoned unit of a street's whistle (吹哨) created in
                        the half (whistle.selectors.check_in_figures; ref = the summoned unit's id, at =
                        the summons's time, case = the case it was whistled on)
    case                the street's and community's counts (cases reported in the half), a grid
                        worker's reported and valid (ref = case = the case number, at = created_at)
    check event         checks, checks_on_time: the grid worker's verify_passed / verify_failed events
                        (ref = the event id, at = the event's time)
    patrol              patrols: the grid worker's ended patrols started in the half (no case)
    inquiry             inquiries, inquiries_on_time, inquiries_overdue: the supervision committees'
                        inquiries (质询) to the agency (a department: to its agencies) or to the street,
                        asked in the half (supervision.selectors.inquiry_figures; at = asked_at; no case)

Every row is {"case": case number or None, "ref": the row's own id or number, "at": the datetime that
places it in the half, "weight": how many it counts}, plus "cases" on a letter's row. The weight is
1 but for the return counts, where one task stands for its return requests (退单): return_requests
weighs t.return_requests (1 for a task returned before return review existed, which has none on
record), returns_refused weighs the requests that were not the approved one. Nothing else of the row
is read: never a reporter's name, phone or email, so the rows can be shown publicly as they are.

checks_on_time: indicators.py takes the latest lead respond (the one that moved the case dispatched →
responded) at or before the check, and counts the check on time when it is at most
VERIFY_ON_TIME_HOURS after it. "The latest such respond is within the window" is the same as "some
such respond is within [check − 24 h, check]", which is how it is written here (an Exists).

Not covered, raising ValueError: any count indicators.py grows later until its rule is written
down here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from assessment import indicators
from committees.models import Invitation, MeetingStatus
from dispatch.models import (
    Case,
    CaseEvent,
    CaseStatus,
    DeadlineLetter,
    ExtensionStatus,
    Satisfaction,
    Source,
    Task,
    TaskRole,
    TaskStatus,
)
from dispatch.workflow import CASE_MOVES, Action
from grids.models import Patrol
from haidian.permissions import Role
from people.models import Membership
from supervision.models import Inquiry
from whistle.models import SummonedUnit, UnitStatus

__all__ = ["SOURCES", "rate_rows", "rows", "total"]

Row = dict

# The respond that moves a case (dispatched → responded) is the lead task's; it starts the check clock.
((_RESPOND_FROM, _RESPOND_TO),) = CASE_MOVES[Action.RESPOND].items()

_NO_CASE = Value(None, output_field=models.CharField())
_ONE = Value(1, output_field=models.IntegerField())


@dataclass(frozen=True)
class _Family:
    """One kind of row: its model, how a unit and the half select it, how it reads, and the rule of
    each count read from it."""

    what: str
    model: type[models.Model]
    unit: Callable[[str, int], Q]  # (kind, unit id) → the unit's rows
    half: str  # the field that places a row in the half, [start, end)
    rules: Callable[[dt.datetime, dt.datetime], dict[str, Q | tuple[Q, models.Expression]]]
    case: Callable[[], models.Expression]
    ref: str
    at: str
    extra: tuple[Q, ...] = ()  # conditions every row of the family meets

    def filtered(self, kind: str, unit_id: int, count: str, start: dt.datetime, end: dt.datetime) -> QuerySet:
        rule = self.rules(start, end)[count]
        where, weight = rule if isinstance(rule, tuple) else (rule, _ONE)
        return (self.model._default_manager
                .filter(self.unit(kind, unit_id), *self.extra, **{f"{self.half}__gte": start, f"{self.half}__lt": end})
                .annotate(row_weight=weight)
                .filter(where))


# --- tasks ---------------------------------------------------------------------------------------

def _task_unit(kind: str, unit_id: int) -> Q:
    if kind == "agency":
        return Q(agency_id=unit_id)
    # A task has one assignee: an agency's task is its department's, else the department's own.
    return Q(agency__department_id=unit_id) | Q(agency__isnull=True, department_id=unit_id)


def _due() -> Q:
    """indicators._DUE: not cancelled or returned; or late once; or a cancelled lead task whose case
    went up to the district at or after its due time."""
    return (~Q(status__in=[TaskStatus.CANCELLED, TaskStatus.RETURNED])
            | Q(ever_overdue=True)
            | Q(status=TaskStatus.CANCELLED, role=TaskRole.LEAD, case__escalated_at__isnull=False,
                due_at__lte=F("case__escalated_at")))


def _task_rules(start: dt.datetime, end: dt.datetime) -> dict:
    due = _due()
    handled = due & Q(responded_at__lt=end)
    closed = due & Q(role=TaskRole.LEAD, case__closed_at__gte=start, case__closed_at__lt=end)
    accept_due = due & Q(accept_due_at__isnull=False)
    returned = Q(status=TaskStatus.RETURNED)
    # indicators._REQUESTS: Σ return_requests, and one for a task returned with none on record.
    requests = models.Case(When(returned & Q(return_requests=0), then=Value(1)),
                           default=F("return_requests"), output_field=models.IntegerField())
    # returns_refused = requests − approved returns: a returned task's approved request is not refused.
    refused = models.Case(When(returned & Q(return_requests__gt=0), then=F("return_requests") - 1),
                          When(returned, then=Value(0)),
                          default=F("return_requests"), output_field=models.IntegerField())
    return {
        "received": Q(),
        "due": due,
        "handled": handled,
        "handled_on_time": handled & Q(responded_at__lte=F("due_at"), ever_overdue=False),
        "overdue": due & Q(due_at__lt=end) & (Q(ever_overdue=True) | Q(responded_at__isnull=True)
                                              | Q(responded_at__gt=F("due_at"))),
        "extended": due & Q(extension_status=ExtensionStatus.APPROVED),
        "closed": closed,
        "reworked": closed & Q(case__rework_count__gt=0),
        "accept_due": accept_due,
        "accepted_on_time": accept_due & Q(accepted_at__lt=end, accepted_late=False),
        "return_requests": (Q(row_weight__gt=0), requests),
        "returns_approved": returned,
        "returns_refused": (Q(row_weight__gt=0), refused),
    }


_TASKS = _Family("task", Task, _task_unit, "created_at", _task_rules, case=lambda: F("case__number"), ref="pk",
                 at="created_at")


# --- letters, meetings, check-ins ----------------------------------------------------------------

def _agency_unit(kind: str, unit_id: int) -> Q:
    """Letters and meetings go to agencies only: a department's are its agencies'."""
    return Q(agency_id=unit_id) if kind == "agency" else Q(agency__department_id=unit_id)


def _lowest_case_number() -> models.Expression:
    return Subquery(Case.objects.filter(letters=OuterRef("pk")).order_by("number").values("number")[:1])


_LETTERS = _Family(
    "letter", DeadlineLetter, _agency_unit, "issued_at",
    lambda start, end: {"letters": Q(), "letters_on_time": Q(answered_at__lte=F("deadline"))},
    case=_lowest_case_number, ref="number", at="issued_at")

_MEETINGS = _Family(
    "meeting invitation", Invitation, _agency_unit, "meeting__held_at",
    lambda start, end: {"meetings_required": Q(), "meetings_attended": Q(attended=True)},
    case=lambda: _NO_CASE, ref="pk", at="meeting__held_at",
    extra=(Q(required=True, meeting__status=MeetingStatus.HELD),))

_CHECK_INS = _Family(
    # check_in_figures keys a row by its agency if it has one, else by its department: as the tasks.
    "summons", SummonedUnit, _task_unit, "summons__created_at",
    lambda start, end: {"summoned": Q(), "check_ins_on_time": Q(status=UnitStatus.ON_TIME),
                        "check_ins_late": Q(status=UnitStatus.LATE),
                        "check_ins_missing": Q(status=UnitStatus.MISSING)},
    case=lambda: F("summons__case__number"), ref="pk", at="summons__created_at")


def _inquiry_unit(kind: str, unit_id: int) -> Q:
    """supervision.selectors.inquiry_figures: an inquiry goes to an agency or else to its street; a
    department's are its agencies'."""
    if kind == "street":
        return Q(target_street_id=unit_id, target_agency__isnull=True)
    return Q(target_agency_id=unit_id) if kind == "agency" else Q(target_agency__department_id=unit_id)


def _inquiry_rules(start: dt.datetime, end: dt.datetime) -> dict:
    return {
        "inquiries": Q(),
        "inquiries_on_time": Q(answered_at__lte=F("answer_due_at"), answered_at__lt=end),
        "inquiries_overdue": Q(answer_due_at__lt=end) & (Q(ever_overdue=True) | Q(answered_at=None)
                                                         | Q(answered_at__gt=F("answer_due_at"))),
    }


_INQUIRIES = _Family("inquiry", Inquiry, _inquiry_unit, "asked_at", _inquiry_rules, case=lambda: _NO_CASE,
                     ref="pk", at="asked_at")


# --- the areas' cases ----------------------------------------------------------------------------

def _area_unit(kind: str, unit_id: int) -> Q:
    return Q(street_id=unit_id) if kind == "street" else Q(community_id=unit_id)


def _area_rules(start: dt.datetime, end: dt.datetime) -> dict:
    accepted = ~Q(status__in=[CaseStatus.REPORTED, CaseStatus.REJECTED])
    closed = accepted & Q(closed_at__lt=end)
    return {
        "volume": Q(),
        "accepted": accepted,
        "closed": closed,
        "closed_on_time": closed & Q(ever_overdue=False),
        # satisfaction is never null: an unrated case ('') is resolved, as `c.satisfaction <> 'dissatisfied'`
        "resolved": closed & ~Q(satisfaction=Satisfaction.DISSATISFIED),
        "public_reports": accepted & Q(source__in=[Source.RESIDENT, Source.HOTLINE_12345, Source.OPEN311]),
        "satisfied": closed & Q(satisfaction=Satisfaction.SATISFIED),
        "basically_satisfied": closed & Q(satisfaction=Satisfaction.BASICALLY_SATISFIED),
        "dissatisfied": closed & Q(satisfaction=Satisfaction.DISSATISFIED),
    }


_AREA = _Family("case", Case, _area_unit, "created_at", _area_rules, case=lambda: F("number"), ref="number",
                at="created_at")


# --- grid workers --------------------------------------------------------------------------------

def _grid_worker(unit_id: int) -> Q:
    """indicators._GRID_WORKERS: only a user holding a grid_worker membership is counted."""
    return Q(Exists(Membership.objects.filter(user_id=unit_id, role=Role.GRID_WORKER)))


def _check_on_time() -> Q:
    window = dt.timedelta(hours=indicators.VERIFY_ON_TIME_HOURS)
    return Q(Exists(CaseEvent.objects.filter(
        case_id=OuterRef("case_id"), action=Action.RESPOND, from_status=_RESPOND_FROM, to_status=_RESPOND_TO,
        at__lte=OuterRef("at"), at__gte=OuterRef("at") - window)))


_REPORTS = _Family(
    "case", Case, lambda kind, unit_id: Q(reported_by_id=unit_id) & _grid_worker(unit_id), "created_at",
    lambda start, end: {"reported": Q(), "valid": Q(filed_at__isnull=False) | Q(closed_at__isnull=False)
                        | Q(duplicate_of__isnull=False)},
    case=lambda: F("number"), ref="number", at="created_at")

_CHECKS = _Family(
    "check event", CaseEvent, lambda kind, unit_id: Q(actor_id=unit_id) & _grid_worker(unit_id), "at",
    lambda start, end: {"checks": Q(), "checks_on_time": _check_on_time()},
    case=lambda: F("case__number"), ref="pk", at="at",
    extra=(Q(action__in=[Action.VERIFY_PASSED, Action.VERIFY_FAILED]),))

_PATROLS = _Family(
    "patrol", Patrol, lambda kind, unit_id: Q(worker_id=unit_id) & _grid_worker(unit_id), "started_at",
    lambda start, end: {"patrols": Q()},
    case=lambda: _NO_CASE, ref="pk", at="started_at", extra=(Q(ended_at__isnull=False),))


# --- the table -----------------------------------------------------------------------------------

_INQUIRY_COUNTS = ("inquiries", "inquiries_on_time", "inquiries_overdue")
_TASK_COUNTS = ("received", "due", "handled", "handled_on_time", "overdue", "extended", "closed", "reworked",
                "accept_due", "accepted_on_time", "return_requests", "returns_approved", "returns_refused")
_AGENCY_FAMILIES = {
    **dict.fromkeys(_TASK_COUNTS, _TASKS),
    **dict.fromkeys(("letters", "letters_on_time"), _LETTERS),
    **dict.fromkeys(("meetings_required", "meetings_attended"), _MEETINGS),
    **dict.fromkeys(("summoned", "check_ins_on_time", "check_ins_late", "check_ins_missing"), _CHECK_INS),
    **dict.fromkeys(_INQUIRY_COUNTS, _INQUIRIES),
}
_AREA_FAMILIES = dict.fromkeys(("volume", "accepted", "closed", "closed_on_time", "resolved", "public_reports",
                                "satisfied", "basically_satisfied", "dissatisfied"), _AREA)
_FAMILIES: dict[str, dict[str, _Family]] = {
    "agency": _AGENCY_FAMILIES,
    "department": _AGENCY_FAMILIES,
    "street": {**_AREA_FAMILIES, **dict.fromkeys(_INQUIRY_COUNTS, _INQUIRIES)},
    "community": _AREA_FAMILIES,
    "grid_worker": {"reported": _REPORTS, "valid": _REPORTS, "checks": _CHECKS, "checks_on_time": _CHECKS,
                    "patrols": _PATROLS},
}

# kind → count → what one of its rows is; only the counts indicators.COUNTS has and a rule covers.
SOURCES: dict[str, dict[str, str]] = {
    kind: {count: family.what for count in indicators.COUNTS[kind]
           if (family := _FAMILIES.get(kind, {}).get(count)) is not None}
    for kind in indicators.KINDS
}

# The 三率 that are not a single RATES entry: rate → (numerator counts, denominator counts), as
# indicators.three_rates divides them.
_THREE_RATES = {
    "response_rate": (("accepted_on_time",), ("accept_due",)),
    "resolution_rate": (("resolved",), ("accepted",)),
    "satisfaction_rate": (("satisfied", "basically_satisfied"), ("satisfied", "basically_satisfied", "dissatisfied")),
}


# --- the API -------------------------------------------------------------------------------------

def rows(kind: str, unit_id: int, count: str, start: dt.datetime, end: dt.datetime, *,
         limit: int | None = None) -> list[Row]:
    """The rows behind `count` of the unit in [start, end), by case number (rows without a case last),
    at most `limit` of them. Σ weight over all of them is `total(...)`."""
    family = _family(kind, count)
    _check_limit(limit)
    queryset = (family.filtered(kind, unit_id, count, *_half(start, end))
                .annotate(row_case=family.case(), row_ref=F(family.ref), row_at=F(family.at))
                # Lower(): the same order, but not the case number's index — walking that index to skip a
                # sort made PostgreSQL read every case of the year for a LIMIT 200 of one agency (6 s).
                .order_by(Lower("row_case").asc(nulls_last=True), "row_ref")
                .values_list("row_case", "row_ref", "row_at", "row_weight"))
    if limit is not None:
        queryset = queryset[:limit]
    found = [{"case": case, "ref": ref, "at": at, "weight": weight} for case, ref, at, weight in queryset]
    if family is _LETTERS:
        _add_letter_cases(found)
    return found


def total(kind: str, unit_id: int, count: str, start: dt.datetime, end: dt.datetime) -> int:
    """Σ weight of the rows behind `count`: the number indicators.compute gives for it. One query."""
    family = _family(kind, count)
    found = family.filtered(kind, unit_id, count, *_half(start, end)).aggregate(n=Sum("row_weight"))["n"]
    return found or 0


def rate_rows(kind: str, unit_id: int, rate_name: str, start: dt.datetime, end: dt.datetime, *,
              limit: int | None = None) -> dict[str, list[Row]]:
    """{"numerator": rows, "denominator": rows} of a rate of indicators.RATES, or of the kind's 三率
    (THREE_RATES_OF): response_rate = accepted_on_time / accept_due, resolution_rate = resolved /
    accepted, satisfaction_rate = (satisfied + basically_satisfied) / all three ratings. Where a side
    adds several counts their rows are merged in case-number order; `limit` applies to each side."""
    numerator, denominator = _rate_parts(kind, rate_name)
    return {"numerator": _merged(kind, unit_id, numerator, start, end, limit),
            "denominator": _merged(kind, unit_id, denominator, start, end, limit)}


# --- helpers -------------------------------------------------------------------------------------

def _family(kind: str, count: str) -> _Family:
    if kind not in indicators.KINDS:
        raise ValueError(_("Unknown kind “%(kind)s”: one of %(kinds)s.")
                         % {"kind": kind, "kinds": ", ".join(indicators.KINDS)})
    if count not in indicators.COUNTS[kind]:
        raise ValueError(_("Unknown count “%(count)s” for %(kind)s: one of %(counts)s.")
                         % {"count": count, "kind": kind, "counts": ", ".join(indicators.COUNTS[kind])})
    if count not in SOURCES[kind]:
        raise ValueError(_("The count “%(count)s” of %(kind)s cannot be drilled down yet.")
                         % {"count": count, "kind": kind})
    return _FAMILIES[kind][count]


def _rate_parts(kind: str, rate_name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if kind not in indicators.KINDS:
        raise ValueError(_("Unknown kind “%(kind)s”: one of %(kinds)s.")
                         % {"kind": kind, "kinds": ", ".join(indicators.KINDS)})
    if rate_name in indicators.RATES[kind]:
        numerator, denominator = indicators.RATES[kind][rate_name]
        return (numerator,), (denominator,)
    if rate_name in indicators.THREE_RATES_OF.get(kind, ()) and rate_name in _THREE_RATES:
        return _THREE_RATES[rate_name]
    names = [*indicators.RATES[kind], *indicators.THREE_RATES_OF.get(kind, ())]
    raise ValueError(_("Unknown rate “%(rate)s” for %(kind)s: one of %(rates)s.")
                     % {"rate": rate_name, "kind": kind, "rates": ", ".join(names)})


def _merged(kind: str, unit_id: int, counts: tuple[str, ...], start, end, limit: int | None) -> list[Row]:
    found = [row for count in counts for row in rows(kind, unit_id, count, start, end, limit=limit)]
    if len(counts) > 1:
        found.sort(key=lambda row: (row["case"] is None, row["case"] or "", row["ref"]))
    return found if limit is None else found[:limit]


def _half(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    # The same checks as indicators.compute: a drill-down of a half it would refuse is no drill-down.
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError(_("start and end must be aware datetimes"))
    if start >= end:
        raise ValueError(_("the half must end after it starts"))
    return start, end


def _check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(_("limit must be a whole number, at least 0"))


def _add_letter_cases(found: list[Row]) -> None:
    """Every case number a letter names, in one query: a letter may concern several cases."""
    through = DeadlineLetter.cases.through
    numbers: dict[str, list[str]] = {row["ref"]: [] for row in found}
    for letter_number, case_number in (through.objects.filter(deadlineletter__number__in=numbers)
                                       .order_by("case__number")
                                       .values_list("deadlineletter__number", "case__number")):
        numbers[letter_number].append(case_number)
    for row in found:
        row["cases"] = numbers[row["ref"]]
