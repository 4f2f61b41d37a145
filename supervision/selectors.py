"""Reads of the supervision bodies, their inquiries and the 折子工程, always through the permission gate.

- A body: its street's staff, the agencies serving the street, the district (command center, its
  departments) and the body's own serving members with an account.
- An inquiry: its body's street staff and serving members, the district, the agency questioned (and its
  department's administrators).
- A work-plan task: its owner (the department's administrators, the street's staff) and the district.

Anything else is a 404. The assessment reads `rating_pairs`, `bodies_of`, `body_names` and
`inquiry_figures`; they are not scoped (the assessment decides who sees its results).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from agencies.models import Agency, District, Street
from haidian.permissions import Role, Scope, restrict, scope_for, scope_rule
from people.selectors import AGENCY_ROLES, holds, memberships
from supervision.models import (
    BodyMeeting,
    BodyMember,
    Inquiry,
    InquiryStatus,
    Inspection,
    ProgressReport,
    SupervisoryBody,
    WorkPlanTask,
    serving_on,
)
from supervision.workflow import INQUIRIES


def _seated_bodies(user_id: int | None, today: dt.date | None = None):
    """The ids of the bodies `user_id` serves on now (as a subquery)."""
    return BodyMember.objects.filter(serving_on(today or timezone.localdate()), user_id=user_id).values("body_id")


@scope_rule(SupervisoryBody)
def _body_rule(scope: Scope) -> Q:
    rule = Q(street_id__in=scope.area_street_ids) | Q(street__district_id__in=scope.area_district_ids)
    if scope.user_id is not None:
        rule |= Q(pk__in=_seated_bodies(scope.user_id))
    return rule


@scope_rule(Inquiry)
def _inquiry_rule(scope: Scope) -> Q:
    rule = (Q(body__street_id__in=scope.street_ids) | Q(body__street__district_id__in=scope.district_ids)
            | Q(target_agency_id__in=scope.agency_ids) | Q(target_agency__department_id__in=scope.department_ids))
    if scope.user_id is not None:
        rule |= Q(body_id__in=_seated_bodies(scope.user_id))
    return rule


@scope_rule(WorkPlanTask)
def _task_rule(scope: Scope) -> Q:
    return (Q(district_id__in=scope.district_ids) | Q(owner_department_id__in=scope.department_ids)
            | Q(owner_street_id__in=scope.street_ids))


# --- bodies --------------------------------------------------------------------------------------

def _members() -> QuerySet[BodyMember]:
    return BodyMember.objects.select_related("user").order_by("-is_secretary", "joined_on", "id")


def body_list(*, user) -> QuerySet[SupervisoryBody]:
    """The bodies in the user's scope, by street, with their street and members."""
    return restrict(SupervisoryBody.objects.select_related("street"), user).prefetch_related(
        Prefetch("members", queryset=_members()))


def body_meetings(body: SupervisoryBody) -> QuerySet[BodyMeeting]:
    """A body's meetings, newest first, with who came (the caller found the body in scope)."""
    return (BodyMeeting.objects.filter(body=body).select_related("recorded_by")
            .prefetch_related(Prefetch("attendees", queryset=BodyMember.objects.order_by("id"))))


def body_members(body: SupervisoryBody) -> QuerySet[BodyMember]:
    """A body's members, past ones too, the secretary first (the caller found the body in scope)."""
    return _members().filter(body=body)


def may_manage_bodies(user, street: Street) -> bool:
    """Whether `user` sets up the street's bodies, members and meetings: its sub-center staff or the
    district command center."""
    return holds(user, Role.STREET_STAFF, "street", street.pk) or holds(
        user, Role.DISTRICT_COMMAND, "district", street.district_id)


def secretary_seat(user, body: SupervisoryBody, today: dt.date | None = None) -> BodyMember | None:
    """The user's secretary seat on `body`, serving now, or None."""
    if user is None or not user.is_authenticated:
        return None
    return BodyMember.objects.filter(serving_on(today or timezone.localdate()), body=body, user=user,
                                     is_secretary=True).first()


def bodies_to_ask_for(*, user, today: dt.date | None = None) -> list[SupervisoryBody]:
    """The active bodies on whose behalf the user may put an inquiry: those they are the secretary of,
    and those of the streets whose sub-center they staff."""
    if user is None or not user.is_authenticated:
        return []
    rule = Q(pk__in=BodyMember.objects.filter(serving_on(today or timezone.localdate()), user=user,
                                              is_secretary=True).values("body_id"))
    if user.is_superuser:
        rule = Q()
    else:
        streets = [held.unit_id for held in memberships(user) if held.role == Role.STREET_STAFF]
        if streets:
            rule |= Q(street_id__in=streets)
    return list(SupervisoryBody.objects.filter(rule, active=True).select_related("street").order_by("street__code",
                                                                                                       "kind"))


