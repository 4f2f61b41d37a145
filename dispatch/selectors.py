"""Scoped reads of cases and tasks, through the one permission gate."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from agencies.models import Agency, Department, Street
from dispatch.models import (
    OPEN_STATUSES,
    TO_DO_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    DeadlineLetter,
    LetterStatus,
    Review,
    Source,
    Task,
    TaskStatus,
    Tier,
)
from dispatch.workflow import CASE_MOVES, Action
from haidian import audit
from haidian.permissions import Role, Scope, restrict, scope_for, scope_rule
from haidian.privacy import mask_name, mask_phone


def _tasks_of_scope(scope: Scope) -> Q:
    return (
        Q(agency_id__in=scope.agency_ids)
        | Q(department_id__in=scope.department_ids)
        | Q(agency__department_id__in=scope.department_ids)
    )


@scope_rule(Case)
def _case_rule(scope: Scope) -> Q:
    rule = (
        Q(street__district_id__in=scope.district_ids)
        | Q(street_id__in=scope.street_ids)
        | Q(community_id__in=scope.community_ids)
        | Q(grid_id__in=scope.grid_ids)
    )
    if not (scope.district_ids or scope.street_ids):
        # Reporters follow their own reports. A district's or street's staff already see every case
        # of their area; OR-ing their own reports in would stop every case list from reading an
        # index in order (a sort over the street's whole history instead of one index range).
        rule |= Q(reported_by_id=scope.user_id)
    if scope.agency_ids or scope.department_ids:
        rule |= Q(id__in=Task.objects.filter(_tasks_of_scope(scope)).values("case_id"))
    return rule


@scope_rule(Task)
def _task_rule(scope: Scope) -> Q:
    return (
        _tasks_of_scope(scope)
        | Q(case__street__district_id__in=scope.district_ids)
        | Q(case__street_id__in=scope.street_ids)
        | Q(case__grid_id__in=scope.grid_ids)
    )


# Columns a case page never shows: the grid's outline is a polygon of every grid on the page.
_NOT_LISTED = ("grid__boundary",)


@scope_rule(DeadlineLetter)
def _letter_rule(scope: Scope) -> Q:
    """The writing street, the addressed agency (and its department), the district."""
    return (Q(street__district_id__in=scope.district_ids) | Q(street_id__in=scope.street_ids)
            | Q(agency_id__in=scope.agency_ids) | Q(agency__department_id__in=scope.department_ids))


def letter_list(*, user) -> QuerySet[DeadlineLetter]:
    return restrict(DeadlineLetter.objects.select_related("street", "agency"), user).prefetch_related(
        Prefetch("cases", queryset=Case.objects.only("id", "number", "title").order_by("number")))


def letters_page(*, user, bucket: str, now) -> list[DeadlineLetter]:
    """Letters in scope for the letters page: `open` (not yet answered), `overdue`, `answered`
    (waiting for the street's feedback and closing) or `all`; open ones by deadline, others newest."""
    queryset = letter_list(user=user)
    waiting = [LetterStatus.ISSUED, LetterStatus.ACKNOWLEDGED]
    if bucket == "open":
        queryset = queryset.filter(status__in=waiting).order_by("deadline", "id")
    elif bucket == "overdue":
        queryset = queryset.filter(status__in=waiting, deadline__lt=now).order_by("deadline", "id")
    elif bucket == "answered":
        queryset = queryset.filter(status=LetterStatus.ANSWERED).order_by("-answered_at", "-id")
    return list(queryset[:PAGE_SIZE])


def reflected_without_letter(*, user, street: Street) -> list[Case]:
    """Open cases of the street flagged as strongly reflected that no open letter covers yet: the
    workbench suggests a deadline letter for each (read from a small partial index)."""
    in_letter = DeadlineLetter.objects.filter(cases=OuterRef("pk"), status__in=[
        LetterStatus.ISSUED, LetterStatus.ACKNOWLEDGED, LetterStatus.ANSWERED])
    return list(case_list(user=user).filter(street=street, status__in=OPEN_STATUSES,
                                            strongly_reflected_at__isnull=False)
                .filter(~Exists(in_letter)).order_by("-created_at", "-id")[:10])


def case_list(*, user) -> QuerySet[Case]:
    return restrict(Case.objects.select_related("street", "community", "grid", "category").defer(*_NOT_LISTED),
                    user)


def cases_by_number(*, user, numbers: list[str]) -> tuple[list[Case], list[str]]:
    """The visible cases with these numbers, in the order given (repeats dropped), and the numbers
    not found in the user's area."""
    numbers = list(dict.fromkeys(numbers))
    found = {case.number: case for case in case_list(user=user).filter(number__in=numbers)}
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


def case_detail(*, user) -> QuerySet[Case]:
    return case_list(user=user).prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
        Prefetch("tasks", queryset=Task.objects.select_related("agency", "department").order_by("id")),
        "attachments",
    )


