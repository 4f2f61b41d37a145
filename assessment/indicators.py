"""Objective indicators of the half-yearly assessment (CJ/T 292 数字化城市管理信息系统 绩效评价), read from
the cases with a few set-based GROUP BY statements, whatever the size of the half.

All times are aware datetimes; the half is [start, end). Every unit that exists appears in the result,
with zero counts and None rates when it had nothing in the half. A rate is a float in 0–1 rounded half
up to 4 decimals (`rate`), None when its denominator is 0.

Lateness is a fact (issue 15, "the loop that bites"): a task or case that was ever overdue
(`ever_overdue`: a red card, or an answer after the due time) never counts as on time, whatever
happened after — an extension, a new dispatch, the district taking the case over.

Agency A (派驻机构) — tasks t with t.agency = A and start <= t.created_at < end:

    received         接收任务数 every such task, whatever became of it
    due              应处置数   t.status not in (cancelled, returned); or t.ever_overdue (a task late once
                                stays due when it is returned or cancelled: lateness cannot be handed back);
                                or a cancelled lead task whose case went up to the district at or after its
                                due time (escalated away while overdue: it still counts against the agency)
    handled          处置数     due and t.responded_at < end
    handled_on_time  按期处置数 handled and t.responded_at <= t.due_at (due_at includes an approved extension)
                                and not t.ever_overdue
    overdue          超期数     due and t.due_at < end and (t.ever_overdue or t.responded_at is null or
                                t.responded_at > t.due_at) (a task due after the half never counts, so a past
                                half's figure stays put)
    extended         延期数     due and t.extension_status = approved
    closed           结案数     due lead tasks whose case has start <= closed_at < end
    reworked         返工数     closed and case.rework_count > 0
    accept_due       应签收数   due and t.accept_due_at is set (tasks dispatched before 签收 deadlines existed
                                have none and stay out of the response rate)
    accepted_on_time 按时签收数 accept_due and t.accepted_at < end and not t.accepted_late (answering a task
                                nobody accepted accepts it late)
    return_requests  退单数     the return requests (退单) made on the tasks, approved or refused: Σ
                                t.return_requests (a task returned before return review existed counts one)
    returns_approved 退单获批数 t.status = returned
    returns_refused  退单被驳回数 return_requests − returns_approved
    letters          函告数     deadline letters to A with start <= issued_at < end
    letters_on_time  按期答复数 letters with answered_at <= deadline
    meetings_required 应到会次数 required invitations to the streets' meetings held in the half
    meetings_attended 实到会次数 of those, attended (committees.services.attendance_rate)
    summoned         应报到次数 the street whistled (吹哨) for A in the half (whistle.selectors.check_in_figures)
    check_ins_on_time 按时报到次数, check_ins_late 迟到次数, check_ins_missing 未报到次数: how A answered
    inquiries        质询数     the supervision committees' inquiries to A asked in the half
                                (supervision.selectors.inquiry_figures; also a street's, to the street)
    inquiries_on_time 按期答复数, inquiries_overdue 超期未答复数: answered by the due time; overdue
    handling_rate = handled / due          on_time_rate = handled_on_time / due
    rework_rate = reworked / closed        extension_rate = extended / due
    overdue_rate = overdue / due (超期率: 超期数 as a share, so that it weighs the same for a big and a small agency)
    response_rate = accepted_on_time / accept_due (响应率, `three_rates`)
    return_rate = return_requests / received (退单率)
    letters_on_time_rate = letters_on_time / letters
    meeting_attendance_rate = meetings_attended / meetings_required
    check_in_rate = check_ins_on_time / summoned (报到及时率)
    inquiry_on_time_rate = inquiries_on_time / inquiries (质询按期答复率; a street's too)

Why returns weigh this way: an approved return (the dispatcher agrees the task belongs elsewhere) is
not due — the next unit's task is, and counting it again as unhandled would punish the agency twice —
but every return request, approved or refused, is in the return rate, which the objective score
counts lower-is-better. So giving work back is never free: an agency that asks to return one task in
four loses a quarter of that rate's share of its score, and a refused return also stays due with
its clock running (TO_DO_STATUSES), so a return that made the task late costs the on-time rate too.
A task returned after it went overdue stays due and overdue (ever_overdue, above). A task asked
back more than once can push the return rate above 1; it then scores 0, never less.

Department D (专业部门) — the same counts summed over the tasks assigned to D itself (district tier) and
to D's agencies, and the letters, meetings and summonses of D's agencies and D; the rates from the sums.

Street S / community C (街道 / 社区) — cases c with c.street = S (c.community = C), start <= c.created_at < end:

    volume           受理量     count
    accepted         立案数     c.status not in (reported, rejected)
    closed           结案数     accepted and c.closed_at < end
    closed_on_time   按期结案数 closed and not c.ever_overdue
    resolved         解决数     closed and c.satisfaction <> dissatisfied
    public_reports   监督举报数 accepted and c.source in (resident, hotline_12345, open311)
    satisfied / basically_satisfied / dissatisfied   满意 / 基本满意 / 不满意数: closed, by the reporter's
                                own rating (c.satisfaction; the street's call-backs, c.callback_satisfaction,
                                never count)
    closure_rate = closed / accepted       on_time_closure_rate = closed_on_time / accepted
    resolution_rate = resolved / accepted (解决率)
    satisfaction_rate = (satisfied + basically_satisfied) / rated (满意率)
    public_report_rate = public_reports / accepted

The street's 满意率 is that of the cases reported in the half, as on the dashboard (the 三率 of one set
of cases); the satisfaction component of a round (assessment.compute) reads `case_satisfaction` —
the cases closed in the half — and the survey firm's answers.

Grid worker U (网格员: every user holding a grid_worker membership):

    reported         上报数     cases with c.reported_by = U, start <= c.created_at < end
    valid            有效上报数 reported and (c.filed_at or c.closed_at or c.duplicate_of is set)
    checks           核查数     verify_passed / verify_failed events by U with start <= at < end
    checks_on_time   按时核查数 checks at most VERIFY_ON_TIME_HOURS after the case's latest respond event
                                that moved it to `responded` (the lead task's), at or before the check
    patrols          巡查数     U's patrols with start <= started_at < end that have ended
    valid_report_rate = valid / reported   on_time_check_rate = checks_on_time / checks

How the rates are weighed into a score (weights per kind, small samples shrunk) is
`assessment.scoring`'s; this module only counts.

`three_rates` is the one definition of the 12345 hotline's 三率 (响应率, 解决率, 满意率) from counts: these
indicators and the dashboard (dashboard.rollups.summary) both call it.

Runs on PostgreSQL, and on SQLite (the demo) where only the check window is written differently.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from agencies.models import Agency, Department, Street
from committees.services import attendance_rate
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
from grids.models import Community, Patrol
from haidian.permissions import Role
from people.models import Membership
from supervision.selectors import inquiry_figures
from whistle.selectors import check_in_figures

KINDS = ("agency", "department", "street", "community", "grid_worker")

VERIFY_ON_TIME_HOURS = 24

_TASK_COUNTS = ("received", "due", "handled", "handled_on_time", "overdue", "extended", "closed", "reworked",
                "accept_due", "accepted_on_time", "return_requests", "returns_approved", "returns_refused")
_CHECK_IN_COUNTS = ("summoned", "check_ins_on_time", "check_ins_late", "check_ins_missing")
_INQUIRY_COUNTS = ("inquiries", "inquiries_on_time", "inquiries_overdue")
_AGENCY_COUNTS = (*_TASK_COUNTS, "letters", "letters_on_time", "meetings_attended", "meetings_required",
                  *_CHECK_IN_COUNTS, *_INQUIRY_COUNTS)
_AREA_COUNTS = ("volume", "accepted", "closed", "closed_on_time", "resolved", "public_reports", "satisfied",
                "basically_satisfied", "dissatisfied")

COUNTS: dict[str, tuple[str, ...]] = {
    "agency": _AGENCY_COUNTS,
    "department": _AGENCY_COUNTS,
    "street": (*_AREA_COUNTS, *_INQUIRY_COUNTS),
    "community": _AREA_COUNTS,
    "grid_worker": ("reported", "valid", "checks", "checks_on_time", "patrols"),
}

_TASK_RATES = {
    "handling_rate": ("handled", "due"),
    "on_time_rate": ("handled_on_time", "due"),
    "rework_rate": ("reworked", "closed"),
    "extension_rate": ("extended", "due"),
    "overdue_rate": ("overdue", "due"),
    "return_rate": ("return_requests", "received"),
    "letters_on_time_rate": ("letters_on_time", "letters"),
    "meeting_attendance_rate": ("meetings_attended", "meetings_required"),
    "check_in_rate": ("check_ins_on_time", "summoned"),
    "inquiry_on_time_rate": ("inquiries_on_time", "inquiries"),
}
_AREA_RATES = {
    "closure_rate": ("closed", "accepted"),
    "on_time_closure_rate": ("closed_on_time", "accepted"),
    "public_report_rate": ("public_reports", "accepted"),
}

# rate → (numerator count, denominator count); the 三率 come from `three_rates` (THREE_RATES_OF).
RATES: dict[str, dict[str, tuple[str, str]]] = {
    "agency": _TASK_RATES,
    "department": _TASK_RATES,
    "street": {**_AREA_RATES, "inquiry_on_time_rate": ("inquiries_on_time", "inquiries")},
    "community": _AREA_RATES,
    "grid_worker": {
        "valid_report_rate": ("valid", "reported"),
        "on_time_check_rate": ("checks_on_time", "checks"),
    },
}

# Which of the 三率 each kind has: agencies answer for the response, the areas for the outcome.
THREE_RATES_OF: dict[str, tuple[str, ...]] = {
    "agency": ("response_rate",),
    "department": ("response_rate",),
    "street": ("resolution_rate", "satisfaction_rate"),
    "community": ("resolution_rate", "satisfaction_rate"),
}
# The two of the 三率 that are one count over another (满意率 adds two counts: the round weighs the
# public's satisfaction as a component of its own).
THREE_RATE_PARTS = {"response_rate": ("accepted_on_time", "accept_due"), "resolution_rate": ("resolved", "accepted")}
THREE_RATE_COUNTS = ("accept_due", "accepted_on_time", "accepted", "resolved", "satisfied", "basically_satisfied",
                     "dissatisfied")

# The order of case_satisfaction's triples.
SATISFACTION_ORDER = tuple(s.value for s in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED,
                                              Satisfaction.DISSATISFIED))

_CASE = Case._meta.db_table
_TASK = Task._meta.db_table
_EVENT = CaseEvent._meta.db_table
_LETTER = DeadlineLetter._meta.db_table
_AGENCY = Agency._meta.db_table
_DEPARTMENT = Department._meta.db_table
_STREET = Street._meta.db_table
_COMMUNITY = Community._meta.db_table
_MEMBERSHIP = Membership._meta.db_table
_PATROL = Patrol._meta.db_table

# The respond that moves a case (dispatched → responded) is the lead task's; a co-operating agency's
# respond event keeps the case's status and does not restart the check clock.
((_RESPOND_FROM, _RESPOND_TO),) = CASE_MOVES[Action.RESPOND].items()

_CONSTANTS = {
    "cancelled": TaskStatus.CANCELLED.value,
    "returned": TaskStatus.RETURNED.value,
    "lead": TaskRole.LEAD.value,
    "approved": ExtensionStatus.APPROVED.value,
    "reported": CaseStatus.REPORTED.value,
    "rejected": CaseStatus.REJECTED.value,
    "resident": Source.RESIDENT.value,
    "hotline": Source.HOTLINE_12345.value,
    "open311": Source.OPEN311.value,
    "grid_worker": Role.GRID_WORKER.value,
    "respond": Action.RESPOND.value,
    "respond_from": str(_RESPOND_FROM),
    "respond_to": str(_RESPOND_TO),
    "verify_passed": Action.VERIFY_PASSED.value,
    "verify_failed": Action.VERIFY_FAILED.value,
    "satisfied": Satisfaction.SATISFIED.value,
    "basically_satisfied": Satisfaction.BASICALLY_SATISFIED.value,
    "dissatisfied": Satisfaction.DISSATISFIED.value,
}

_GRID_WORKERS = f"SELECT m.user_id FROM {_MEMBERSHIP} m WHERE m.role = %(grid_worker)s"
# Unique per (user, role, grid): a grid's case counts once for each of its workers.
_GRID_WORKER_GRIDS = (f"SELECT m.user_id, m.grid_id FROM {_MEMBERSHIP} m "
                      f"WHERE m.role = %(grid_worker)s AND m.grid_id IS NOT NULL")

# A task that counts as due (the docstring's table), over t and its case c.
_DUE = """(t.status NOT IN (%(cancelled)s, %(returned)s)
           OR t.ever_overdue
           -- a lead task cancelled because the case went up to the district while it was overdue
           OR (t.status = %(cancelled)s AND t.role = %(lead)s AND c.escalated_at IS NOT NULL
               AND t.due_at <= c.escalated_at))"""
_HANDLED = f"{_DUE} AND t.responded_at < %(end)s"
_CLOSED_LEAD = f"{_DUE} AND t.role = %(lead)s AND c.closed_at >= %(start)s AND c.closed_at < %(end)s"
# A task returned before return review existed (no request on record) was one return.
_REQUESTS = ("coalesce(sum(t.return_requests), 0)"
             " + count(*) FILTER (WHERE t.status = %(returned)s AND t.return_requests = 0)")

# Agencies' and departments' tasks in one pass: a task has exactly one assignee, so each row of the
# result is either an agency's (department_id null) or a department's own (agency_id null).
_TASKS_SQL = f"""
    SELECT t.agency_id, t.department_id,
           count(*),
           count(*) FILTER (WHERE {_DUE}),
           count(*) FILTER (WHERE {_HANDLED}),
           count(*) FILTER (WHERE {_HANDLED} AND t.responded_at <= t.due_at AND NOT t.ever_overdue),
           count(*) FILTER (WHERE {_DUE} AND t.due_at < %(end)s
                                  AND (t.ever_overdue OR t.responded_at IS NULL OR t.responded_at > t.due_at)),
           count(*) FILTER (WHERE {_DUE} AND t.extension_status = %(approved)s),
           count(*) FILTER (WHERE {_CLOSED_LEAD}),
           count(*) FILTER (WHERE {_CLOSED_LEAD} AND c.rework_count > 0),
           count(*) FILTER (WHERE {_DUE} AND t.accept_due_at IS NOT NULL),
           count(*) FILTER (WHERE {_DUE} AND t.accept_due_at IS NOT NULL AND t.accepted_at < %(end)s
                                  AND NOT t.accepted_late),
           {_REQUESTS},
           count(*) FILTER (WHERE t.status = %(returned)s),
           {_REQUESTS} - count(*) FILTER (WHERE t.status = %(returned)s)
    FROM {_TASK} t JOIN {_CASE} c ON c.id = t.case_id
    WHERE t.created_at >= %(start)s AND t.created_at < %(end)s
    GROUP BY t.agency_id, t.department_id
