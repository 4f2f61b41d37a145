"""The deadline sweep (DESIGN §5): yellow and red cards, overdue flags, escalation to the district.

Run by Celery beat every DEADLINE_SWEEP_MINUTES and by `manage.py sweep_deadlines [--now]`: the
same function. It asks only "what is due by now?", so a sweep that missed hours (broker down)
catches up on its next run.

Exactly once, by construction rather than by hope:
- a card is a row unique per (task, kind, deadline) and a notification a row unique per
  (person, key); both are inserted with ON CONFLICT DO NOTHING, so a second sweep, or two at once,
  write nothing new;
- an escalation is a state change made under the case's row lock by `case_escalate`; a second
  attempt finds the case already at district tier and does nothing;
- every batch is its own transaction, so a sweep killed halfway leaves whole batches behind and
  the next run does the rest;
- emails are sent from notification rows claimed one by one (pending → sending → sent,
  `notifications.services.send_pending_emails`), so a retried or concurrent sender never sends one twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from agencies.models import Agency, Department
from dispatch import services
from dispatch.letters import services as letters
from dispatch.models import (
    TO_DO_STATUSES,
    CardKind,
    Case,
    CaseStatus,
    DeadlineCard,
    Task,
    TaskRole,
    Tier,
)
from dispatch.notices import NoticeKind, case_link, case_link_parts
from haidian.calendar import TimeUnit, add_working_time
from haidian.errors import ActionConflict
from haidian.permissions import Role
from haidian.workflow import SYSTEM
from notifications.models import EmailStatus, Notification, NotificationSettings
from notifications.services import Note, emails_waiting, notify, queue_emails
from people.models import Membership
from people.selectors import command_ids, street_staff_ids

BATCH = 5000
TO_DO = TO_DO_STATUSES
SWEEP_LOCK = 2013_0001  # pg advisory lock: one sweep at a time does the work, others skip
CARD_NOTIFICATION = {CardKind.YELLOW: NoticeKind.YELLOW_CARD, CardKind.RED: NoticeKind.RED_CARD}


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    escalated: int = 0
    notifications: int = 0  # rows offered to the inbox; one a concurrent writer had is not written twice
    letters_overdue: int = 0
    skipped: bool = False  # another sweep held the lock


def sweep_deadlines(*, now: dt.datetime | None = None, batch: int = BATCH) -> SweepResult:
    now = now or timezone.now()
    with _sweep_lock() as acquired:
        if not acquired:
            return SweepResult(skipped=True)
        result = SweepResult()
        _fill_warn_times(batch)
        result.yellow, notified_yellow = _raise_cards(CardKind.YELLOW, now, batch)
        result.red, notified_red = _raise_cards(CardKind.RED, now, batch)
        result.escalated, notified_escalated = _escalate(now)
        reminded, result.letters_overdue = letters.sweep_letters(now)
        result.notifications = notified_yellow + notified_red + notified_escalated + reminded
    if emails_waiting():  # waiting, or abandoned by a sender that died (MESSAGE_SENDING_TIMEOUT_MINUTES)
        queue_emails()
    return result


@contextmanager
def _sweep_lock():
    """A session-level advisory lock on PostgreSQL (released if the process dies). Inside a
    transaction (tests) or on SQLite there is no lock: the unique rows keep the effects single."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK])


def _fill_warn_times(batch: int) -> None:
    """Tasks written without a yellow point (older rows, bulk loads) get one."""
    while True:
        with transaction.atomic():
            tasks = list(Task.objects.select_for_update(skip_locked=True)
                         .filter(status__in=TO_DO, warn_at=None).only("id", "created_at", "due_at")[:batch])
            for task in tasks:
                task.warn_at = services.warn_time(task.created_at, task.due_at)
            Task.objects.bulk_update(tasks, ["warn_at"])
        if len(tasks) < batch:
            return


def _raise_cards(kind: str, now: dt.datetime, batch: int) -> tuple[int, int]:
    """Cards for every open task past its yellow point (or due time) without one for this deadline.

    The tasks due are listed once (their ids); each batch of them is then one transaction of two
    set-based statements, the cards with their overdue marks and the notifications. A first sweep
    over a backlog of 100,000 tasks so takes seconds: no query over all open tasks per batch, no
    Python object per card or person. (On SQLite, the demo, portable SQL and Python do the same.)"""
    moment = "warn_at" if kind == CardKind.YELLOW else "due_at"
    due = Task.objects.filter(status__in=TO_DO, **{f"{moment}__lte": now})
    if kind == CardKind.YELLOW:
        due = due.filter(due_at__gt=now)  # past due already: the red card says it all
    already = DeadlineCard.objects.filter(task=OuterRef("pk"), kind=kind, due_at=OuterRef("due_at"))
    ids = list(due.filter(~Exists(already)).order_by("id").values_list("id", flat=True))
    raised = notified = 0
    for start in range(0, len(ids), batch):
        with _batch_transaction():
            card_ids = _insert_cards(kind, ids[start:start + batch], now)
            if not card_ids:
                continue  # a concurrent sweep took this batch
            raised += len(card_ids)
            notified += _notify_cards(kind, card_ids, now)
    return raised, notified