def inquiry_targets(body: SupervisoryBody) -> tuple[Street, list[Agency]]:
    """Whom a body may question: its street, and the agencies serving that street."""
    return body.street, list(Agency.objects.filter(streets=body.street_id).order_by("code"))


# --- the assessment's reads ----------------------------------------------------------------------

def rating_pairs() -> list[tuple[int, str, int]]:
    """(body id, "street" | "agency", target id): each active body rates its street and every agency
    serving that street (考核评价), in body, then agency code order. Two queries."""
    bodies = list(SupervisoryBody.objects.filter(active=True).order_by("id").values_list("id", "street_id"))
    serving: dict[int, list[int]] = {}
    through = Agency.streets.through
    for street_id, agency_id in (through.objects.filter(street_id__in={street for _b, street in bodies})
                                 .order_by("agency__code").values_list("street_id", "agency_id")):
        serving.setdefault(street_id, []).append(agency_id)
    return [pair for body_id, street_id in bodies
            for pair in [(body_id, "street", street_id), *((body_id, "agency", a) for a in serving.get(street_id, ()))]]


def bodies_of(user, *, today: dt.date | None = None) -> set[int]:
    """The active bodies whose forms `user` fills: those they are the serving secretary of."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(BodyMember.objects.filter(serving_on(today or timezone.localdate()), user_id=user.pk,
                                         is_secretary=True, body__active=True).values_list("body_id", flat=True))


def body_names() -> dict[int, str]:
    """Every body's name by id, inactive ones too (a past round still names its raters)."""
    return dict(SupervisoryBody.objects.values_list("id", "name"))


def inquiry_figures(*, start: dt.datetime, end: dt.datetime) -> dict[tuple[str, int], dict[str, int]]:
    """("street", street id) or ("agency", agency id) → counts over the inquiries i put to that target
    with start <= i.asked_at < end, in one grouped query, for the assessment's indicators:

        inquiries         质询数       every such inquiry
        answered_on_time  按期答复数   i.answered_at <= i.answer_due_at and i.answered_at < end
        overdue           超期数       i.answer_due_at < end and (i.ever_overdue or i.answered_at is null or
                                       i.answered_at > i.answer_due_at)

    An inquiry due after `end` and not yet answered counts in `inquiries` only, so a past half's figures
    stay put: nothing that happens after `end` moves them, except an answer to one still due then. An
    answer after the due time is overdue even before the sweep sees it (lateness is a fact). Targets
    with no inquiry in the period are absent."""
    answered_on_time = Q(answered_at__lte=F("answer_due_at"), answered_at__lt=end)
    overdue = Q(answer_due_at__lt=end) & (Q(ever_overdue=True) | Q(answered_at=None)
                                          | Q(answered_at__gt=F("answer_due_at")))
    rows = (Inquiry.objects.filter(asked_at__gte=start, asked_at__lt=end)
            .values("target_street_id", "target_agency_id")
            .annotate(inquiries=Count("id"), answered_on_time=Count("id", filter=answered_on_time),
                      overdue=Count("id", filter=overdue))
            .order_by())
    return {("agency", row["target_agency_id"]) if row["target_agency_id"] else ("street", row["target_street_id"]):
            {name: row[name] for name in ("inquiries", "answered_on_time", "overdue")} for row in rows}


# --- inquiries -----------------------------------------------------------------------------------

def overdue_inquiry_rule(now: dt.datetime) -> Q:
    """Inquiries late now or once (`Inquiry.is_overdue`)."""
    return (Q(ever_overdue=True) | Q(status=InquiryStatus.ASKED, answer_due_at__lt=now)
            | Q(answered_at__gt=F("answer_due_at")))


def inquiry_list(*, user, overdue: bool = False, now: dt.datetime | None = None) -> QuerySet[Inquiry]:
    """The inquiries in the user's scope, newest first, with their body and target; only the late ones
    with `overdue`."""
    found = restrict(Inquiry.objects.select_related("body__street", "target_street", "target_agency", "asked_by",
                                                    "answered_by"), user)
    return found.filter(overdue_inquiry_rule(now or timezone.now())) if overdue else found


def inquiry_timeline(inquiry: Inquiry) -> list[dict]:
    return INQUIRIES.timeline(inquiry)


