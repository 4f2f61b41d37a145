"""Every write of 属地监督 and the 折子工程: keyword-only, atomic, one function per action.

Supervision bodies (set up by the street's sub-center staff or the district command center):

- `body_create`: a street's or town's body; the town-only kinds are refused for a street (400), a
  second active body of one kind is a 409.
- `member_add`, `member_leave`: its members; one secretary at a time (who needs an account).
- `meeting_record`: one of its meetings, with the members who came.

质询:

- `inquiry_put`: the body's secretary (or the street's staff on the body's behalf) asks its street or an
  agency serving it; the answer is due `SUPERVISION_INQUIRY_WORKING_DAYS` working days later by
  default. The target's people are told at once.
- `inquiry_answer`: the target's people answer, once; an answer after the due time is late. The
  body's secretary (and whoever filed it) is told.
- `inquiry_sweep`: unanswered inquiries past their due time are marked `ever_overdue`, once; the
  target's people and the secretary are told. Beat runs it, `manage.py sweep_inquiries` too.

折子工程: the district command center creates the tasks (`task_create`) and inspects them
(`task_inspect`, 专项督察); the owner unit reports progress (`task_report_progress`) and marks a task
done (`task_mark_done`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from agencies.models import Agency, Department, Street
from haidian.calendar import TimeUnit, add_working_time
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from haidian.workflow import SYSTEM, unique_or_conflict, user_or_none
from notifications.models import EmailStatus, Notification
from notifications.services import Note, notify, queue_emails
from people.selectors import acting_as, holds
from supervision import notices, selectors
from supervision.models import (
    BodyKind,
    BodyMeeting,
    BodyMember,
    Inquiry,
    InquiryStatus,
    Inspection,
    ProgressReport,
    SupervisoryBody,
    Verdict,
    WorkPlanTask,
)
from supervision.notices import NoticeKind
from supervision.workflow import INQUIRIES, Step

SWEEP_BATCH = 500


def _manager(actor, street: Street) -> str:
    """The seat that sets up a street's bodies: its sub-center staff, or the district command center."""
    if holds(actor, Role.STREET_STAFF, "street", street.pk):
        return acting_as(actor, Role.STREET_STAFF, "street", street.pk, refusal="")
    return acting_as(actor, Role.DISTRICT_COMMAND, "district", street.district_id,
                     refusal=_("Only the sub-center staff of the street or the district command center may manage "
                               "its supervision bodies."))


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput({field: _("This field may not be blank.")})
    return value


# --- bodies --------------------------------------------------------------------------------------

@transaction.atomic
def body_create(*, actor, street: Street, kind: str, name: str = "",
                now: dt.datetime | None = None) -> SupervisoryBody:
    """A supervision body of `street`: the democratic committee anywhere, the congresses and the
    villagers' assembly only in a town (「要求各镇要充分发挥镇党代表大会、人民代表大会和村民自治组织的作用」)."""
    _manager(actor, street)
    if kind not in BodyKind.values:
        raise InvalidInput({"kind": _("Unknown kind of supervision body.")})
    if kind in BodyKind.town_only_values() and street.kind != Street.Kind.TOWN:
        raise InvalidInput({"kind": _("%(kind)s is a town's body: %(street)s is not a town.")
                            % {"kind": BodyKind(kind).label, "street": street.name}})
    if not name.strip():
        with override("zh-hans"):  # the body's name is a Chinese title, as the street's own
            name = f"{street.name}{_short_kind(kind)}"
    conflict = _("%(street)s already has an active %(kind)s.") % {"street": street.name, "kind": BodyKind(kind).label}
    # The partial unique index decides between two people creating the same body at once: one 409.
    with unique_or_conflict(conflict, "body_one_active_per_kind"):
        return SupervisoryBody.objects.create(street=street, kind=kind, name=name.strip()[:100],
                                              created_at=now or timezone.now())


def _short_kind(kind: str) -> str:
    """The body's kind as its name ends: 学院路街道 + 地区民主管理和监督委员会."""
    return {
        BodyKind.DEMOCRATIC_COMMITTEE: "地区民主管理和监督委员会",
        BodyKind.TOWN_PEOPLES_CONGRESS: "人民代表大会",
        BodyKind.TOWN_PARTY_CONGRESS: "党代表大会",
        BodyKind.VILLAGERS_ASSEMBLY: "村民代表会议",
    }[kind]