def task_inbox(*, user) -> QuerySet[Task]:
    """The tasks of the agencies and departments the user works in."""
    scope = scope_for(user)
    queryset = Task.objects.select_related("case", "agency", "department")
    if scope.everything:
        return queryset
    return queryset.filter(_tasks_of_scope(scope))


def task_for_action(*, user) -> QuerySet[Task]:
    """Tasks a user may see (and so act on, if their role allows): handlers and dispatchers."""
    return restrict(Task.objects.select_related("case", "agency", "department"), user)


def category_list() -> QuerySet[Category]:
    """Categories are reference data every signed-in user may read."""
    return Category.objects.select_related("parent", "default_department")


# 个人信息保护: the reporter's phone is shown whole only to the people whose task on the case may
# need a call-back, and each such view is on the audit log. The grid worker stands in front of the
# problem while the case waits to be resolved on the spot (reported) or checked (responded).
_ON_SITE_STATUSES = frozenset(CASE_MOVES[Action.RESOLVE_ON_SITE]) | frozenset(CASE_MOVES[Action.VERIFY_PASSED])
# What `sees_reporter_phone` reads of a case (the export fetches exactly these with each row).
REPORTER_PHONE_FACTS = ("reported_by_id", "source", "status", "tier", "street_id", "grid_id", "street__district_id")


def sees_reporter_phone(*, user, case: Case) -> bool:
    """Whether `user`'s task on `case` may need a call-back, so that they see the reporter's phone
    (and name) whole. The one rule of the API, the case page and the exports:

    - the sub-center staff of the case's street (they file it, call back 回访, explain, feed back);
    - the district command center while the case is at the district tier (it holds it then);
    - the grid worker of the case's grid while the case waits for them on site (to be resolved on
      the spot, or checked);
    - the reporter, on a report they made as the public; a superuser.

    Everyone else sees them masked: agencies and departments, community staff, the grid worker at
    any other step, the district watching a street's case. Reads only the case's own columns
    (`REPORTER_PHONE_FACTS`), never a query of its own."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if case.reported_by_id is not None and case.reported_by_id == getattr(user, "pk", None) \
            and case.source in (Source.RESIDENT, Source.OPEN311):
        return True
    if scope.serves(Role.STREET_STAFF, "street", case.street_id):
        return True
    if case.tier == Tier.DISTRICT and scope.serves(Role.DISTRICT_COMMAND, "district", case.street.district_id):
        return True
    return case.status in _ON_SITE_STATUSES and scope.serves(Role.GRID_WORKER, "grid", case.grid_id)


def reporter_phone(*, user, case: Case) -> str:
    """The reporter's phone as this person may see it: whole, or masked (no audit: see `reporter_shown`)."""
    phone = case.reporter_phone
    return phone if sees_reporter_phone(user=user, case=case) else mask_phone(phone)


def reporter_shown(*, request, case: Case) -> tuple[str, str]:
    """(name, phone) of the case's reporter as the person asking may see them on a page or in the API.
    Shown whole, the view goes on the audit log (one row per page or answer)."""
    name, phone = case.reporter_name, case.reporter_phone
    if not (name or phone):
        return "", ""
    if not sees_reporter_phone(user=request.user, case=case):
        return mask_name(name), mask_phone(phone)
    if phone:
        audit.record(audit.Action.PERSONAL_DATA_VIEWED, request=request, obj=case, data={"field": "reporter_phone"})
    return name, phone


# --- pages ---------------------------------------------------------------------------------------

QUEUE_STATUSES = [CaseStatus.REPORTED, CaseStatus.FILED, CaseStatus.DISPATCHED, CaseStatus.RESPONDED,
                  CaseStatus.CLOSED]
PAGE_SIZE = 50


# Not a status: the closed cases whose reporter was dissatisfied, waiting for the street (不满意待复核).
REVIEW_QUEUE = "review"