@contextmanager
def _batch_transaction():
    """A batch's transaction. Its statements read and write a few thousand rows by primary key:
    PostgreSQL's JIT compiler, which their estimated cost would set off, takes longer than they do."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _insert_cards(kind: str, task_ids: list[int], now: dt.datetime) -> list[int]:
    """Write the cards of these tasks (still open and still due: the list may be minutes old) and,
    for red ones on lead tasks, mark their cases overdue; one statement. Returns the ids of the cards
    it really wrote: a card a concurrent sweep wrote first is dropped by the unique constraint, and
    so is its news. Rows go in by id, so two racing sweeps wait for each other, never deadlock.

    Rows are looked up by primary key, one probe each: the OFFSET 0 keeps the planner from turning
    thousands of probes into a scan of the whole table, which it likes to do when the statistics lag
    behind a bulk load; `= ANY(ARRAY(…))` does the same for the cases."""
    if connection.vendor != "postgresql":
        return _insert_cards_portably(kind, task_ids, now)
    still_due = "t.warn_at <= %(now)s AND t.due_at > %(now)s" if kind == CardKind.YELLOW else "t.due_at <= %(now)s"
    # A red card makes its task, and a lead task's case, overdue now and late for ever (ever_overdue).
    mark_overdue = f""", overdue AS (
        UPDATE {Case._meta.db_table} SET overdue = true, ever_overdue = true
        WHERE NOT (overdue AND ever_overdue) AND id = ANY(ARRAY(
            SELECT due.case_id FROM due JOIN cards ON cards.task_id = due.id WHERE due.role = %(lead)s))
    ), late AS (
        UPDATE {Task._meta.db_table} SET ever_overdue = true
        WHERE NOT ever_overdue AND id = ANY(ARRAY(SELECT task_id FROM cards))
    )""" if kind == CardKind.RED else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH due AS (
                SELECT t.id, t.due_at, t.case_id, t.role
                FROM unnest(%(ids)s::bigint[]) AS listed(id)
                CROSS JOIN LATERAL (SELECT * FROM {Task._meta.db_table} WHERE id = listed.id OFFSET 0) t
                WHERE t.status = ANY(%(to_do)s) AND {still_due}
            ), cards AS (
                INSERT INTO {DeadlineCard._meta.db_table} (task_id, kind, due_at, raised_at)
                SELECT id, %(kind)s, due_at, %(now)s FROM due ORDER BY id
                ON CONFLICT (task_id, kind, due_at) DO NOTHING
                RETURNING id, task_id
            ){mark_overdue}
            SELECT id FROM cards ORDER BY id""",
            {"kind": kind, "now": now, "ids": _id_array(task_ids), "to_do": list(TO_DO), "lead": TaskRole.LEAD.value},
        )
        return [card_id for (card_id,) in cursor.fetchall()]


def _insert_cards_portably(kind: str, task_ids: list[int], now: dt.datetime) -> list[int]:
    """`_insert_cards` in SQL that SQLite (the demo) speaks too; the overdue marks through the ORM."""
    at = connection.ops.adapt_datetimefield_value(now)
    still_due, at_params = ("warn_at <= %s AND due_at > %s", [at, at]) if kind == CardKind.YELLOW \
        else ("due_at <= %s", [at])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DeadlineCard._meta.db_table} (task_id, kind, due_at, raised_at) "
            f"SELECT id, %s, due_at, %s FROM {Task._meta.db_table} "
            f"WHERE id IN ({', '.join(['%s'] * len(task_ids))}) AND status IN ({', '.join(['%s'] * len(TO_DO))}) "
            f"AND {still_due} ORDER BY id "
            "ON CONFLICT (task_id, kind, due_at) DO NOTHING RETURNING id",
            [kind, at, *task_ids, *TO_DO, *at_params],
        )
        card_ids = [card_id for (card_id,) in cursor.fetchall()]
    if kind == CardKind.RED and card_ids:
        Task.objects.filter(cards__in=card_ids, ever_overdue=False).update(ever_overdue=True)
        leads = Task.objects.filter(cards__in=card_ids, role=TaskRole.LEAD).values("case_id")
        Case.objects.filter(Q(overdue=False) | Q(ever_overdue=False), pk__in=leads).update(
            overdue=True, ever_overdue=True)
    return card_ids