"""

_LETTERS_SQL = f"""
    SELECT l.agency_id, count(*), count(*) FILTER (WHERE l.answered_at <= l.deadline)
    FROM {_LETTER} l
    WHERE l.issued_at >= %(start)s AND l.issued_at < %(end)s
    GROUP BY l.agency_id
"""

_ACCEPTED = "c.status NOT IN (%(reported)s, %(rejected)s)"
_CLOSED_CASE = f"{_ACCEPTED} AND c.closed_at < %(end)s"

# Per community (and its street): the street's figures are the sums over its communities.
_CASES_SQL = f"""
    SELECT c.street_id, c.community_id,
           count(*),
           count(*) FILTER (WHERE {_ACCEPTED}),
           count(*) FILTER (WHERE {_CLOSED_CASE}),
           count(*) FILTER (WHERE {_CLOSED_CASE} AND NOT c.ever_overdue),
           count(*) FILTER (WHERE {_CLOSED_CASE} AND c.satisfaction <> %(dissatisfied)s),
           count(*) FILTER (WHERE {_ACCEPTED} AND c.source IN (%(resident)s, %(hotline)s, %(open311)s)),
           count(*) FILTER (WHERE {_CLOSED_CASE} AND c.satisfaction = %(satisfied)s),
           count(*) FILTER (WHERE {_CLOSED_CASE} AND c.satisfaction = %(basically_satisfied)s),
           count(*) FILTER (WHERE {_CLOSED_CASE} AND c.satisfaction = %(dissatisfied)s)
    FROM {_CASE} c
    WHERE c.created_at >= %(start)s AND c.created_at < %(end)s
    GROUP BY c.street_id, c.community_id
