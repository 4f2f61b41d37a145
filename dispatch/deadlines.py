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
- emails are sent from notification rows claimed one by one (pending → sending → sent), so a
  retried or concurrent sender never sends one twice.
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

from agencies.models import Membership
from dispatch import letters, services
from dispatch.models import (
    TO_DO_STATUSES,
    CardKind,
    Case,
    CaseStatus,
    DeadlineCard,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationSettings,
    Task,
    TaskRole,
    Tier,
)
from haidian.calendar import TimeUnit, add_working_time
from haidian.errors import ActionConflict
from haidian.permissions import Role

BATCH = 500
TO_DO = TO_DO_STATUSES
SWEEP_LOCK = 2013_0001  # pg advisory lock: one sweep at a time does the work, others skip


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
    if Notification.objects.filter(email_status=EmailStatus.PENDING).exists():
        transaction.on_commit(_enqueue_emails)
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
    """Cards for every open task past its yellow point (or due time) without one for this deadline."""
    moment = "warn_at" if kind == CardKind.YELLOW else "due_at"
    already = DeadlineCard.objects.filter(task=OuterRef("pk"), kind=kind, due_at=OuterRef("due_at"))
    raised = notified = 0
    after_id = 0
    while True:
        due = Task.objects.filter(status__in=TO_DO, id__gt=after_id, **{f"{moment}__lte": now})
        if kind == CardKind.YELLOW:
            due = due.filter(due_at__gt=now)  # past due already: the red card says it all
        ids = list(due.filter(~Exists(already)).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            return raised, notified
        after_id = ids[-1]
        with transaction.atomic():
            # One statement per batch, and only the cards this sweep really wrote come back: a card
            # a concurrent sweep wrote first is dropped by the unique constraint, and so is its news.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {DeadlineCard._meta.db_table} (task_id, kind, due_at, raised_at) "
                    f"SELECT id, %s, due_at, %s FROM {Task._meta.db_table} "
                    f"WHERE id IN ({', '.join(['%s'] * len(ids))}) AND status IN (%s, %s) "
                    "ON CONFLICT (task_id, kind, due_at) DO NOTHING RETURNING task_id",
                    [kind, now, *ids, *TO_DO],
                )
                new_ids = [row[0] for row in cursor.fetchall()]
            if not new_ids:
                continue  # a concurrent sweep took this batch
            raised += len(new_ids)
            tasks = list(Task.objects.filter(pk__in=new_ids).select_related("case", "agency", "department").only(
                "id", "role", "agency_id", "department_id", "due_at", "case_id", "case__number", "case__title",
                "case__street_id", "agency__name", "department__name"))
            if kind == CardKind.RED:
                Case.objects.filter(pk__in=[t.case_id for t in tasks if t.role == TaskRole.LEAD],
                                    overdue=False).update(overdue=True)
            notified += _notify_cards(kind, tasks, now)


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
                    case=task.case, actor=None, now=now,
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
                _people(Q(role=Role.DISTRICT_COMMAND, district_id=case.street.district_id)
                        | Q(role=Role.STREET_STAFF, street_id=case.street_id)),
                f"escalated:{case.pk}:{task.pk}", NotificationKind.ESCALATED, case, title, body)], now)
    return escalated, notified


# --- notifications -------------------------------------------------------------------------------

def _people(rule: Q) -> list[int]:
    return list(Membership.objects.filter(rule).values_list("user_id", flat=True).distinct())


def _notify_cards(kind: str, tasks: list[Task], now: dt.datetime) -> int:
    """The handlers of each task; for a red card on a lead task, the street's staff too."""
    members: dict[tuple[str, int], list[int]] = defaultdict(list)
    for membership in Membership.objects.filter(
        Q(agency_id__in={t.agency_id for t in tasks if t.agency_id}, role__in=[Role.AGENCY_HEAD, Role.AGENCY_STAFF])
        | Q(department_id__in={t.department_id for t in tasks if t.department_id}, role=Role.DEPARTMENT_ADMIN)
        | Q(street_id__in={t.case.street_id for t in tasks}, role=Role.STREET_STAFF)
    ).values_list("user_id", "agency_id", "department_id", "street_id"):
        user_id, agency_id, department_id, street_id = membership
        unit = ("agency", agency_id) if agency_id else ("department", department_id) if department_id \
            else ("street", street_id)
        members[unit].append(user_id)
    notes = []
    for task in tasks:
        users = list(members[("agency", task.agency_id) if task.agency_id else ("department", task.department_id)])
        if kind == CardKind.RED and task.role == TaskRole.LEAD:
            users += members[("street", task.case.street_id)]
        case = task.case
        with override("zh-hans"):  # notifications and emails are written in Chinese
            due = timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
            if kind == CardKind.YELLOW:
                title = _("Case %(number)s: 75%% of the time is used") % {"number": case.number}
            else:
                title = _("Case %(number)s is past its due time") % {"number": case.number}
            body = _("%(title)s — %(unit)s, due %(due)s.") % {
                "title": case.title, "unit": task.agency or task.department, "due": due}
        notes.append(Note(users, f"{kind}:{task.pk}:{task.due_at.timestamp():.0f}",
                          NotificationKind.YELLOW_CARD if kind == CardKind.YELLOW else NotificationKind.RED_CARD,
                          case, title, body))
    return notify(notes, now)


@dataclass
class Note:
    """One notification to several people (each gets their own row)."""

    user_ids: list[int]
    key: str
    kind: str
    case: Case | None
    title: str
    body: str


def notify(notes: list[Note], now: dt.datetime) -> int:
    """One notification per person and key (ON CONFLICT DO NOTHING), all in one insert."""
    user_ids = {user_id for note in notes for user_id in note.user_ids}
    if not user_ids:
        return 0
    emails = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("id", "email"))
    wants_email = dict(NotificationSettings.objects.filter(user_id__in=user_ids).values_list("user_id", "by_email"))
    rows = [
        Notification(user_id=user_id, key=note.key, kind=note.kind, case=note.case, title=note.title, body=note.body,
                     created_at=now,
                     email_status=EmailStatus.PENDING if emails.get(user_id) and wants_email.get(user_id, True)
                     else EmailStatus.NONE)
        for note in notes for user_id in dict.fromkeys(note.user_ids)
    ]
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000))


def _enqueue_emails() -> None:
    from dispatch.tasks import send_notification_emails

    send_notification_emails.delay()


def send_pending_emails(*, limit: int = 200) -> int:
    """Send waiting notification emails, each claimed under its row lock first: never twice."""
    from django.core.mail import send_mail

    sent = 0
    for _round in range(limit):
        with transaction.atomic():
            note = (Notification.objects.select_for_update(skip_locked=True)
                    .filter(email_status=EmailStatus.PENDING).select_related("user").order_by("id").first())
            if note is None:
                return sent
            note.email_status, note.email_attempts = EmailStatus.SENDING, note.email_attempts + 1
            note.save(update_fields=["email_status", "email_attempts"])
        try:
            send_mail(note.title, note.body, None, [note.user.email])
        except Exception:
            # Back to the queue for the task's retry; after the last attempt it stays visibly failed.
            failed = note.email_attempts >= EMAIL_ATTEMPTS
            Notification.objects.filter(pk=note.pk).update(
                email_status=EmailStatus.FAILED if failed else EmailStatus.PENDING)
            raise
        Notification.objects.filter(pk=note.pk).update(email_status=EmailStatus.SENT, emailed_at=timezone.now())
        sent += 1
    return sent


EMAIL_ATTEMPTS = 5
