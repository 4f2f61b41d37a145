"""The dashboard's numbers, read from the daily roll-ups (dashboard.models), and the roll-ups'
definitions, recomputed from the cases by `computed` / `rebuild`.

A case reported on day D in street S adds to CaseDaily(D, S), and 1 to CategoryDaily(D, S, its
category or 0):

    volume          1
    accepted        status not in (reported, rejected)                       立案
    closed          accepted and closed_at is set                             结案
    closed_on_time  closed and not ever_overdue (late once, never on time)    按期结案
    public_reports  accepted and source in (resident, hotline_12345, open311) 监督举报
    reworked        closed and rework_count > 0                               返工
    resolved        closed and satisfaction != dissatisfied                   解决
    satisfied / basically_satisfied / dissatisfied   the reporter's own rating (satisfaction; never
                    the street's call-back, callback_satisfaction)

A task given on day D for a case of street S to agency A (or department P) adds to TaskDaily — every
task, lead or co-operating: each agency accepts and answers its own:

    received          1                                                       接收
    due               status not in (cancelled, returned); or ever_overdue (a task late once stays
                      due, returned or cancelled); or a lead task cancelled because its case went up
                      to the district at or after its due time                应处置
    handled           due and responded_at is set                             处置
    on_time           handled and responded_at <= due_at and not ever_overdue 按期处置
    extended          due and an approved extension                           延期
    accept_due        due and accept_due_at is set                            应签收
    accepted_on_time  accept_due and accepted_at is set and not accepted_late 按时签收
    return_requests   its return requests, approved or refused (a task returned before return review
                      existed: 1)                                             退单
    returns_approved  status returned                                         退单获批

An open case adds to its grid's GridState: open, overdue_open (overdue now), escalated_open (district),
alarm_open (critical, alarm not acknowledged), returned_open (return_count >= RETURNS_FLAGGED).

These are the assessment's definitions (assessment/indicators.py) for a window that ends now, so
the KPI tiles read: on-time handling rate = on_time / due, closure rate = closed / accepted,
rework rate = reworked / closed, return rate = return_requests / received, and the 12345 三率 of
`assessment.indicators.three_rates`: response rate = accepted_on_time / accept_due, resolution rate
= resolved / accepted, satisfaction = (satisfied + basically) / rated. Rates are rounded as the
assessment rounds them (`assessment.indicators.rate`).

On PostgreSQL the triggers of migration 0003 keep the tables; its SQL states these same definitions,
and tests hold `stored()` equal to `computed()` after every kind of transition.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Street
from assessment.indicators import rate, three_rates
from dashboard.models import CaseDaily, CategoryDaily, GridState, TaskDaily
from dispatch.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    Category,
    Priority,
    Satisfaction,
    Source,
    Task,
    TaskRole,
    TaskStatus,
    Tier,
)
from haidian import reform
from haidian.calendar import SHANGHAI

CASE_FIELDS = ("volume", "accepted", "closed", "closed_on_time", "public_reports", "reworked", "resolved",
               "satisfied", "basically_satisfied", "dissatisfied")
TASK_FIELDS = ("received", "due", "handled", "on_time", "extended", "accept_due", "accepted_on_time",
               "return_requests", "returns_approved")
GRID_FIELDS = ("open", "overdue_open", "escalated_open", "alarm_open", "returned_open")
PUBLIC = [Source.RESIDENT, Source.HOTLINE_12345, Source.OPEN311]
# The triggers (migration 0003) write this threshold as a constant: a change of
# haidian.reform.RETURNS_FLAGGED needs a migration too (tests hold the two equal).
RETURNS_FLAGGED = reform.RETURNS_FLAGGED


def _case_aggregates():
    accepted = ~Q(status__in=[CaseStatus.REPORTED, CaseStatus.REJECTED])
    closed = accepted & Q(closed_at__isnull=False)
    return {
        "volume": Count("id"),
        "accepted": Count("id", filter=accepted),
        "closed": Count("id", filter=closed),
        "closed_on_time": Count("id", filter=closed & Q(ever_overdue=False)),
        "public_reports": Count("id", filter=accepted & Q(source__in=PUBLIC)),
        "reworked": Count("id", filter=closed & Q(rework_count__gt=0)),
        "resolved": Count("id", filter=closed & ~Q(satisfaction=Satisfaction.DISSATISFIED)),
        "satisfied": Count("id", filter=Q(satisfaction="satisfied")),
        "basically_satisfied": Count("id", filter=Q(satisfaction="basically_satisfied")),
        "dissatisfied": Count("id", filter=Q(satisfaction="dissatisfied")),
    }


def _task_aggregates():
    due = ~Q(status__in=[TaskStatus.CANCELLED, TaskStatus.RETURNED]) | Q(ever_overdue=True) | Q(
        status=TaskStatus.CANCELLED, role=TaskRole.LEAD, case__escalated_at__isnull=False,
        due_at__lte=F("case__escalated_at"))
    handled = due & Q(responded_at__isnull=False)
    accept_due = due & Q(accept_due_at__isnull=False)
    returned = Q(status=TaskStatus.RETURNED)
    return {
        "received": Count("id"),
        "due": Count("id", filter=due),
        "handled": Count("id", filter=handled),
        "on_time": Count("id", filter=handled & Q(responded_at__lte=F("due_at"), ever_overdue=False)),
        "extended": Count("id", filter=due & Q(extension_status="approved")),
        "accept_due": Count("id", filter=accept_due),
        "accepted_on_time": Count("id", filter=accept_due & Q(accepted_at__isnull=False, accepted_late=False)),
        "return_requests": Sum("return_requests") + Count("id", filter=returned & Q(return_requests=0)),
        "returns_approved": Count("id", filter=returned),
    }


def computed(using: str = "default") -> dict[str, dict[tuple, dict[str, int]]]:
    """Every roll-up row recomputed from the cases and tasks (rows of zeros left out)."""
    cases = (Case.objects.using(using).annotate(day=TruncDate("created_at", tzinfo=SHANGHAI))
             .values("day", "street_id").annotate(**_case_aggregates()).order_by())
    categories = (Case.objects.using(using).annotate(day=TruncDate("created_at", tzinfo=SHANGHAI))
                  .values("day", "street_id", "category_id").annotate(volume=Count("id")).order_by())
    tasks = (Task.objects.using(using).annotate(day=TruncDate("created_at", tzinfo=SHANGHAI))
             .values("day", "case__street_id", "agency_id", "department_id").annotate(**_task_aggregates())
             .order_by())
    grids = (Case.objects.using(using).filter(status__in=OPEN_STATUSES).values("grid_id", "street_id")
             .annotate(open=Count("id"), overdue_open=Count("id", filter=Q(overdue=True)),
                       escalated_open=Count("id", filter=Q(tier=Tier.DISTRICT)),
                       alarm_open=Count("id", filter=Q(priority=Priority.CRITICAL, alarm_acknowledged_at=None)),
                       returned_open=Count("id", filter=Q(return_count__gte=RETURNS_FLAGGED))).order_by())
    result: dict[str, dict[tuple, dict[str, int]]] = {"case": {}, "category": {}, "task": {}, "grid": {}}
    for row in cases:
        result["case"][(row["day"], row["street_id"])] = {f: row[f] for f in CASE_FIELDS}
    for row in categories:
        result["category"][(row["day"], row["street_id"], row["category_id"] or 0)] = {"volume": row["volume"]}
    for row in tasks:
        key = (row["day"], row["case__street_id"], row["agency_id"] or 0, row["department_id"] or 0)
        result["task"][key] = {f: row[f] for f in TASK_FIELDS}
    for row in grids:
        result["grid"][(row["grid_id"], row["street_id"])] = {f: row[f] for f in GRID_FIELDS}
    return _without_zeros(result)


def stored(using: str = "default") -> dict[str, dict[tuple, dict[str, int]]]:
    """The roll-up rows as they are in the tables (rows of zeros left out)."""
    return _without_zeros({
        "case": {(r["day"], r["street_id"]): {f: r[f] for f in CASE_FIELDS}
                 for r in CaseDaily.objects.using(using).values()},
        "category": {(r["day"], r["street_id"], r["category_id"]): {"volume": r["volume"]}
                     for r in CategoryDaily.objects.using(using).values()},
        "task": {(r["day"], r["street_id"], r["agency_id"], r["department_id"]): {f: r[f] for f in TASK_FIELDS}
                 for r in TaskDaily.objects.using(using).values()},
        "grid": {(r["grid_id"], r["street_id"]): {f: r[f] for f in GRID_FIELDS}
                 for r in GridState.objects.using(using).values()},
    })


def _without_zeros(tables):
    return {name: {key: row for key, row in rows.items() if any(row.values())} for name, rows in tables.items()}


def rebuild(using: str = "default") -> None:
    """Recompute every roll-up from scratch, in one transaction (bulk loads; the SQLite demo)."""
    fresh = computed(using)
    with transaction.atomic(using=using):
        for model in (CaseDaily, CategoryDaily, TaskDaily, GridState):
            model.objects.using(using).all().delete()
        CaseDaily.objects.using(using).bulk_create(
            [CaseDaily(day=d, street_id=s, **row) for (d, s), row in fresh["case"].items()], batch_size=5000)
        CategoryDaily.objects.using(using).bulk_create(
            [CategoryDaily(day=d, street_id=s, category_id=k, **row) for (d, s, k), row in fresh["category"].items()],
            batch_size=5000)
        TaskDaily.objects.using(using).bulk_create(
            [TaskDaily(day=d, street_id=s, agency_id=a, department_id=p, **row)
             for (d, s, a, p), row in fresh["task"].items()], batch_size=5000)
        GridState.objects.using(using).bulk_create(
            [GridState(grid_id=g, street_id=s, **row) for (g, s), row in fresh["grid"].items()], batch_size=5000)


def maintained_by_triggers(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def ensure_fresh() -> None:
    """Where no triggers keep the roll-ups (SQLite, the demo), rebuild them at most once a minute."""
    if maintained_by_triggers():
        return
    if cache.add("dashboard:rebuilt", True, timeout=settings.DASHBOARD_REBUILD_SECONDS):
        rebuild()


# --- reading -----------------------------------------------------------------------------------------

_rate = rate  # the assessment's rounding, so that the dashboard and the assessment agree to the digit


def summary(*, street_id: int | None = None, since: dt.date, until: dt.date, today: dt.date | None = None) -> dict:
    """The KPI tiles for [since, until) (days, Asia/Shanghai), for the district or one street."""
    ensure_fresh()
    today = today or timezone.localdate()
    cases = CaseDaily.objects.filter(day__gte=since, day__lt=until)
    tasks = TaskDaily.objects.filter(day__gte=since, day__lt=until)
    grids = GridState.objects.all()
    if street_id is not None:
        cases, tasks, grids = (q.filter(street_id=street_id) for q in (cases, tasks, grids))
    c = {k: v or 0 for k, v in cases.aggregate(**{f: Sum(f) for f in CASE_FIELDS}).items()}
    t = {k: v or 0 for k, v in tasks.aggregate(**{f: Sum(f) for f in TASK_FIELDS}).items()}
    g = {k: v or 0 for k, v in grids.aggregate(**{f: Sum(f) for f in GRID_FIELDS}).items()}
    reported_today = CaseDaily.objects.filter(day=today, **({"street_id": street_id} if street_id else {})) \
        .aggregate(n=Sum("volume"))["n"] or 0
    rated = c["satisfied"] + c["basically_satisfied"] + c["dissatisfied"]
    three = three_rates(accept_due=t["accept_due"], accepted_on_time=t["accepted_on_time"], accepted=c["accepted"],
                        resolved=c["resolved"], satisfied=c["satisfied"],
                        basically_satisfied=c["basically_satisfied"], dissatisfied=c["dissatisfied"])
    return {
        "since": since.isoformat(), "until": until.isoformat(), "street": street_id,
        "reported_today": reported_today, "open": g["open"], "overdue": g["overdue_open"],
        "at_district": g["escalated_open"], "alarms": g["alarm_open"], "returned_repeatedly": g["returned_open"],
        "reported": c["volume"], "accepted": c["accepted"], "closed": c["closed"], "reworked": c["reworked"],
        "resolved": c["resolved"],
        "tasks_received": t["received"], "tasks_due": t["due"], "tasks_on_time": t["on_time"],
        "tasks_to_accept": t["accept_due"], "tasks_accepted_on_time": t["accepted_on_time"],
        "return_requests": t["return_requests"], "returns_approved": t["returns_approved"],
        "returns_refused": t["return_requests"] - t["returns_approved"], "rated": rated,
        "on_time_rate": _rate(t["on_time"], t["due"]),
        "handling_rate": _rate(t["handled"], t["due"]),
        "closure_rate": _rate(c["closed"], c["accepted"]),
        "on_time_closure_rate": _rate(c["closed_on_time"], c["accepted"]),
        "rework_rate": _rate(c["reworked"], c["closed"]),
        "return_rate": _rate(t["return_requests"], t["received"]),
        **three,  # response_rate 响应率, resolution_rate 解决率, satisfaction_rate 满意率
        "public_report_rate": _rate(c["public_reports"], c["accepted"]),
    }


def trends(*, street_id: int | None, since: dt.date, until: dt.date) -> dict:
    """Reports and closures by day, and reports by category (top 10), for the charts."""
    cases = CaseDaily.objects.filter(day__gte=since, day__lt=until)
    if street_id is not None:
        cases = cases.filter(street_id=street_id)
    categories = CategoryDaily.objects.filter(day__gte=since, day__lt=until)
    if street_id is not None:
        categories = categories.filter(street_id=street_id)
    by_day = list(cases.values("day").annotate(reported=Sum("volume"), closed=Sum("closed")).order_by("day"))
    by_category = list(categories.values("category_id").annotate(reported=Sum("volume")).order_by("-reported")[:10])
    names = dict(Category.objects.filter(pk__in=[r["category_id"] for r in by_category]).values_list("pk", "name"))
    return {
        "days": [r["day"].isoformat() for r in by_day], "reported": [r["reported"] for r in by_day],
        "closed": [r["closed"] for r in by_day],
        "categories": [names.get(r["category_id"], _("not yet filed")) for r in by_category],
        "category_reported": [r["reported"] for r in by_category],
    }


def rankings(*, street_id: int | None, since: dt.date, until: dt.date, limit: int = 10) -> dict:
    """Streets by closure rate and agencies by on-time handling rate over the window."""
    streets = (CaseDaily.objects.filter(day__gte=since, day__lt=until).values("street_id")
               .annotate(accepted=Sum("accepted"), closed=Sum("closed"), on_time=Sum("closed_on_time")))
    tasks = TaskDaily.objects.filter(day__gte=since, day__lt=until).exclude(agency_id=0)
    if street_id is not None:
        tasks = tasks.filter(street_id=street_id)
    agencies = tasks.values("agency_id").annotate(due=Sum("due"), on_time=Sum("on_time"))
    street_names = dict(Street.objects.values_list("pk", "name"))
    agency_ids = [r["agency_id"] for r in agencies]
    agency_names = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
    street_rows = sorted(({"name": street_names.get(r["street_id"], "?"), "rate": _rate(r["closed"], r["accepted"]),
                           "count": r["accepted"]} for r in streets if r["accepted"]),
                         key=lambda r: (-(r["rate"] or 0), r["name"]))
    agency_rows = sorted(({"name": agency_names.get(r["agency_id"], "?"), "rate": _rate(r["on_time"], r["due"]),
                           "count": r["due"]} for r in agencies if r["due"]),
                         key=lambda r: (-(r["rate"] or 0), r["name"]))
    return {"streets": street_rows[:limit], "agencies": agency_rows[:limit]}


def grid_states(*, street_id: int | None) -> dict[int, dict[str, int]]:
    """Open and overdue cases per grid, for the map (3,000 rows at most)."""
    ensure_fresh()
    rows = GridState.objects.all() if street_id is None else GridState.objects.filter(street_id=street_id)
    return {r["grid_id"]: {"open": r["open"], "overdue": r["overdue_open"]}
            for r in rows.values("grid_id", "open", "overdue_open") if r["open"]}