"""

_REPORTS_SQL = f"""
    SELECT c.reported_by_id, count(*),
           count(*) FILTER (WHERE c.filed_at IS NOT NULL OR c.closed_at IS NOT NULL OR c.duplicate_of_id IS NOT NULL)
    FROM {_CASE} c
    WHERE c.created_at >= %(start)s AND c.created_at < %(end)s AND c.reported_by_id IN ({_GRID_WORKERS})
    GROUP BY c.reported_by_id
"""

# One pass over the event log instead of a look-up per check: the checks of the half and the lead
# responds since 24 hours before it, in time order per case, each check carrying the latest respond
# at or before it (a respond at the same instant sorts first). A respond older than that window
# cannot make a check on time, so the window loses nothing.
_CHECKS_SQL = f"""
    SELECT v.actor_id, count(*), count(*) FILTER (WHERE {{within}})
    FROM (
        SELECT e.actor_id, e.action, e.at,
               max(e.at) FILTER (WHERE e.action = %(respond)s) OVER (
                   PARTITION BY e.case_id ORDER BY e.at, CASE WHEN e.action = %(respond)s THEN 0 ELSE 1 END
                   ROWS UNBOUNDED PRECEDING) AS responded_at
        FROM {_EVENT} e
        WHERE (e.action IN (%(verify_passed)s, %(verify_failed)s) AND e.at >= %(start)s AND e.at < %(end)s
               AND e.actor_id IN ({_GRID_WORKERS}))
           OR (e.action = %(respond)s AND e.from_status = %(respond_from)s AND e.to_status = %(respond_to)s
               AND e.at >= %(responds_since)s AND e.at < %(end)s)
    ) v
    WHERE v.action <> %(respond)s
    GROUP BY v.actor_id