def _id_array(ids: list[int]) -> str:
    """Ids as one PostgreSQL array literal: a list would go as ARRAY[1, 2, …], thousands of
    constants that take longer to parse and plan than the statement takes to run."""
    return "{" + ",".join(map(str, ids)) + "}"


def _escalate(now: dt.datetime) -> tuple[int, int]:
    """Street-tier cases whose live lead task is overdue by more than the grace go to the district."""
    grace = settings.ESCALATION_GRACE_WORKING_DAYS
    candidates = (Task.objects.filter(status__in=TO_DO, role=TaskRole.LEAD, due_at__lte=now,
                                      case__tier=Tier.STREET, case__status=CaseStatus.DISPATCHED)
                  .select_related("case__street", "agency", "department").order_by("due_at", "id"))
    escalated = notified = 0
    for task in list(candidates):
        if add_working_time(task.due_at, grace, TimeUnit.WORKING_DAYS) > now:
            continue
        with transaction.atomic():
            try:
                case = services.case_escalate(
                    case=task.case, actor=SYSTEM, now=now,
                    reason=_("The lead task was not answered within %(days)s working day(s) after its due time.")
                    % {"days": grace})
            except ActionConflict:
                continue  # someone (or another sweep) moved the case first
            escalated += 1
            with override("zh-hans"):
                title = _("Case %(number)s went up to the district command center") % {"number": case.number}
                body = _("%(title)s: the lead task of %(unit)s was due at %(due)s and is still open.") % {
                    "title": case.title, "unit": task.agency or task.department,
                    "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")}
            notified += notify([Note(
                command_ids(case.street.district_id) + street_staff_ids(case.street_id),
                f"escalated:{case.pk}:{task.pk}", NoticeKind.ESCALATED, title, body,
                case_number=case.number, link=case_link(case.number))], now)
    return escalated, notified


# --- notifications -------------------------------------------------------------------------------