@transaction.atomic
def member_add(*, body: SupervisoryBody, actor, name: str, affiliation: str = "", user=None,
               is_secretary: bool = False, joined_on: dt.date | None = None) -> BodyMember:
    """A member joins the body. The secretary needs an account (they file the body's inquiries and fill
    its forms); a body has one secretary at a time, and an account one seat in a body."""
    _manager(actor, body.street)
    name = _text(name, "name")
    if is_secretary and user is None:
        raise InvalidInput({"user": _("The secretary needs an account: they file the body's inquiries.")})
    if user is not None and not user.is_active:
        raise InvalidInput({"user": _("This account is not active.")})
    member = BodyMember(body=body, name=name[:50], affiliation=affiliation.strip()[:100], user=user,
                        is_secretary=is_secretary, joined_on=joined_on or timezone.localdate())
    # The partial unique indexes decide between two clicks at once: one member, one 409.
    with unique_or_conflict(_("The body already has a secretary: record that one leaving first."),
                            "bodymember_one_secretary"):
        with unique_or_conflict(_("This account already has a seat on the body."),
                                "bodymember_one_seat_per_account"):
            member.save()
    return member


@transaction.atomic
def member_leave(*, member: BodyMember, actor, left_on: dt.date | None = None) -> BodyMember:
    """A member leaves the body (their seat stays on record)."""
    member = BodyMember.objects.select_for_update(of=("self",)).select_related("body__street").get(pk=member.pk)
    _manager(actor, member.body.street)
    if member.left_on is not None:
        raise ActionConflict(_("%(name)s has already left the body.") % {"name": member.name})
    left_on = left_on or timezone.localdate()
    if left_on < member.joined_on:
        raise InvalidInput({"left_on": _("A member cannot leave before joining.")})
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    return member


@transaction.atomic
def meeting_record(*, body: SupervisoryBody, actor, held_at: dt.datetime, topic: str, minutes: str = "",
                   attendees: Iterable[int | BodyMember] = ()) -> BodyMeeting:
    """A meeting of the body, with the members who came (members of this body only)."""
    _manager(actor, body.street)
    topic = _text(topic, "topic")
    ids = list(dict.fromkeys(a.pk if isinstance(a, BodyMember) else a for a in attendees))
    members = list(BodyMember.objects.filter(body=body, pk__in=ids))
    if len(members) != len(ids):
        raise InvalidInput({"attendees": _("Attendees must be members of this body.")})
    meeting = BodyMeeting.objects.create(body=body, held_at=held_at, topic=topic[:200], minutes=minutes,
                                         recorded_by=user_or_none(actor))
    meeting.attendees.set(members)
    return meeting


# --- 质询 ----------------------------------------------------------------------------------------

def _asking_seat(actor, body: SupervisoryBody) -> str:
    """Who puts an inquiry for a body: its serving secretary, or the street's staff recording it."""
    if selectors.secretary_seat(actor, body) is not None:
        return f"{body.street.code} {body.name}"
    return acting_as(actor, Role.STREET_STAFF, "street", body.street_id,
                     refusal=_("Only the body's secretary, or the sub-center staff of its street, may put its "
                               "inquiries."))


def _target(body: SupervisoryBody, code: str) -> tuple[Street | None, Agency | None]:
    """The body's street, or an agency serving it, by code; anything else is a 400 naming it."""
    code = (code or "").strip()
    if not code:
        raise InvalidInput({"target": _("Name the street or the agency to question.")})
    if code == body.street.code:
        return body.street, None
    agency = Agency.objects.filter(streets=body.street_id, code=code).first()
    if agency is None:
        raise InvalidInput({"target": _("%(code)s is neither the body's street nor an agency serving it.")
                            % {"code": code}})
    return None, agency