"""
_WITHIN = {
    "postgresql": "v.at - v.responded_at <= make_interval(hours => %(verify_hours)s)",
    "sqlite": "(julianday(v.at) - julianday(v.responded_at)) * 24 <= %(verify_hours)s",
}

_PATROLS_SQL = f"""
    SELECT p.worker_id, count(*)
    FROM {_PATROL} p
    WHERE p.started_at >= %(start)s AND p.started_at < %(end)s AND p.ended_at IS NOT NULL
          AND p.worker_id IN ({_GRID_WORKERS})
    GROUP BY p.worker_id
"""

def _satisfaction_sql(column: str) -> dict[str, str]:
    """The statements counting one rating column (the reporter's `satisfaction`, or the street's
    `callback_satisfaction`) over the rated cases closed in the half."""
    counts = f"""
        count(*) FILTER (WHERE x.{column} = %(satisfied)s),
        count(*) FILTER (WHERE x.{column} = %(basically_satisfied)s),
        count(*) FILTER (WHERE x.{column} = %(dissatisfied)s)"""

    def rated_closed(alias: str) -> str:
        return f"{alias}.closed_at >= %(start)s AND {alias}.closed_at < %(end)s AND {alias}.{column} <> ''"

    # DISTINCT: a case counts once per unit even if two of its lead tasks went to that unit
    # (returned, then dispatched to it again).
    lead_tasks = f"""
        FROM {_CASE} c
        JOIN {_TASK} t ON t.case_id = c.id AND t.role = %(lead)s AND t.status NOT IN (%(cancelled)s, %(returned)s)
        LEFT JOIN {_AGENCY} a ON a.id = t.agency_id
        WHERE {rated_closed("c")}"""
    return {
        "agency": f"""
            SELECT x.unit_id, {counts}
            FROM (SELECT DISTINCT c.id, c.{column}, t.agency_id AS unit_id {lead_tasks}
                  AND t.agency_id IS NOT NULL) x
            GROUP BY x.unit_id""",
        "department": f"""
            SELECT x.unit_id, {counts}
            FROM (SELECT DISTINCT c.id, c.{column}, COALESCE(t.department_id, a.department_id) AS unit_id
                  {lead_tasks}) x
            GROUP BY x.unit_id""",
        # Per grid, with its community and street: the streets', communities' and grid workers'
        # figures are sums of these rows, so the cases are read once for all three.
        "area": f"""
            SELECT x.street_id, x.community_id, x.grid_id, {counts}
            FROM {_CASE} x WHERE {rated_closed("x")}
            GROUP BY x.street_id, x.community_id, x.grid_id""",
    }


_SATISFACTION_SQL = {column: _satisfaction_sql(column) for column in ("satisfaction", "callback_satisfaction")}


# --- the API -------------------------------------------------------------------------------------

def rate_parts(kind: str) -> dict[str, tuple[str, str]]:
    """rate → (numerator count, denominator count) of every rate of a kind that is one count over another."""
    three = {name: THREE_RATE_PARTS[name] for name in THREE_RATES_OF.get(kind, ()) if name in THREE_RATE_PARTS}
    return {**RATES[kind], **three}


def compute(start: dt.datetime, end: dt.datetime) -> dict[str, dict[int, dict[str, int | float | None]]]:
    """Counts and rates of every unit of every kind for the half [start, end)."""
    params = _params(start, end)
    with connection.cursor() as cursor:
        units = _units(cursor, params)
        counts = {kind: {unit: dict.fromkeys(COUNTS[kind], 0) for unit in units[kind]} for kind in KINDS}
        _task_counts(cursor, params, counts, units["agency_department"])
        _meeting_counts(start, end, counts, units["agency_department"])
        _check_in_counts(start, end, counts, units["agency_department"])
        _inquiry_counts(start, end, counts, units["agency_department"])
        _case_counts(cursor, params, counts)
        _grid_worker_counts(cursor, params, counts)
    return {kind: {unit: _with_rates(kind, row) for unit, row in counts[kind].items()} for kind in KINDS}


def case_satisfaction(start: dt.datetime, end: dt.datetime, *, callbacks: bool = False,
                      ) -> dict[str, dict[int, tuple[int, int, int]]]:
    """(satisfied, basically satisfied, dissatisfied) among the rated cases closed in [start, end),
    per kind and unit; every unit appears. The rating is the reporter's own (Case.satisfaction): the
    street's call-backs (回访, Case.callback_satisfaction) are not the public's word and never count.
    Agency: a lead task of the agency on the case that was neither cancelled nor returned (an agency
    that refused a case is not rated for it); department: the lead task's department or its agency's;
    street and community: the case's; grid worker: the cases in the grids they hold a grid_worker
    membership of. `callbacks=True` counts the street's call-backs instead, the separate figure the
    results show beside the public's."""
    params = _params(start, end)
    statements = _SATISFACTION_SQL["callback_satisfaction" if callbacks else "satisfaction"]
    names = SATISFACTION_ORDER
    with connection.cursor() as cursor:
        units = _units(cursor, params)
        counts = {kind: {unit: dict.fromkeys(names, 0) for unit in units[kind]} for kind in KINDS}
        for kind in ("agency", "department"):
            for unit, *values in _fetch(cursor, statements[kind], params):
                _add(counts[kind], unit, names, values)
        workers_of_grid = defaultdict(list)
        for user_id, grid_id in _fetch(cursor, _GRID_WORKER_GRIDS, params):
            workers_of_grid[grid_id].append(user_id)
        for street_id, community_id, grid_id, *values in _fetch(cursor, statements["area"], params):
            _add(counts["street"], street_id, names, values)
            _add(counts["community"], community_id, names, values)
            for user_id in workers_of_grid[grid_id]:
                _add(counts["grid_worker"], user_id, names, values)
    return {kind: {unit: tuple(row.get(name, 0) for name in names) for unit, row in counts[kind].items()}
            for kind in KINDS}