def _notify_cards(kind: str, card_ids: list[int], now: dt.datetime) -> int:
    """The handlers of each card's task (the agency's head and staff, or the department's
    administrators); for a red card on a lead task, the street's staff too. One INSERT … SELECT for
    the batch, reading cards, tasks and cases by primary key as `_insert_cards` does; the texts are
    the gettext templates, fetched once in Chinese and filled in by format()."""
    with override("zh-hans"):  # notifications and emails are written in Chinese
        if kind == CardKind.YELLOW:
            title = _("Case %(number)s: 75%% of the time is used")
        else:
            title = _("Case %(number)s is past its due time")
        body = _("%(title)s — %(unit)s, due %(due)s.")
    if connection.vendor != "postgresql":
        return _notify_cards_portably(kind, card_ids, now, title, body)
    case, membership = Case._meta.db_table, Membership._meta.db_table
    link_before, link_after = case_link_parts()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH cards AS (
                SELECT card.task_id, card.due_at, t.case_id, t.role = %(lead)s AS lead, t.agency_id, t.department_id,
                       -- the key f"{{kind}}:{{task.pk}}:{{due_at.timestamp():.0f}}" as Python writes it: the
                       -- deadline to the nearest second, a half second to the even one
                       concat_ws(':', %(card_kind)s, card.task_id, (CASE WHEN mod(card.epoch, 1) = 0.5
                           THEN floor(card.epoch) + abs(mod(floor(card.epoch), 2)) ELSE round(card.epoch) END)::bigint)
                           AS key
                FROM unnest(%(cards)s::bigint[]) AS written(id)
                CROSS JOIN LATERAL (SELECT task_id, due_at, extract(epoch FROM due_at) AS epoch
                                    FROM {DeadlineCard._meta.db_table} WHERE id = written.id OFFSET 0) card
                CROSS JOIN LATERAL (SELECT case_id, role, agency_id, department_id
                                    FROM {Task._meta.db_table} WHERE id = card.task_id OFFSET 0) t
            ), recipients AS (
                SELECT c.task_id, m.user_id FROM cards c
                JOIN {membership} m ON m.agency_id = c.agency_id AND m.role = ANY(%(agency_roles)s)
                UNION
                SELECT c.task_id, m.user_id FROM cards c
                JOIN {membership} m ON m.department_id = c.department_id AND m.role = %(department_role)s
                UNION
                SELECT c.task_id, m.user_id FROM cards c
                CROSS JOIN LATERAL (SELECT street_id FROM {case} WHERE id = c.case_id OFFSET 0) k
                JOIN {membership} m ON m.street_id = k.street_id AND m.role = %(street_role)s
                WHERE %(street_too)s AND c.lead
            ), offered AS (
                SELECT r.user_id, c.key, k.number AS case_number,
                       %(link_before)s || k.number || %(link_after)s AS link,
                       format(%(title)s, k.number) AS title,
                       format(%(body)s, k.title, coalesce(a.name, d.name),
                              to_char(c.due_at AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI')) AS body,
                       CASE WHEN coalesce(u.email, '') <> '' AND coalesce(s.by_email, true)
                            THEN %(pending)s ELSE %(no_email)s END AS email_status
                FROM recipients r
                JOIN cards c ON c.task_id = r.task_id
                CROSS JOIN LATERAL (SELECT number, title FROM {case} WHERE id = c.case_id OFFSET 0) k
                LEFT JOIN {Agency._meta.db_table} a ON a.id = c.agency_id
                LEFT JOIN {Department._meta.db_table} d ON d.id = c.department_id
                JOIN {get_user_model()._meta.db_table} u ON u.id = r.user_id
                LEFT JOIN {NotificationSettings._meta.db_table} s ON s.user_id = r.user_id
            ), written AS (
                INSERT INTO {Notification._meta.db_table}
                    (user_id, key, kind, case_number, link, title, body, created_at, email_status, email_attempts)
                SELECT user_id, key, %(kind)s, case_number, link, title, body, %(now)s, email_status, 0
                FROM offered ORDER BY user_id, key
                ON CONFLICT (user_id, key) DO NOTHING
            )
            SELECT count(*) FROM offered""",
            {
                "cards": _id_array(card_ids),
                "card_kind": CardKind(kind).value,
                "lead": TaskRole.LEAD.value,
                "agency_roles": [Role.AGENCY_HEAD.value, Role.AGENCY_STAFF.value],
                "department_role": Role.DEPARTMENT_ADMIN.value,
                "street_role": Role.STREET_STAFF.value,
                "street_too": kind == CardKind.RED,
                "title": _sql_format(title, "number"),
                "body": _sql_format(body, "title", "unit", "due"),
                "tz": timezone.get_current_timezone_name(),
                "pending": EmailStatus.PENDING.value,
                "no_email": EmailStatus.NONE.value,
                "kind": CARD_NOTIFICATION[kind],
                "link_before": link_before,
                "link_after": link_after,
                "now": now,
            },
        )
        return cursor.fetchone()[0]


def _notify_cards_portably(kind: str, card_ids: list[int], now: dt.datetime, title: str, body: str) -> int:
    """`_notify_cards` on SQLite (the demo): the same people and the same texts, put together in
    Python. A change to who is told, or what, goes into both."""
    cards = list(DeadlineCard.objects.filter(pk__in=card_ids).order_by("id")
                 .select_related("task__case", "task__agency", "task__department"))
    tasks = [card.task for card in cards]
    members: dict[tuple[str, int], list[int]] = defaultdict(list)
    for user_id, agency_id, department_id, street_id in Membership.objects.filter(
        Q(agency_id__in={t.agency_id for t in tasks if t.agency_id}, role__in=[Role.AGENCY_HEAD, Role.AGENCY_STAFF])
        | Q(department_id__in={t.department_id for t in tasks if t.department_id}, role=Role.DEPARTMENT_ADMIN)
        | Q(street_id__in={t.case.street_id for t in tasks}, role=Role.STREET_STAFF)
    ).values_list("user_id", "agency_id", "department_id", "street_id"):
        unit = ("agency", agency_id) if agency_id else ("department", department_id) if department_id \
            else ("street", street_id)
        members[unit].append(user_id)
    notes = []
    for card in cards:
        task, case = card.task, card.task.case
        users = list(members[("agency", task.agency_id) if task.agency_id else ("department", task.department_id)])
        if kind == CardKind.RED and task.role == TaskRole.LEAD:
            users += members[("street", case.street_id)]
        due = timezone.localtime(card.due_at).strftime("%Y-%m-%d %H:%M")
        notes.append(Note(users, f"{kind}:{task.pk}:{card.due_at.timestamp():.0f}", CARD_NOTIFICATION[kind],
                          title % {"number": case.number},
                          body % {"title": case.title, "unit": task.agency or task.department, "due": due},
                          case_number=case.number, link=case_link(case.number)))
    return notify(notes, now)


def _sql_format(template: str, *names: str) -> str:
    """A gettext template (`%(name)s` fields, `%%` for a percent sign) as a PostgreSQL format()
    string taking the fields' values in the order of `names`: the very text Python's % would give."""
    marked = template % {name: f"\x00{position}\x00" for position, name in enumerate(names, 1)}
    parts = marked.split("\x00")  # literal text, a field's position, literal text, …
    return "".join(f"%{part}$s" if index % 2 else part.replace("%", "%%") for index, part in enumerate(parts))