def answering_seat(user, inquiry: Inquiry) -> str | None:
    """The label ("code name") of the membership that answers `inquiry` for its target — street staff of
    the street questioned, head or staff of the agency questioned — or None. A superuser answers any."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return "superuser"
    for held in memberships(user):
        if inquiry.target_agency_id and (held.field, held.unit_id) == ("agency", inquiry.target_agency_id) \
                and held.role in AGENCY_ROLES:
            return held.label
        if inquiry.target_street_id and (held.field, held.unit_id) == ("street", inquiry.target_street_id) \
                and held.role == Role.STREET_STAFF:
            return held.label
    return None


def inquiry_steps(user, inquiry: Inquiry) -> set[str]:
    """The steps this person may take on the inquiry now (the page shows only these)."""
    if inquiry.status == InquiryStatus.ASKED and answering_seat(user, inquiry) is not None:
        return {"answer"}
    return set()


# --- 折子工程 ------------------------------------------------------------------------------------

def overdue_rule(today: dt.date) -> Q:
    """Tasks not done by their deadline: still open after it, or done after it (the done time's
    Asia/Shanghai date)."""
    return Q(done_at=None, deadline__lt=today) | Q(done_at__date__gt=F("deadline"))


def overdue_tasks(today: dt.date) -> QuerySet[WorkPlanTask]:
    """Every overdue work-plan task (`overdue_rule`), unscoped, by deadline."""
    return WorkPlanTask.objects.filter(overdue_rule(today)).select_related(
        "owner_department", "owner_street").order_by("deadline", "code", "id")


def task_list(*, user, year: int | None = None, overdue: bool = False,
              today: dt.date | None = None) -> QuerySet[WorkPlanTask]:
    """The work-plan tasks in the user's scope: overdue ones first (`is_overdue`, 1 or 0; `overdue_rank`
    orders them), then by deadline and code; of one year, or only the overdue ones, when asked."""
    today = today or timezone.localdate()
    late = overdue_rule(today)
    found = restrict(WorkPlanTask.objects.select_related("owner_department", "owner_street"), user).annotate(
        overdue_rank=Case(When(late, then=Value(0)), default=Value(1), output_field=IntegerField()))
    if year is not None:
        found = found.filter(year=year)
    if overdue:
        found = found.filter(late)
    return found.order_by("overdue_rank", "deadline", "code", "id")


def task_detail(*, user, year: int | None = None, overdue: bool = False,
                today: dt.date | None = None) -> QuerySet[WorkPlanTask]:
    """`task_list` with each task's progress reports and inspections."""
    return task_list(user=user, year=year, overdue=overdue, today=today).prefetch_related(
        Prefetch("progress_reports", queryset=ProgressReport.objects.select_related("reported_by")),
        Prefetch("inspections", queryset=Inspection.objects.select_related("inspector")))


def task_years(*, user) -> list[int]:
    """The years of the tasks the user sees, newest first (the list's year links)."""
    return sorted(set(restrict(WorkPlanTask.objects.all(), user).values_list("year", flat=True)), reverse=True)


def owner_seat(user, task: WorkPlanTask) -> str | None:
    """The label of the membership that answers for `task`'s owner — an administrator of the owner
    department, staff of the owner street — or None. A superuser answers for any."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return "superuser"
    for held in memberships(user):
        if task.owner_department_id and (held.role, held.field, held.unit_id) == (
                Role.DEPARTMENT_ADMIN, "department", task.owner_department_id):
            return held.label
        if task.owner_street_id and (held.role, held.field, held.unit_id) == (
                Role.STREET_STAFF, "street", task.owner_street_id):
            return held.label
    return None


def may_plan(user, district_id: int) -> bool:
    """The district command center creates a district's tasks and inspects them (专项督察)."""
    return holds(user, Role.DISTRICT_COMMAND, "district", district_id)


def task_steps(user, task: WorkPlanTask) -> set[str]:
    """The steps this person may take on the task now (the page shows only these)."""
    steps = set()
    if task.done_at is None and owner_seat(user, task) is not None:
        steps |= {"progress", "done"}
    if may_plan(user, task.district_id):
        steps.add("inspect")
    return steps


def planning_districts(*, user) -> list[int]:
    """The districts whose 折子工程 the user writes (command center), for the list page's form."""
    if scope_for(user).everything:
        return list(District.objects.order_by("pk").values_list("pk", flat=True))
    return sorted(held.unit_id for held in memberships(user)
                  if held.role == Role.DISTRICT_COMMAND and held.field == "district")