# --- the statements ------------------------------------------------------------------------------

def _params(start: dt.datetime, end: dt.datetime) -> dict:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    if start >= end:
        raise ValueError("the half must end after it starts")
    adapt = connection.ops.adapt_datetimefield_value  # SQLite stores naive UTC text
    return {**_CONSTANTS, "start": adapt(start), "end": adapt(end), "verify_hours": VERIFY_ON_TIME_HOURS,
            "responds_since": adapt(start - dt.timedelta(hours=VERIFY_ON_TIME_HOURS))}


def _fetch(cursor, sql: str, params: dict | None = None) -> list[tuple]:
    cursor.execute(sql, params or {})
    return cursor.fetchall()


def _units(cursor, params: dict) -> dict:
    """Every unit of every kind, and each agency's department."""
    agency_department = dict(_fetch(cursor, f"SELECT id, department_id FROM {_AGENCY}"))
    return {
        "agency": list(agency_department),
        "agency_department": agency_department,
        "department": [pk for (pk,) in _fetch(cursor, f"SELECT id FROM {_DEPARTMENT}")],
        "street": [pk for (pk,) in _fetch(cursor, f"SELECT id FROM {_STREET}")],
        "community": [pk for (pk,) in _fetch(cursor, f"SELECT id FROM {_COMMUNITY}")],
        "grid_worker": [pk for (pk,) in _fetch(cursor, f"SELECT DISTINCT user_id FROM ({_GRID_WORKERS}) g",
                                               params)],
    }