def queue_counts(*, user, street: Street) -> dict[str, int]:
    """How many cases of the street wait in each step (one grouped count, read from an index), and
    how many dissatisfied ratings wait for review (a partial index of a few rows)."""
    rows = restrict(Case.objects.filter(street=street), user).values_list("status").annotate(n=Count("id"))
    counts = dict.fromkeys([*QUEUE_STATUSES, REVIEW_QUEUE], 0)
    counts.update({status: n for status, n in rows if status in counts})
    counts[REVIEW_QUEUE] = restrict(Case.objects.filter(street=street, review=Review.PENDING), user).count()
    return counts


def street_cases(*, user, street: Street, status: str | None, filters: dict) -> QuerySet[Case]:
    """The street workbench's cases for these filters, all of them (the queue `status`, or every
    step when None): the page shows them a page at a time, the export all at once."""
    queryset = case_list(user=user).filter(street=street)
    if status == REVIEW_QUEUE:
        queryset = queryset.filter(review=Review.PENDING)
    elif status is not None:
        queryset = queryset.filter(status=status)
    if filters.get("q"):
        words = filters["q"].strip()
        queryset = queryset.filter(Q(number=words) | Q(title__icontains=words))
    for field, lookup in (("grid", "grid__code"), ("community", "community__code"),
                          ("category", "category__code"), ("source", "source")):
        if filters.get(field):
            queryset = queryset.filter(**{lookup: filters[field]})
    if filters.get("overdue"):
        queryset = queryset.filter(overdue=True)
    if filters.get("reported_from"):
        queryset = queryset.filter(created_at__date__gte=filters["reported_from"])
    if filters.get("reported_to"):
        queryset = queryset.filter(created_at__date__lte=filters["reported_to"])
    return queryset


def street_queue(*, user, street: Street, status: str, filters: dict, after: tuple | None) -> list[Case]:
    """One page of a street's queue, newest first; `after` is the (created_at, id) of the last row seen."""
    queryset = street_cases(user=user, street=street, status=status, filters=filters)
    if after is not None:
        moment, pk = after
        queryset = queryset.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    return list(queryset.order_by("-created_at", "-id")[:PAGE_SIZE])


def lead_tasks(cases: list[Case]) -> dict[int, Task]:
    """The live lead task of each case on a page (for due times), in one query."""
    tasks = Task.objects.filter(case__in=cases, role="lead", status__in=TaskStatus.active_values())
    return {task.case_id: task for task in tasks}


def inbox(*, user, bucket: str, now) -> list[Task]:
    """An agency's or department's tasks: `pending`, `in_hand` (accepted) or `overdue` (either, past due)."""
    queryset = task_inbox(user=user).filter(status__in=TO_DO_STATUSES)
    if bucket == "pending":
        queryset = queryset.filter(status=TaskStatus.PENDING)
    elif bucket == "in_hand":  # a return waiting for the street's review is still in the agency's hands
        queryset = queryset.filter(status__in=[TaskStatus.ACCEPTED, TaskStatus.RETURN_REQUESTED])
    else:
        queryset = queryset.filter(due_at__lt=now)
    return list(queryset.select_related("case__street", "case__category").order_by("due_at", "id")[:PAGE_SIZE])


def district_queue(*, user) -> list[Case]:
    """District-tier cases waiting for the command center to dispatch them."""
    return list(case_list(user=user).filter(tier=Tier.DISTRICT, status=CaseStatus.FILED)
                .order_by("-created_at", "-id")[:PAGE_SIZE])


def extension_requests(*, user) -> list[Task]:
    """Extension requests waiting for this dispatcher (street staff or the command center)."""
    return _for_dispatcher(user, Task.objects.filter(extension_status="requested",
                                                     status__in=TaskStatus.active_values())
                           .select_related("case__street", "agency", "department").order_by("due_at", "id"))


def return_requests(*, user, street: Street | None = None) -> list[Task]:
    """退单审核: return requests waiting for this dispatcher (street staff or the command center), of
    one street's cases if given."""
    queryset = Task.objects.filter(status=TaskStatus.RETURN_REQUESTED)
    if street is not None:
        queryset = queryset.filter(case__street=street, case__tier=Tier.STREET)
    return _for_dispatcher(user, queryset.select_related("case__street", "agency", "department")
                           .order_by("due_at", "id"))


def _for_dispatcher(user, queryset: QuerySet[Task]) -> list[Task]:
    scope = scope_for(user)
    if scope.everything:
        return list(queryset[:PAGE_SIZE])
    rule = Q(case__tier=Tier.STREET, case__street_id__in=scope.street_ids)
    if scope.has_role(Role.DISTRICT_COMMAND):
        rule |= Q(case__tier=Tier.DISTRICT, case__street__district_id__in=scope.district_ids)
    return list(queryset.filter(rule)[:PAGE_SIZE])


