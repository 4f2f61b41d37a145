"""Every write of the case workflow: one function per action, keyword-only, atomic.

Each action locks the case row (SELECT … FOR UPDATE) before it reads the status, so two people
acting on one case at once are served one after the other: the second sees the first's result
and gets an ActionConflict (HTTP 409) instead of corrupting the case. Task actions lock the case
first and then the task, always in that order, so they cannot deadlock with case actions.
Every action writes exactly one CaseEvent. (A report takes its number just before its own
transaction: see `take_case_numbers`.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from agencies.models import Agency, Department
from dispatch import notices, rules, signals
from dispatch.models import (
    OPEN_STATUSES,
    TO_DO_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseStatus,
    Category,
    ExtensionStatus,
    Priority,
    Review,
    Satisfaction,
    Source,
    Task,
    TaskRole,
    TaskStatus,
    Tier,
)
from dispatch.workflow import CASES, TASKS, Action, case_next_status, task_next_status
from grids.geometry import grid_index, locate
from haidian import reform, uploads
from haidian.calendar import TimeUnit, add_working_time, working_time_between
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.workflow import PUBLIC, is_system, require_actor, unique_or_conflict, user_or_none
from notifications.services import Note, notify
from people.selectors import command_ids, handler_ids, street_staff_ids

# --- helpers -------------------------------------------------------------------------------------

def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _lock_case(case: Case) -> Case:
    # Lock the case row only (of=self): FOR UPDATE cannot lock the nullable side of the category join,
    # and locking the street row too would make every action in the street wait for every other.
    return CASES.lock(case)


def _lock_task(task: Task) -> tuple[Case, Task]:
    case = _lock_case(task.case)
    return case, TASKS.lock(task)


def _event(*, case: Case, action: str, actor, unit: str, at: dt.datetime, from_status: str, to_status: str,
           note: str = "", data: dict | None = None, task: Task | None = None) -> CaseEvent:
    event = CASES.record(case, action, actor=actor, at=at, unit=unit, from_status=from_status,
                         to_status=to_status, note=note, data=data, task=task)
    signals.case_event_recorded.send(sender=CaseEvent, event=event)
    return event


def _tell(case: Case, user_ids: list[int], *, key: str, kind: str, heading: Promise, body: Promise | str = "",
          now: dt.datetime, **values) -> None:
    """One notification about `case` to these people, in Chinese: `heading` (and `body`, when it is a
    translatable template rather than someone's words, which go as written) filled with the case's
    number and `values`; opening it leads to the case."""
    with override("zh-hans"):
        values = {"number": case.number, **values}
        text = str(heading) % values
        body = str(body) % values if isinstance(body, Promise) else body
    notify([Note(user_ids, key, kind, text, body, case_number=case.number, link=notices.case_link(case.number))], now)


def _save_case(case: Case, *fields: str) -> None:
    case.save(update_fields=[*fields, "updated_at"])


def take_case_numbers(day: dt.date, count: int = 1) -> int:
    """Reserve the next `count` sequence numbers of `day`; returns the last one.

    One upsert under the sequence row's lock, so numbers are unique and consecutive however many
    people report at once. Inside a transaction (seed_scale, imports) the lock lasts to its end.
    A report calls it before opening its own transaction, so the statement commits by itself and
    reports do not queue on the lock through each other's whole transaction: intake rose from
    about 390 to 460 reports/s in bench/. A report that fails after taking its number (a database
    error) leaves that number unused.
    """
    table = CaseNumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + EXCLUDED.last RETURNING last",
            [day, count],
        )
        return cursor.fetchone()[0]


def _next_number(now: dt.datetime) -> str:
    """HD + local date + a 6-digit sequence of the day."""
    day = timezone.localtime(now).date()
    return f"HD{day:%Y%m%d}{take_case_numbers(day):06d}"


def due_time(category: Category, start: dt.datetime, priority: str = Priority.NORMAL) -> dt.datetime:
    """问题分级处置: the category's limit from `start`; an urgent case has PRIORITY_URGENT_SHARE of it (in
    the same unit, so across the working calendar), a critical one PRIORITY_CRITICAL_HOURS calendar
    hours, day or night."""
    if priority == Priority.CRITICAL:
        return add_working_time(start, settings.PRIORITY_CRITICAL_HOURS, TimeUnit.CALENDAR_HOURS)
    limit = float(category.time_limit)
    if priority == Priority.URGENT:
        limit *= settings.PRIORITY_URGENT_SHARE
    return add_working_time(start, limit, category.time_limit_unit)


def accept_due_time(category: Category, start: dt.datetime, due: dt.datetime) -> dt.datetime:
    """签收: the category's time to accept, in working hours, never later than the task's own due time."""
    return min(add_working_time(start, float(category.accept_limit_hours), TimeUnit.WORKING_HOURS), due)


def warn_time(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    """The yellow-card moment: YELLOW_CARD_SHARE (75 %) of the working time between `start` and `due` used."""
    hours = working_time_between(start, due, TimeUnit.WORKING_HOURS)
    if hours <= 0:
        return due
    return add_working_time(start, hours * reform.YELLOW_CARD_SHARE, TimeUnit.WORKING_HOURS)


# --- collect -------------------------------------------------------------------------------------

def case_create(*, actor, title: str, lat: float, lng: float, source: str, description: str = "",
                address: str = "", reporter_name: str = "", reporter_phone: str = "", reporter_email: str = "",
                category: Category | None = None, external_id: str | None = None,
                now: dt.datetime | None = None, photo=None) -> Case:
    """信息采集: a new reported case, located in its grid from the point.

    `actor=PUBLIC` is a member of the public without an account (the public pages, Open311), SYSTEM an
    import (12345 work orders). `photo` is the reporter's picture of the problem, stored as the case's
    first "before" attachment in the same transaction: the way such a reporter adds one, as
    `case_attach` needs someone working on the case. A work order reported twice at once (the same
    source and external number) is a 409 for the second, by the unique constraint."""
    require_actor(actor)
    now = _now(now)
    if photo is not None:
        photo_type = uploads.check_photo(photo)  # before a number is taken for a report that cannot be stored
    if source not in Source.values:
        raise InvalidInput({"source": _("Unknown source.")})
    located = locate(lat, lng)
    if located is None:
        raise InvalidInput({"lat": _("The point (%(lat)s, %(lng)s) lies outside every grid of the district.")
                            % {"lat": lat, "lng": lng}})
    grid = grid_index.cell(located.id)
    if category is not None and not category.is_leaf:
        raise InvalidInput({"category": _("Choose a category, not a work area.")})
    duplicate = _("Work order %(id)s from this source has already been reported.") % {"id": external_id}
    if external_id and Case.objects.filter(source=source, external_id=external_id).exists():
        raise ActionConflict(duplicate)
    number = _next_number(now)  # before the transaction: see take_case_numbers
    with transaction.atomic():
        with unique_or_conflict(duplicate, "case_external_id_unique"):
            case = Case.objects.create(
                number=number, title=title, description=description, category=category, lat=lat, lng=lng,
                address=address, grid=grid, community=grid.community, street=grid.community.street,
                source=source, external_id=external_id, reporter_name=reporter_name,
                reporter_phone=reporter_phone, reporter_email=reporter_email, reported_by=user_or_none(actor),
                created_at=now,
            )
        _event(case=case, action=Action.CREATE, actor=actor, unit="", at=now, from_status="",
               to_status=CaseStatus.REPORTED, data={"source": source, "grid": grid.code})
        if photo is not None:
            _store_attachment(case=case, task=None, actor=actor, unit="", upload=photo,
                              kind=Attachment.Kind.BEFORE, content_type=photo_type, now=now)
    return case


# --- file / reject / micro-cycle -------------------------------------------------------------

@transaction.atomic
def case_file(*, case: Case, actor, category: Category, priority: str = Priority.NORMAL,
              now: dt.datetime | None = None) -> Case:
    """案卷建立: street staff accept the report as a case with a category and priority."""
    now = _now(now)
    case = _lock_case(case)
    unit = rules.require(actor, Action.FILE, case)
    to_status = case_next_status(Action.FILE, case.status)
    if priority not in Priority.values:
        raise InvalidInput({"priority": _("Unknown priority.")})
    if not category.is_leaf:
        raise InvalidInput({"category": _("Choose a category, not a work area.")})
    from_status = case.status
    case.status, case.category, case.priority, case.filed_at = to_status, category, priority, now
    _save_case(case, "status", "category", "priority", "filed_at")
    _event(case=case, action=Action.FILE, actor=actor, unit=unit, at=now, from_status=from_status,
           to_status=to_status, data={"category": category.code, "priority": priority})
    mark_strongly_reflected(case, now)
    if priority != Priority.NORMAL:
        _tell_priority(case, now)
    return case


def _tell_priority(case: Case, now: dt.datetime) -> None:
    """An urgent or critical case is news for the street's staff and the command center at once."""
    with override("zh-hans"):
        priority = str(case.get_priority_display())
    _tell(case, street_staff_ids(case.street_id) + command_ids(case.street.district_id),
          key=f"priority:{case.pk}:{case.priority}", kind=notices.WorkflowNoticeKind.PRIORITY, now=now,
          heading=gettext_lazy("%(priority)s case %(number)s: %(title)s"),
          body=gettext_lazy("%(category)s at %(address)s. Reported at %(at)s."),
          priority=priority, title=case.title, category=case.category, address=case.address or case.grid.name,
          at=timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M"))


@transaction.atomic
def case_reject(*, case: Case, actor, reason: str, duplicate_of: Case | None = None,
                now: dt.datetime | None = None) -> Case:
    """Not a case for us, or a duplicate of another one."""
    now = _now(now)
    case = _lock_case(case)
    unit = rules.require(actor, Action.REJECT, case)
    to_status = case_next_status(Action.REJECT, case.status)
    if duplicate_of is not None and duplicate_of.pk == case.pk:
        raise InvalidInput({"duplicate_of": _("A case cannot duplicate itself.")})
    from_status = case.status
    case.status, case.duplicate_of, case.rejected_at = to_status, duplicate_of, now
    _save_case(case, "status", "duplicate_of", "rejected_at")
    _event(case=case, action=Action.REJECT, actor=actor, unit=unit, at=now, from_status=from_status,
           to_status=to_status, note=reason,
           data={"duplicate_of": duplicate_of.number} if duplicate_of else {})
    if duplicate_of is not None:
        mark_strongly_reflected(duplicate_of, now)
    return case


def mark_strongly_reflected(case: Case, now: dt.datetime) -> int:
    """群众反映强烈: flag the open cases of a cluster once it reaches STRONGLY_REFLECTED_REPORTS:
    reports of the case's category in its grid within STRONGLY_REFLECTED_DAYS (an invalid report,
    rejected without being a duplicate, does not count), or the case and the duplicates merged onto
    it. The street's workbench then suggests a deadline letter. Returns how many were newly flagged.

    Rows another transaction holds are skipped rather than waited for (two filings in one cluster
    must not deadlock); that transaction runs this check itself, over the same cluster."""
    enough = settings.STRONGLY_REFLECTED_REPORTS
    cluster = Case.objects.none()
    if case.category_id:
        window = Case.objects.filter(grid_id=case.grid_id, category_id=case.category_id,
                                     created_at__gt=now - dt.timedelta(days=settings.STRONGLY_REFLECTED_DAYS)
                                     ).exclude(status=CaseStatus.REJECTED, duplicate_of=None)
        if window.count() >= enough:
            cluster = window
    if Case.objects.filter(duplicate_of=case).count() + 1 >= enough:
        cluster = cluster | Case.objects.filter(pk=case.pk)
    ids = list(cluster.filter(status__in=OPEN_STATUSES, strongly_reflected_at=None)
               .select_for_update(skip_locked=True).order_by("id").values_list("id", flat=True))
    if case.pk in ids:
        case.strongly_reflected_at = now
    return Case.objects.filter(pk__in=ids).update(strongly_reflected_at=now) if ids else 0


@transaction.atomic
def case_resolve_on_site(*, case: Case, actor, note: str, now: dt.datetime | None = None) -> Case:
    """微循环: the grid worker fixed it on the spot; the case closes at grid tier."""
    now = _now(now)
    case = _lock_case(case)
    unit = rules.require(actor, Action.RESOLVE_ON_SITE, case)
    to_status = case_next_status(Action.RESOLVE_ON_SITE, case.status)
    from_status = case.status
    case.status, case.tier, case.closed_at = to_status, Tier.GRID, now
    _save_case(case, "status", "tier", "closed_at")
    _event(case=case, action=Action.RESOLVE_ON_SITE, actor=actor, unit=unit, at=now, from_status=from_status,
           to_status=to_status, note=note)
    signals.case_closed.send(sender=Case, case=case, now=now)
    return case


# --- dispatch / escalate -------------------------------------------------------------------------

def _assignees(case: Case, codes: list[str], field: str) -> list[Agency | Department]:
    """Agencies covering the case's street (street tier) or departments of its district (district tier)."""
    if case.tier == Tier.DISTRICT:
        found = {d.code: d for d in Department.objects.filter(code__in=codes, district_id=case.street.district_id)}
        message = _("%(code)s is not a department of this district.")
    else:
        found = {a.code: a for a in Agency.objects.filter(code__in=codes, streets=case.street_id)}
        message = _("%(code)s is not an agency serving this street.")
    missing = [code for code in codes if code not in found]
    if missing:
        raise InvalidInput({field: [message % {"code": code} for code in missing]})
    return [found[code] for code in codes]


@transaction.atomic
def case_dispatch(*, case: Case, actor, lead: str, cooperating: Iterable[str] = (),
                  due_at: dt.datetime | None = None, now: dt.datetime | None = None) -> Case:
    """任务派遣: one lead agency (or department) and optional co-operating ones."""
    now = _now(now)
    case = _lock_case(case)
    unit = rules.require(actor, Action.DISPATCH, case)
    to_status = case_next_status(Action.DISPATCH, case.status)
    cooperating = [code for code in dict.fromkeys(cooperating) if code != lead]
    lead_unit = _assignees(case, [lead], "lead")[0]
    helpers = _assignees(case, cooperating, "cooperating")
    if due_at is None:
        due_at = due_time(case.category, now, case.priority)
    elif due_at <= now:
        raise InvalidInput({"due_at": _("The due time must be in the future.")})
    field = "department" if case.tier == Tier.DISTRICT else "agency"
    warn_at, accept_due_at = warn_time(now, due_at), accept_due_time(case.category, now, due_at)
    Task.objects.bulk_create(
        [Task(case=case, role=TaskRole.LEAD, due_at=due_at, warn_at=warn_at, accept_due_at=accept_due_at,
              created_at=now, **{field: lead_unit})]
        + [Task(case=case, role=TaskRole.COOPERATING, due_at=due_at, warn_at=warn_at, accept_due_at=accept_due_at,
                created_at=now, **{field: helper}) for helper in helpers]
    )
    from_status = case.status
    # `overdue` is about the live task, which is new; `ever_overdue` stays as it was: lateness is a fact.
    case.status, case.dispatched_at, case.overdue = to_status, now, False
    _save_case(case, "status", "dispatched_at", "overdue")
    _event(case=case, action=Action.DISPATCH, actor=actor, unit=unit, at=now, from_status=from_status,
           to_status=to_status, data={"lead": lead, "cooperating": cooperating, "due_at": due_at.isoformat()})
    return case


def _cancel_open_tasks(case: Case) -> int:
    """Tasks still to do end when the case leaves them behind (a return waiting for review with them);
    responses stay on record."""
    return Task.objects.filter(case=case, status__in=TO_DO_STATUSES).update(status=TaskStatus.CANCELLED)


@transaction.atomic
def case_escalate(*, case: Case, actor, reason: str, now: dt.datetime | None = None) -> Case:
    """小循环 → 大循环: the street hands the case to the district command center.

    `actor=SYSTEM` is the deadline sweep escalating an overdue case.
    """
    now = _now(now)
    case = _lock_case(case)
    unit = "system" if is_system(actor) else rules.require(actor, Action.ESCALATE, case)
    if case.tier != Tier.STREET:
        raise ActionConflict(_("Only a street-tier case can be escalated to the district."))
    to_status = case_next_status(Action.ESCALATE, case.status)
    from_status = case.status
    case.status, case.tier, case.escalated_at = to_status, Tier.DISTRICT, now
    _save_case(case, "status", "tier", "escalated_at")
    # After the case row: the dashboard's roll-up reads the escalation time when a task is cancelled.
    cancelled = _cancel_open_tasks(case)
    _event(case=case, action=Action.ESCALATE, actor=actor, unit=unit, at=now, from_status=from_status,
           to_status=to_status, note=reason, data={"cancelled_tasks": cancelled})
    return case


@transaction.atomic
def case_send_down(*, case: Case, actor, note: str, now: dt.datetime | None = None) -> Case:
    """大循环 → 小循环: the command center sends a district-tier case back to its street, to be filed
    and dispatched there (the street is told why). Its lateness stays on record."""
    now = _now(now)
    case = _lock_case(case)
    unit = rules.require(actor, Action.SEND_DOWN, case)
    if case.tier != Tier.DISTRICT:
        raise ActionConflict(_("Only a district-tier case can be sent down to its street."))
    to_status = case_next_status(Action.SEND_DOWN, case.status)
    from_status = case.status
    case.status, case.tier, case.overdue = to_status, Tier.STREET, False
    _save_case(case, "status", "tier", "overdue")
    cancelled = _cancel_open_tasks(case)
    _event(case=case, action=Action.SEND_DOWN, actor=actor, unit=unit, at=now, from_status=from_status,
           to_status=to_status, note=note, data={"cancelled_tasks": cancelled})
    _tell(case, street_staff_ids(case.street_id), key=f"sent_down:{case.pk}:{now.timestamp():.0f}",
          kind=notices.WorkflowNoticeKind.SENT_DOWN, body=note, now=now,
          heading=gettext_lazy("Case %(number)s was sent down to the street"))
    return case


@transaction.atomic
def case_acknowledge_alarm(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    """A critical case's alarm rings on the dashboard until someone in charge has seen it."""
    now = _now(now)
    case = _lock_case(case)
    unit = rules.require(actor, Action.ACKNOWLEDGE_ALARM, case)
    case_next_status(Action.ACKNOWLEDGE_ALARM, case.status)
    if case.priority != Priority.CRITICAL:
        raise ActionConflict(_("Only a critical case raises an alarm."))
    if case.alarm_acknowledged_at is not None:
        raise ActionConflict(_("The alarm has already been acknowledged."))
    case.alarm_acknowledged_at = now
    _save_case(case, "alarm_acknowledged_at")
    _event(case=case, action=Action.ACKNOWLEDGE_ALARM, actor=actor, unit=unit, at=now, from_status=case.status,
           to_status=case.status)
    return case


# --- handle / feedback ---------------------------------------------------------------------------

def _task_event(*, case: Case, task: Task, action: str, actor, unit: str, now, from_status: str, note="", data=None):
    _event(case=case, task=task, action=action, actor=actor, unit=unit, at=now, from_status=from_status,
           to_status=case.status, note=note, data={"task": task.pk, "task_status": task.status, **(data or {})})


@transaction.atomic
def task_accept(*, task: Task, actor, now: dt.datetime | None = None) -> Task:
    """签收: timed against the task's accept-by time (the response rate, 响应率)."""
    now = _now(now)
    case, task = _lock_task(task)
    unit = rules.require(actor, Action.ACCEPT, case, task)
    task.status, task.accepted_at = task_next_status(Action.ACCEPT, task.status), now
    task.accepted_late = task.accept_due_at is not None and now > task.accept_due_at
    task.save(update_fields=["status", "accepted_at", "accepted_late"])
    _task_event(case=case, task=task, action=Action.ACCEPT, actor=actor, unit=unit, now=now, from_status=case.status,
                data={"late": task.accepted_late})
    return task


@transaction.atomic
def task_return(*, task: Task, actor, reason: str, now: dt.datetime | None = None) -> Task:
    """退单: the agency asks to give the task back, with its reason. Nothing moves until the dispatcher
    of the case's tier approves or refuses; the task's clock keeps running meanwhile, and the request
    counts in the agency's indicators either way."""
    now = _now(now)
    case, task = _lock_task(task)
    unit = rules.require(actor, Action.RETURN, case, task)
    if not reason.strip():
        raise InvalidInput({"reason": _("Say why the task should go to someone else.")})
    previous = task.status
    task.status = task_next_status(Action.RETURN, task.status)
    task.status_before_return, task.return_reason = previous, reason
    task.return_requests += 1  # under the task's row lock
    task.save(update_fields=["status", "status_before_return", "return_reason", "return_requests"])
    case.return_count += 1  # under the case's row lock
    _save_case(case, "return_count")
    _task_event(case=case, task=task, action=Action.RETURN, actor=actor, unit=unit, now=now,
                from_status=case.status, note=reason, data={"return_requests": task.return_requests})
    dispatchers = (command_ids(case.street.district_id) if case.tier == Tier.DISTRICT
                   else street_staff_ids(case.street_id))
    _tell(case, dispatchers, key=f"return:{task.pk}:{task.return_requests}",
          kind=notices.WorkflowNoticeKind.RETURN_REQUESTED, body=reason, now=now, unit=task.assignee,
          heading=gettext_lazy("%(unit)s asks to return case %(number)s"))
    return task


@transaction.atomic
def task_approve_return(*, task: Task, actor, note: str = "", now: dt.datetime | None = None) -> Task:
    """退单审核, approved: the task is returned; a returned lead task sends the case back to `filed`
    for another unit."""
    now = _now(now)
    case, task = _lock_task(task)
    unit = rules.require(actor, Action.APPROVE_RETURN, case, task)
    task.status = task_next_status(Action.APPROVE_RETURN, task.status)
    task.save(update_fields=["status"])
    from_status = case.status
    if task.role == TaskRole.LEAD:
        case.status = case_next_status(Action.APPROVE_RETURN, case.status)
        case.overdue = False  # the live task is gone; whether it was late stays in ever_overdue
        _cancel_open_tasks(case)
        _save_case(case, "status", "overdue")
    _task_event(case=case, task=task, action=Action.APPROVE_RETURN, actor=actor, unit=unit, now=now,
                from_status=from_status, note=note)
    _tell_return_decision(case, task, approved=True, note=note, now=now)
    return task


@transaction.atomic
def task_refuse_return(*, task: Task, actor, reason: str, now: dt.datetime | None = None) -> Task:
    """退单审核, refused: the task stays with the agency, back in the status it had (服从街、镇的工作安排)."""
    now = _now(now)
    case, task = _lock_task(task)
    unit = rules.require(actor, Action.REFUSE_RETURN, case, task)
    task_next_status(Action.REFUSE_RETURN, task.status)
    if not reason.strip():
        raise InvalidInput({"reason": _("Say why the task stays with this unit.")})
    task.status = task.status_before_return or TaskStatus.PENDING
    task.save(update_fields=["status"])
    _task_event(case=case, task=task, action=Action.REFUSE_RETURN, actor=actor, unit=unit, now=now,
                from_status=case.status, note=reason)
    _tell_return_decision(case, task, approved=False, note=reason, now=now)
    return task


def _tell_return_decision(case: Case, task: Task, *, approved: bool, note: str, now: dt.datetime) -> None:
    title = (gettext_lazy("Your return of case %(number)s was approved") if approved
             else gettext_lazy("Your return of case %(number)s was refused: the task stays with you"))
    _tell(case, handler_ids(agency_id=task.agency_id, department_id=task.department_id),
          key=f"return-decided:{task.pk}:{task.return_requests}", kind=notices.WorkflowNoticeKind.RETURN_DECIDED,
          heading=title, body=note, now=now)


@transaction.atomic
def task_request_extension(*, task: Task, actor, until: dt.datetime, reason: str,
                           now: dt.datetime | None = None) -> Task:
    now = _now(now)
    case, task = _lock_task(task)
    unit = rules.require(actor, Action.REQUEST_EXTENSION, case, task)
    task_next_status(Action.REQUEST_EXTENSION, task.status)
    if task.extension_status == ExtensionStatus.REQUESTED:
        raise ActionConflict(_("An extension request is already waiting for approval."))
    if until <= task.due_at:
        raise InvalidInput({"until": _("The new due time must be later than the current one.")})
    task.extension_status, task.extension_until, task.extension_reason = ExtensionStatus.REQUESTED, until, reason
    task.save(update_fields=["extension_status", "extension_until", "extension_reason"])
    _task_event(case=case, task=task, action=Action.REQUEST_EXTENSION, actor=actor, unit=unit, now=now,
                from_status=case.status, note=reason, data={"until": until.isoformat()})
    return task


@transaction.atomic
def task_approve_extension(*, task: Task, actor, now: dt.datetime | None = None) -> Task:
    now = _now(now)
    case, task = _lock_task(task)
    unit = rules.require(actor, Action.APPROVE_EXTENSION, case, task)
    task_next_status(Action.APPROVE_EXTENSION, task.status)
    if task.extension_status != ExtensionStatus.REQUESTED:
        raise ActionConflict(_("No extension request is waiting for approval."))
    previous = task.due_at
    task.extension_status, task.due_at = ExtensionStatus.APPROVED, task.extension_until
    task.warn_at = warn_time(task.created_at, task.due_at)
    task.save(update_fields=["extension_status", "due_at", "warn_at"])
    _task_event(case=case, task=task, action=Action.APPROVE_EXTENSION, actor=actor, unit=unit, now=now,
                from_status=case.status, data={"from": previous.isoformat(), "until": task.due_at.isoformat()})
    return task


@transaction.atomic
def task_respond(*, task: Task, actor, result: str, now: dt.datetime | None = None) -> Task:
    """处理反馈: the case becomes `responded` when its lead task has responded. Answering a task nobody
    accepted accepts it, late; answering after the due time makes the task (and a lead task's case)
    late for ever, whether or not the sweep got there first."""
    now = _now(now)
    case, task = _lock_task(task)
    unit = rules.require(actor, Action.RESPOND, case, task)
    fields = ["status", "responded_at", "result"]
    if task.accepted_at is None:
        task.accepted_at, task.accepted_late = now, True
        fields += ["accepted_at", "accepted_late"]
    if now > task.due_at and not task.ever_overdue:
        task.ever_overdue = True
        fields.append("ever_overdue")
    task.status, task.responded_at, task.result = task_next_status(Action.RESPOND, task.status), now, result
    task.save(update_fields=fields)
    from_status = case.status
    if task.role == TaskRole.LEAD:
        case.status, case.responded_at = case_next_status(Action.RESPOND, case.status), now
        case.ever_overdue = case.ever_overdue or task.ever_overdue
        _save_case(case, "status", "responded_at", "ever_overdue")
    _task_event(case=case, task=task, action=Action.RESPOND, actor=actor, unit=unit, now=now,
                from_status=from_status, note=result)
    if task.role == TaskRole.LEAD and case.tier == Tier.STREET:
        _tell(case, street_staff_ids(case.street_id), key=f"answered:{task.pk}:{now.timestamp():.0f}",
              kind=notices.WorkflowNoticeKind.ANSWERED, body=result, now=now, unit=task.assignee,
              heading=gettext_lazy("%(unit)s answered case %(number)s: to verify"))
    return task


# --- verify / evaluate ---------------------------------------------------------------------------

@transaction.atomic
def case_verify(*, case: Case, actor, passed: bool, note: str = "", now: dt.datetime | None = None) -> Case:
    """核查结案: pass closes the case; fail reopens the lead task for rework (rework count + 1)."""
    now = _now(now)
    case = _lock_case(case)
    action = Action.VERIFY_PASSED if passed else Action.VERIFY_FAILED
    unit = rules.require(actor, action, case)
    to_status = case_next_status(action, case.status)
    from_status = case.status
    data = {}
    if passed:
        # Co-operating tasks nobody answered end with the case, so they cannot go overdue later.
        data = {"cancelled_tasks": _cancel_open_tasks(case)}
        case.status, case.closed_at = to_status, now
        if not case.public_result:  # what the public is told, unless the street has written it already
            lead = Task.objects.filter(case=case, role=TaskRole.LEAD, status=TaskStatus.RESPONDED).first()
            case.public_result = lead.result if lead else note
        _save_case(case, "status", "closed_at", "public_result")
    else:
        lead = _reopen_lead(case, now)
        # The case row is locked: a plain increment cannot lose a concurrent one.
        case.status, case.rework_count, case.responded_at = to_status, case.rework_count + 1, None
        _save_case(case, "status", "rework_count", "responded_at")
        data = {"task": lead.pk, "rework_count": case.rework_count, "due_at": lead.due_at.isoformat()}
    _event(case=case, action=action, actor=actor, unit=unit, at=now, from_status=from_status, to_status=to_status,
           note=note, data=data)
    if case.status == CaseStatus.CLOSED:
        signals.case_closed.send(sender=Case, case=case, now=now)
    return case


def _reopen_lead(case: Case, now: dt.datetime) -> Task | None:
    """The answered lead task back in the agency's hands with a new due time (rework, or 不满意重办)."""
    lead = (Task.objects.select_for_update()
            .filter(case=case, role=TaskRole.LEAD, status=TaskStatus.RESPONDED).order_by("-id").first())
    if lead is None:
        return None
    lead.status = TaskStatus.ACCEPTED
    lead.due_at = due_time(case.category, now, case.priority)
    lead.warn_at = warn_time(now, lead.due_at)
    lead.responded_at = None  # to be answered again: the first answer did not solve it
    lead.save(update_fields=["status", "due_at", "warn_at", "responded_at"])
    return lead


# The actor's unit on the event of a rating given through the reporter's link (no account).
RATING_LINK_UNIT = "公众评价"


@transaction.atomic
def case_rate(*, case: Case, actor, satisfaction: str, comment: str = "", invitation=None,
              now: dt.datetime | None = None) -> Case:
    """考核评价: the reporter's own satisfaction, or, from the street's staff, a call-back (回访),
    kept apart from it: only the reporter's rating counts as the public's.

    `invitation` is the reporter's rating link (assessment.RatingInvitation), which stands for the
    reporter instead of a signed-in person (pass `actor=PUBLIC`): the caller locks its row before
    calling and marks it used in the same transaction (dispatch does not import assessment).
    A reporter's "dissatisfied" puts the case on the street's queue 不满意待复核."""
    now = _now(now)
    case = _lock_case(case)
    if invitation is not None:
        if invitation.case_id != case.pk:
            raise ActionForbidden(_("This rating link belongs to another case."))
        if invitation.used_at is not None:
            raise ActionConflict(_("This case has already been rated."))
        actor, unit = PUBLIC, RATING_LINK_UNIT
    elif rules.acting_unit(actor, Action.RATE, case) == "reporter":
        unit = "reporter"
    else:
        return _callback(case=case, actor=actor, satisfaction=satisfaction, note=comment, now=now)
    to_status = case_next_status(Action.RATE, case.status)
    if case.satisfaction:
        raise ActionConflict(_("This case has already been rated."))
    if satisfaction not in Satisfaction.values:
        raise InvalidInput({"satisfaction": _("Unknown satisfaction value.")})
    case.satisfaction, case.satisfaction_comment, case.rated_at = satisfaction, comment, now
    fields = ["satisfaction", "satisfaction_comment", "rated_at"]
    if satisfaction == Satisfaction.DISSATISFIED:
        case.review = Review.PENDING
        fields.append("review")
    _save_case(case, *fields)
    data = {"satisfaction": satisfaction}
    if invitation is not None:
        data["via"] = "rating_link"
    _event(case=case, action=Action.RATE, actor=actor, unit=unit, at=now, from_status=to_status, to_status=to_status,
           note=comment, data=data)
    if satisfaction == Satisfaction.DISSATISFIED:
        _tell(case, street_staff_ids(case.street_id), key=f"dissatisfied:{case.pk}:{case.reopen_count}",
              kind=notices.WorkflowNoticeKind.DISSATISFIED,
              heading=gettext_lazy("The reporter of case %(number)s is dissatisfied: reopen or explain"),
              body=comment, now=now)
    return case


def _callback(*, case: Case, actor, satisfaction: str, note: str, now: dt.datetime) -> Case:
    """回访: what the street's staff heard when they called the reporter back (the case row is locked)."""
    unit = rules.require(actor, Action.CALLBACK, case)
    to_status = case_next_status(Action.CALLBACK, case.status)
    if case.callback_satisfaction:
        raise ActionConflict(_("A call-back has already been recorded for this case."))
    if satisfaction not in Satisfaction.values:
        raise InvalidInput({"satisfaction": _("Unknown satisfaction value.")})
    case.callback_satisfaction, case.callback_note, case.callback_at = satisfaction, note, now
    _save_case(case, "callback_satisfaction", "callback_note", "callback_at")
    _event(case=case, action=Action.CALLBACK, actor=actor, unit=unit, at=now, from_status=to_status,
           to_status=to_status, note=note, data={"satisfaction": satisfaction})
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor, note: str = "", now: dt.datetime | None = None) -> Case:
    """不满意重办: the street takes the reporter's "dissatisfied" as a reason to handle the case again.
    The lead task reopens with a new due time (a case closed on the spot goes back to `filed`); the
    reporter may rate again once it closes."""
    now = _now(now)
    case = _lock_case(case)
    unit = rules.require(actor, Action.REOPEN, case)
    to_status = case_next_status(Action.REOPEN, case.status)
    if case.review != Review.PENDING:
        raise ActionConflict(_("Only a case its reporter rated dissatisfied can be reopened."))
    lead = _reopen_lead(case, now)
    if lead is None:
        to_status = CaseStatus.FILED
        case.tier = Tier.STREET
    from_status = case.status
    case.status, case.review, case.reopen_count = to_status, Review.REOPENED, case.reopen_count + 1
    case.closed_at = case.responded_at = None
    case.satisfaction, case.satisfaction_comment, case.rated_at = "", "", None  # the next rating is a new one
    _save_case(case, "status", "tier", "review", "reopen_count", "closed_at", "responded_at", "satisfaction",
               "satisfaction_comment", "rated_at")
    _event(case=case, action=Action.REOPEN, actor=actor, unit=unit, at=now, from_status=from_status,
           to_status=to_status, note=note,
           data={"reopen_count": case.reopen_count, **({"task": lead.pk, "due_at": lead.due_at.isoformat()}
                                                       if lead else {})})
    return case


@transaction.atomic
def case_explain(*, case: Case, actor, note: str, now: dt.datetime | None = None) -> Case:
    """The street's answer to a "dissatisfied" it does not reopen: sent to the reporter, shown on the
    follow page."""
    now = _now(now)
    case = _lock_case(case)
    unit = rules.require(actor, Action.EXPLAIN, case)
    to_status = case_next_status(Action.EXPLAIN, case.status)
    if case.review != Review.PENDING:
        raise ActionConflict(_("Only a case its reporter rated dissatisfied needs an explanation."))
    if not note.strip():
        raise InvalidInput({"note": _("Write the explanation the reporter will read.")})
    case.review = Review.EXPLAINED
    _save_case(case, "review")
    _event(case=case, action=Action.EXPLAIN, actor=actor, unit=unit, at=now, from_status=to_status,
           to_status=to_status, note=note)
    return case


@transaction.atomic
def case_set_public_result(*, case: Case, actor, text: str, now: dt.datetime | None = None) -> Case:
    """What the reporter and the follow page are told of the outcome, in the street's words."""
    now = _now(now)
    case = _lock_case(case)
    unit = rules.require(actor, Action.PUBLIC_RESULT, case)
    to_status = case_next_status(Action.PUBLIC_RESULT, case.status)
    if not text.strip():
        raise InvalidInput({"text": _("Write the result the public will read.")})
    case.public_result = text
    _save_case(case, "public_result")
    _event(case=case, action=Action.PUBLIC_RESULT, actor=actor, unit=unit, at=now, from_status=to_status,
           to_status=to_status, note=text)
    return case


def case_record_letter_feedback(*, cases: Iterable[Case], actor, unit: str, letter_number: str, note: str,
                                now: dt.datetime) -> None:
    """A deadline letter's feedback on the timeline of each of its cases (and so to each reporter).
    Called inside the letter's transaction; no case changes state."""
    for case in cases:
        _event(case=case, action=Action.LETTER_FEEDBACK, actor=actor, unit=unit, at=now, from_status=case.status,
               to_status=case.status, note=note, data={"letter": letter_number})


# --- attachments ---------------------------------------------------------------------------------

@transaction.atomic
def case_attach(*, case: Case, actor, upload, kind: str, task_id: int | None = None,
                now: dt.datetime | None = None) -> Attachment:
    """A photo (before/after) or document on a case or on one of its task responses."""
    now = _now(now)
    case = _lock_case(case)
    task = None
    if task_id is not None:
        task = Task.objects.filter(case=case, pk=task_id).first()
        if task is None:
            raise InvalidInput({"task": _("This case has no such task.")})
    unit = rules.require(actor, Action.ATTACH, case, task)
    case_next_status(Action.ATTACH, case.status)
    if kind not in Attachment.Kind.values:
        raise InvalidInput({"kind": _("Unknown attachment kind.")})
    return _store_attachment(case=case, task=task, actor=actor, unit=unit, upload=upload, kind=kind,
                             content_type=uploads.check_file(upload), now=now)


def _store_attachment(*, case: Case, task: Task | None, actor, unit: str, upload, kind: str, content_type: str,
                      now: dt.datetime) -> Attachment:
    attachment = Attachment(case=case, task=task, kind=kind, content_type=content_type, size=upload.size,
                            uploaded_by=user_or_none(actor))
    attachment.file.save(uploads.stored_name(content_type), upload, save=False)
    if content_type.startswith("image/"):
        # Closed again at once: a worker that kept every stored photo open would run out of files.
        with attachment.file.open("rb") as stored:
            made = uploads.thumbnail(stored)
        attachment.thumbnail.save(uploads.stored_name("image/jpeg"), made, save=False)
    attachment.save()
    _event(case=case, task=task, action=Action.ATTACH, actor=actor, unit=unit, at=now, from_status=case.status,
           to_status=case.status, data={"attachment": attachment.pk, "kind": kind, "content_type": content_type})
    return attachment