def _add(counts: dict, unit: int, names: tuple[str, ...], values) -> None:
    # setdefault: a unit created while the statements ran still shows up.
    row = counts.setdefault(unit, {})
    for name, value in zip(names, values, strict=True):
        row[name] = row.get(name, 0) + value


def _task_counts(cursor, params: dict, counts: dict, agency_department: dict[int, int]) -> None:
    for agency_id, department_id, *values in _fetch(cursor, _TASKS_SQL, params):
        if agency_id is not None:
            _add(counts["agency"], agency_id, _TASK_COUNTS, values)
            department_id = agency_department.get(agency_id)
        if department_id is not None:
            _add(counts["department"], department_id, _TASK_COUNTS, values)
    for agency_id, *values in _fetch(cursor, _LETTERS_SQL, params):
        _add(counts["agency"], agency_id, ("letters", "letters_on_time"), values)
        if agency_id in agency_department:
            _add(counts["department"], agency_department[agency_id], ("letters", "letters_on_time"), values)


def _meeting_counts(start, end, counts: dict, agency_department: dict[int, int]) -> None:
    """Required invitations to the streets' held meetings, and those attended (committees)."""
    for agency_id, values in attendance_rate(start, end).items():
        _add(counts["agency"], agency_id, ("meetings_attended", "meetings_required"), values)
        if agency_id in agency_department:
            _add(counts["department"], agency_department[agency_id], ("meetings_attended", "meetings_required"),
                 values)