def units_for_case(case: Case) -> list[dict]:
    """The units that may lead `case` now, the default first: at street tier every agency serving its
    street (an agency posted there, or a department's unit covering several streets), at district
    tier the district's departments. The default is the category's department (and agency type);
    then that department's other units, then the rest by code."""
    category = case.category
    department_id = category.default_department_id if category else None
    kind = category.default_agency_kind if category else ""
    if case.tier == Tier.DISTRICT:
        units = [{"code": d.code, "name": d.name, "kind": "department", "department_id": d.pk}
                 for d in Department.objects.filter(district_id=case.street.district_id).order_by("code")]
        default = next((u for u in units if u["department_id"] == department_id), None)
    else:
        units = [{"code": a.code, "name": a.name, "kind": a.kind, "department_id": a.department_id}
                 for a in Agency.objects.filter(streets=case.street_id).order_by("code")]
        default = (next((u for u in units if u["department_id"] == department_id and u["kind"] == kind), None)
                   if kind else None) or next((u for u in units if u["department_id"] == department_id), None)
    for unit in units:
        unit["default"] = unit is default
    units.sort(key=lambda u: (not u["default"], u["department_id"] != department_id, u["code"]))
    for unit in units:
        del unit["department_id"]
    return units


def grid_worker_cases(*, user) -> dict[str, list[Case]]:
    """A grid worker's page: cases of their grids waiting for their check, and their own reports."""
    scope = scope_for(user)
    base = Case.objects.select_related("grid", "category").defer("grid__boundary").order_by("-created_at", "-id")
    return {
        "to_verify": list(base.filter(grid_id__in=scope.grid_ids, status=CaseStatus.RESPONDED)[:PAGE_SIZE]),
        "mine": list(base.filter(reported_by=user)[:PAGE_SIZE]),
    }


def waiting_count(*, user) -> int:
    """What waits for this person, for the number in the page header."""
    scope = scope_for(user)
    if scope.everything:
        return 0
    total = 0
    if scope.street_ids:
        total += Case.objects.filter(street_id__in=scope.street_ids, status__in=[
            CaseStatus.REPORTED, CaseStatus.FILED, CaseStatus.RESPONDED]).filter(
            Q(tier=Tier.STREET) | ~Q(status=CaseStatus.FILED)).count()
        total += Task.objects.filter(status=TaskStatus.RETURN_REQUESTED, case__street_id__in=scope.street_ids,
                                     case__tier=Tier.STREET).count()
    if scope.grid_ids and scope.has_role(Role.GRID_WORKER):
        total += Case.objects.filter(grid_id__in=scope.grid_ids, status=CaseStatus.RESPONDED).exclude(
            street_id__in=scope.street_ids).count()
    if scope.agency_ids or scope.department_ids:
        total += Task.objects.filter(
            Q(agency_id__in=scope.agency_ids) | Q(department_id__in=scope.department_ids),
            status__in=TO_DO_STATUSES).count()
    if scope.district_ids and scope.has_role(Role.DISTRICT_COMMAND):
        total += Case.objects.filter(tier=Tier.DISTRICT, status=CaseStatus.FILED,
                                     street__district_id__in=scope.district_ids).count()
    return total


# Words people use for a category that its name does not contain.
CATEGORY_WORDS = {
    "A02-06": ["犬", "狗"], "A05-03": ["垃圾"], "A05-05": ["井盖"], "A05-04": ["路灯"],
    "A05-01": ["摊", "占道", "早市", "烧烤"], "A05-08": ["小广告", "传单"], "A05-07": ["涂写", "乱画", "贴"],
    "A02-04": ["施工", "噪音", "噪声"], "A02-05": ["油烟"], "A02-01": ["暖气", "供暖"], "A04-03": ["群租"],
}


def suggest_category(text: str) -> Category | None:
    """The leaf category whose name (two characters at a time) or usual words best match a report."""
    text = text.strip()
    if len(text) < 2:
        return None
    best, best_score = None, 0
    for category in Category.objects.filter(parent__isnull=False).order_by("code"):
        name = category.name
        score = sum(1 for i in range(len(name) - 1) if name[i:i + 2] in text)
        score += 2 * sum(1 for word in CATEGORY_WORDS.get(category.code, []) if word in text)
        if score > best_score:
            best, best_score = category, score
    return best
