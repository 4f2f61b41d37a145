"""Scoped reads of cases and tasks, through the one permission gate."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from dispatch.models import Case, CaseEvent, Category, Task
from haidian.permissions import Scope, restrict, scope_for, scope_rule


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


def case_list(*, user) -> QuerySet[Case]:
    return restrict(Case.objects.select_related("street", "community", "grid", "category").defer(*_NOT_LISTED),
                    user)


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


def sees_reporter_phone(*, user, case: Case) -> bool:
    """Reporters' phones are personal data: the street, its grid worker, the district and the
    reporter see the number; agencies and departments see it masked."""
    scope = scope_for(user)
    return (
        scope.everything
        or case.reported_by_id == getattr(user, "pk", None)
        or case.street_id in scope.street_ids
        or case.grid_id in scope.grid_ids
        or case.street.district_id in scope.district_ids
    )