@transaction.atomic
def inquiry_put(*, body: SupervisoryBody, actor, target: str, subject: str, question: str,
                answer_due_at: dt.datetime | None = None, now: dt.datetime | None = None) -> Inquiry:
    """质询: the body asks `target` (its street's code, or the code of an agency serving the street) to
    answer `question` in writing by `answer_due_at` (default SUPERVISION_INQUIRY_WORKING_DAYS working
    days from now)."""
    now = now or timezone.now()
    label = _asking_seat(actor, body)
    if not body.active:
        raise ActionConflict(_("%(body)s is no longer active.") % {"body": body.name})
    subject, question = _text(subject, "subject"), _text(question, "question")
    street, agency = _target(body, target)
    if answer_due_at is None:
        answer_due_at = add_working_time(now, settings.SUPERVISION_INQUIRY_WORKING_DAYS, TimeUnit.WORKING_DAYS)
    elif answer_due_at <= now:
        raise InvalidInput({"answer_due_at": _("The answer must be due in the future.")})
    inquiry = Inquiry.objects.create(body=body, target_street=street, target_agency=agency, subject=subject[:200],
                                     question=question, asked_at=now, asked_by=user_or_none(actor),
                                     answer_due_at=answer_due_at)
    INQUIRIES.record(inquiry, Step.ASK, actor=actor, at=now, unit=label, to_status=InquiryStatus.ASKED,
                     note=question, data={"target": target.strip(), "answer_due_at": answer_due_at.isoformat()})
    with override("zh-hans"):  # notifications and emails are written in Chinese
        note = Note(notices.target_people(inquiry), f"inquiry:{inquiry.pk}", NoticeKind.INQUIRY_ASKED,
                    _("%(body)s asks %(target)s: %(subject)s") % {"body": body.name, "target": inquiry.target.name,
                                                                  "subject": subject},
                    _("Answer in writing by %(due)s.") % {"due": _local(answer_due_at)},
                    link=notices.inquiry_link(inquiry.pk))
    notify([note], now)
    queue_emails()
    return inquiry


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def inquiry_answer(*, inquiry: Inquiry, actor, answer: str, now: dt.datetime | None = None) -> Inquiry:
    """The target's answer, once: by the street's staff for the street, by the agency's head or staff for
    the agency. After the due time it is late (`ever_overdue`), whether or not the sweep saw it first."""
    now = now or timezone.now()
    # The row lock serves two people answering at once one after the other: the second finds the
    # inquiry answered under the lock and gets a 409, never a second answer over the first.
    inquiry = INQUIRIES.lock(inquiry)
    label = selectors.answering_seat(actor, inquiry)
    if label is None:
        raise ActionForbidden(_("Only the people of the street or agency questioned may answer."))
    INQUIRIES.next_status(inquiry, Step.ANSWER)
    answer = _text(answer, "answer")
    late = now > inquiry.answer_due_at
    INQUIRIES.move(inquiry, Step.ANSWER, actor=actor, at=now, unit=label, note=answer,
                   changes={"answer": answer, "answered_at": now, "answered_by": user_or_none(actor),
                            "ever_overdue": inquiry.ever_overdue or late},
                   data={"late": late})
    users = notices.secretary_ids(inquiry.body_id, timezone.localdate(now))
    if inquiry.asked_by_id and inquiry.asked_by_id not in users:
        users.append(inquiry.asked_by_id)
    with override("zh-hans"):
        note = Note(users, f"inquiry-answered:{inquiry.pk}", NoticeKind.INQUIRY_ANSWERED,
                    _("%(target)s answered: %(subject)s") % {"target": inquiry.target.name,
                                                             "subject": inquiry.subject},
                    answer[:500], link=notices.inquiry_link(inquiry.pk))
    notify([note], now)
    queue_emails()
    return inquiry


@dataclass
class SweepResult:
    overdue: int = 0
    notifications: int = 0  # rows offered to the inbox; one already there is not written twice


def inquiry_sweep(*, now: dt.datetime | None = None, batch: int = SWEEP_BATCH) -> SweepResult:
    """Mark every inquiry still unanswered past its due time `ever_overdue` and tell the target's people
    and the body's secretary. Exactly once: the mark is made under the row lock of an inquiry not yet
    marked (an answer at this moment holds the row and is skipped; the next run finds it answered), and
    a notification is unique per person and key. Each batch is its own transaction."""
    now = now or timezone.now()
    result = SweepResult()
    while True:
        with transaction.atomic():
            due = list(Inquiry.objects.select_for_update(of=("self",), skip_locked=True)
                       .filter(status=InquiryStatus.ASKED, ever_overdue=False, answer_due_at__lt=now)
                       .select_related("body__street", "target_street", "target_agency")
                       .order_by("answer_due_at", "id")[:batch])
            notes = []
            with override("zh-hans"):
                for inquiry in due:
                    INQUIRIES.move(inquiry, Step.OVERDUE, actor=SYSTEM, at=now, changes={"ever_overdue": True},
                                   data={"answer_due_at": inquiry.answer_due_at.isoformat()})
                    users = notices.target_people(inquiry) + notices.secretary_ids(inquiry.body_id,
                                                                                   timezone.localdate(now))
                    notes.append(Note(users, f"inquiry-overdue:{inquiry.pk}", NoticeKind.INQUIRY_OVERDUE,
                                      _("Inquiry not answered in time: %(subject)s") % {"subject": inquiry.subject},
                                      _("%(body)s asked %(target)s to answer by %(due)s.")
                                      % {"body": inquiry.body.name, "target": inquiry.target.name,
                                         "due": _local(inquiry.answer_due_at)},
                                      link=notices.inquiry_link(inquiry.pk)))
            result.overdue += len(due)
            result.notifications += notify(notes, now)
        if len(due) < batch:
            break
    if result.notifications and Notification.objects.filter(email_status=EmailStatus.PENDING).exists():
        queue_emails()
    return result


# --- 折子工程 ------------------------------------------------------------------------------------