def _check_in_counts(start, end, counts: dict, agency_department: dict[int, int]) -> None:
    """吹哨报到: how the agencies (and departments) answered the streets' whistles (whistle/)."""
    for (kind, unit_id), figures in check_in_figures(start=start, end=end).items():
        values = [figures[name] for name in ("summoned", "on_time", "late", "missing")]
        if kind == "agency":
            _add(counts["agency"], unit_id, _CHECK_IN_COUNTS, values)
            unit_id = agency_department.get(unit_id)
        if unit_id is not None:
            _add(counts["department"], unit_id, _CHECK_IN_COUNTS, values)


def _inquiry_counts(start, end, counts: dict, agency_department: dict[int, int]) -> None:
    """质询: the supervision committees' inquiries to the streets and agencies (supervision/); a
    department sums its agencies'."""
    for (kind, unit_id), figures in inquiry_figures(start=start, end=end).items():
        values = [figures[name] for name in ("inquiries", "answered_on_time", "overdue")]
        _add(counts[kind], unit_id, _INQUIRY_COUNTS, values)
        if kind == "agency" and unit_id in agency_department:
            _add(counts["department"], agency_department[unit_id], _INQUIRY_COUNTS, values)


def _case_counts(cursor, params: dict, counts: dict) -> None:
    for street_id, community_id, *values in _fetch(cursor, _CASES_SQL, params):
        _add(counts["street"], street_id, _AREA_COUNTS, values)
        _add(counts["community"], community_id, _AREA_COUNTS, values)


def _grid_worker_counts(cursor, params: dict, counts: dict) -> None:
    workers = counts["grid_worker"]
    for user_id, *values in _fetch(cursor, _REPORTS_SQL, params):
        _add(workers, user_id, ("reported", "valid"), values)
    checks = _CHECKS_SQL.format(within=_WITHIN.get(connection.vendor, _WITHIN["postgresql"]))
    for user_id, *values in _fetch(cursor, checks, params):
        _add(workers, user_id, ("checks", "checks_on_time"), values)
    for user_id, *values in _fetch(cursor, _PATROLS_SQL, params):
        _add(workers, user_id, ("patrols",), values)


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator rounded half up to 4 decimals; None when there is nothing to divide by."""
    if not denominator:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def three_rates(*, accept_due: int, accepted_on_time: int, accepted: int, resolved: int, satisfied: int,
                basically_satisfied: int, dissatisfied: int) -> dict[str, float | None]:
    """The 12345 hotline's 三率 from counts, the one definition the assessment and the dashboard share:

        response_rate      响应率  accepted_on_time / accept_due (tasks accepted within their 签收 time)
        resolution_rate    解决率  resolved / accepted (closed, and the reporter not dissatisfied)
        satisfaction_rate  满意率  (satisfied + basically_satisfied) / all reporters' ratings
    """
    return {
        "response_rate": rate(accepted_on_time, accept_due),
        "resolution_rate": rate(resolved, accepted),
        "satisfaction_rate": rate(satisfied + basically_satisfied, satisfied + basically_satisfied + dissatisfied),
    }


def _with_rates(kind: str, row: dict) -> dict[str, int | float | None]:
    row = {name: row.get(name, 0) for name in COUNTS[kind]}
    rates = {name: rate(row[num], row[den]) for name, (num, den) in RATES[kind].items()}
    if kind in THREE_RATES_OF:
        three = three_rates(**{name: row.get(name, 0) for name in THREE_RATE_COUNTS})
        rates |= {name: three[name] for name in THREE_RATES_OF[kind]}
    return row | rates