def _owner(code: str) -> Department | Street:
    code = (code or "").strip()
    owner = Department.objects.filter(code=code).first() or Street.objects.filter(code=code).first()
    if owner is None:
        raise InvalidInput({"owner": _("%(code)s is neither a department nor a street.") % {"code": code}})
    return owner


def _planner(actor, district_id: int) -> str:
    return acting_as(actor, Role.DISTRICT_COMMAND, "district", district_id,
                     refusal=_("Only the district command center may plan and inspect the work-plan tasks."))


def _owner_seat(actor, task: WorkPlanTask) -> str:
    label = selectors.owner_seat(actor, task)
    if label is None:
        raise ActionForbidden(_("Only the task's owner unit may report on it."))
    return label


def _open_task(task: WorkPlanTask) -> WorkPlanTask:
    """The task's row, locked to the end of the transaction; a task already done is a 409."""
    task = WorkPlanTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.done_at is not None:
        raise ActionConflict(_("The task was marked done on %(day)s.")
                             % {"day": timezone.localdate(task.done_at).isoformat()})
    return task


@transaction.atomic
def task_create(*, actor, year: int, code: str, title: str, owner: str, deadline: dt.date, clause: str = "",
                now: dt.datetime | None = None) -> WorkPlanTask:
    """A task of the 折子工程, owned by `owner` (a department's or a street's code) of the actor's district."""
    owner_unit = _owner(owner)
    _planner(actor, owner_unit.district_id)
    code, title = _text(code, "code")[:20], _text(title, "title")[:200]
    if not 2000 <= year <= 2100:
        raise InvalidInput({"year": _("Give a year between 2000 and 2100.")})
    is_department = isinstance(owner_unit, Department)
    task = WorkPlanTask(district_id=owner_unit.district_id, year=year, code=code, title=title, clause=clause.strip(),
                        owner_department=owner_unit if is_department else None,
                        owner_street=None if is_department else owner_unit, deadline=deadline,
                        created_by=user_or_none(actor), created_at=now or timezone.now())
    with unique_or_conflict(_("Task %(code)s of %(year)s already exists.") % {"code": code, "year": year},
                            "workplantask_code_unique_in_year"):
        task.save()
    return task


@transaction.atomic
def task_report_progress(*, task: WorkPlanTask, actor, text: str, percent: int,
                         now: dt.datetime | None = None) -> ProgressReport:
    """The owner unit's progress on an open task (0–100 % done)."""
    task = _open_task(task)
    _owner_seat(actor, task)
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise InvalidInput({"percent": _("Give a percentage from 0 to 100.")})
    return ProgressReport.objects.create(task=task, reported_at=now or timezone.now(),
                                         reported_by=user_or_none(actor), text=_text(text, "text"), percent=percent)


@transaction.atomic
def task_mark_done(*, task: WorkPlanTask, actor, now: dt.datetime | None = None) -> WorkPlanTask:
    """The owner unit marks the task done, once (after its deadline it stays overdue: done late)."""
    task = _open_task(task)  # two clicks at once: the second waits for the lock, then gets the 409
    _owner_seat(actor, task)
    task.done_at, task.done_by = now or timezone.now(), user_or_none(actor)
    task.save(update_fields=["done_at", "done_by"])
    return task


@transaction.atomic
def task_inspect(*, task: WorkPlanTask, actor, finding: str, verdict: str, rectify_by: dt.date | None = None,
                 inspected_at: dt.datetime | None = None) -> Inspection:
    """专项督察: the district command center's finding on a task, its verdict and, when it is to be put
    right, by when. The owner unit's people are told."""
    _planner(actor, task.district_id)
    if verdict not in Verdict.values:
        raise InvalidInput({"verdict": _("Unknown verdict.")})
    inspected_at = inspected_at or timezone.now()
    if rectify_by is not None and rectify_by < timezone.localdate(inspected_at):
        raise InvalidInput({"rectify_by": _("The date to put it right cannot be before the inspection.")})
    inspection = Inspection.objects.create(task=task, inspected_at=inspected_at, inspector=user_or_none(actor),
                                           finding=_text(finding, "finding"), verdict=verdict, rectify_by=rectify_by)
    with override("zh-hans"):
        body = inspection.finding
        if rectify_by is not None:
            body = _("%(finding)s Put it right by %(day)s.") % {"finding": body, "day": rectify_by.isoformat()}
        note = Note(notices.owner_people(task), f"workplan-inspection:{inspection.pk}", NoticeKind.WORKPLAN_INSPECTED,
                    _("Inspection of %(code)s %(title)s: %(verdict)s")
                    % {"code": task.code, "title": task.title, "verdict": Verdict(verdict).label},
                    body, link=notices.task_link(task.pk))
    notify([note], inspected_at)
    queue_emails()
    return inspection

