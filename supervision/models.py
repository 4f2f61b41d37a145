"""属地监督 — the local supervision bodies and the leading group's 折子工程 (issue 16, item 7).

「要求各街道进一步完善地区民主管理和监督委员会制度,履行好监督评议职能,重点对街道、专业部门派驻机构及有关部门的
工作进行质询、监督和考核评价。同时,要求各镇要充分发挥镇党代表大会、人民代表大会和村民自治组织的作用」 (四(一)):

- `SupervisoryBody`: a street's or town's 地区民主管理和监督委员会, and a town's 镇人民代表大会, 镇党代表大会 and
  村民代表会议, with its members (`BodyMember`, one of them the secretary who fills the body's forms) and
  its meetings (`BodyMeeting`).
- `Inquiry` (质询): a body asks its street, or an agency serving it, a question to be answered in writing
  by a working-day deadline; each step is on the inquiry's append-only log (`InquiryEvent`).

「对《实施意见》的主要工作进行了任务分解,形成了折子工程,不断加大统筹指导和专项督察力度」:

- `WorkPlanTask`: one task of the decomposition, owned by one department or one street, with a deadline;
  its owner's `ProgressReport`s and the district's `Inspection`s (专项督察).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidian.models import Event


class BodyKind(models.TextChoices):
    """The supervision bodies of the reform. The democratic committee is every street's and town's; the
    other three are a town's (a street office, like an area office, is the district's agency and has
    no congress of its own)."""

    DEMOCRATIC_COMMITTEE = "democratic_committee", _(
        "democratic management and supervision committee (地区民主管理和监督委员会)")
    TOWN_PEOPLES_CONGRESS = "town_peoples_congress", _("town people's congress (镇人民代表大会)")
    TOWN_PARTY_CONGRESS = "town_party_congress", _("town party congress (镇党代表大会)")
    VILLAGERS_ASSEMBLY = "villagers_assembly", _("villagers' representative assembly (村民代表会议)")

    @classmethod
    def town_only_values(cls) -> list[str]:
        return [cls.TOWN_PEOPLES_CONGRESS.value, cls.TOWN_PARTY_CONGRESS.value, cls.VILLAGERS_ASSEMBLY.value]


class SupervisoryBody(models.Model):
    """A supervision body of one street or town. At most one active body of each kind per street."""

    street = models.ForeignKey("agencies.Street", on_delete=models.PROTECT, related_name="supervisory_bodies",
                               verbose_name=_("street or town"))
    kind = models.CharField(_("kind"), max_length=30, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("A body whose term has ended stays on record, inactive."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("supervision body")
        verbose_name_plural = _("supervision bodies")
        ordering = ["street__code", "kind", "id"]
        constraints = [
            models.CheckConstraint(name="body_kind_valid", condition=Q(kind__in=BodyKind.values)),
            models.UniqueConstraint(fields=["street", "kind"], condition=Q(active=True),
                                    name="body_one_active_per_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class BodyMember(models.Model):
    """A member of a body: a resident representative, a deputy, a unit's delegate. A member with an
    account (`user`) sees the body's inquiries; the secretary (one at a time) files them and fills the
    body's assessment forms."""

    body = models.ForeignKey(SupervisoryBody, on_delete=models.CASCADE, related_name="members",
                             verbose_name=_("body"))
    name = models.CharField(_("name"), max_length=50)
    affiliation = models.CharField(_("affiliation or title"), max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="supervision_seats", verbose_name=_("account"))
    is_secretary = models.BooleanField(_("secretary"), default=False)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        ordering = ["body_id", "-is_secretary", "joined_on", "id"]
        indexes = [models.Index(fields=["user"], name="bodymember_user_idx", condition=Q(user__isnull=False))]
        constraints = [
            models.CheckConstraint(name="bodymember_secretary_has_account",
                                   condition=Q(is_secretary=False) | Q(user__isnull=False)),
            models.CheckConstraint(name="bodymember_leaves_after_joining",
                                   condition=Q(left_on=None) | Q(left_on__gte=models.F("joined_on"))),
            # One secretary at a time; one seat per account in a body.
            models.UniqueConstraint(fields=["body"], condition=Q(is_secretary=True, left_on=None),
                                    name="bodymember_one_secretary"),
            models.UniqueConstraint(fields=["body", "user"], condition=Q(user__isnull=False, left_on=None),
                                    name="bodymember_one_seat_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.body}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


def serving_on(day: dt.date, prefix: str = "") -> Q:
    """Members serving on `day`: joined by then and not left yet (as `BodyMember.is_active_on`)."""
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on": None}) | Q(**{f"{prefix}left_on__gt": day}))


class BodyMeeting(models.Model):
    """A meeting of a body: when, on what, its minutes and which members came."""

    body = models.ForeignKey(SupervisoryBody, on_delete=models.CASCADE, related_name="meetings",
                             verbose_name=_("body"))
    held_at = models.DateTimeField(_("held at"))
    topic = models.CharField(_("topic"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.ManyToManyField(BodyMember, related_name="meetings", blank=True, verbose_name=_("attendees"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("body meeting")
        verbose_name_plural = _("body meetings")
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["body", "-held_at"], name="bodymeeting_body_held_idx")]

    def __str__(self) -> str:
        return self.topic


# --- 质询 ----------------------------------------------------------------------------------------

class InquiryStatus(models.TextChoices):
    ASKED = "asked", _("waiting for the answer")
    ANSWERED = "answered", _("answered")


class Inquiry(models.Model):
    """质询: a body's question to its street or to an agency serving it (exactly one target is set),
    to be answered in writing by `answer_due_at`. `ever_overdue` is a fact: set when the sweep finds it
    unanswered past its due time, or when the answer comes after it; nothing clears it."""

    body = models.ForeignKey(SupervisoryBody, on_delete=models.PROTECT, related_name="inquiries",
                             verbose_name=_("body"))
    target_street = models.ForeignKey("agencies.Street", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="inquiries", verbose_name=_("street questioned"))
    target_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="inquiries", verbose_name=_("agency questioned"))
    subject = models.CharField(_("subject"), max_length=200)
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("filed by"))
    answer_due_at = models.DateTimeField(_("answer by"))
    status = models.CharField(_("status"), max_length=10, choices=InquiryStatus.choices,
                              default=InquiryStatus.ASKED)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("answered by"))
    ever_overdue = models.BooleanField(_("overdue at some point"), default=False)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-asked_at", "-id"]
        indexes = [
            # The sweep's one question: which are still unanswered past their time, not yet marked?
            models.Index(fields=["answer_due_at"], name="inquiry_waiting_due_idx",
                         condition=Q(status="asked", ever_overdue=False)),
            models.Index(fields=["body", "-asked_at"], name="inquiry_body_newest_idx"),
            models.Index(fields=["target_street", "asked_at"], name="inquiry_street_idx",
                         condition=Q(target_street__isnull=False)),
            models.Index(fields=["target_agency", "asked_at"], name="inquiry_agency_idx",
                         condition=Q(target_agency__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(name="inquiry_exactly_one_target",
                                   condition=Q(target_street__isnull=False, target_agency=None)
                                   | Q(target_street=None, target_agency__isnull=False)),
            models.CheckConstraint(name="inquiry_status_valid", condition=Q(status__in=InquiryStatus.values)),
            models.CheckConstraint(name="inquiry_answered_when_answered",
                                   condition=Q(status="answered", answered_at__isnull=False)
                                   | Q(status="asked", answered_at=None)),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def target(self):
        return self.target_agency if self.target_agency_id else self.target_street

    @property
    def target_kind(self) -> str:
        """"street" or "agency"."""
        return "agency" if self.target_agency_id else "street"

    def is_overdue(self, now: dt.datetime) -> bool:
        """Late now or once: past its due time unanswered, answered after it, or marked by the sweep."""
        if self.ever_overdue:
            return True
        if self.answered_at is not None:
            return self.answered_at > self.answer_due_at
        return self.answer_due_at < now


class InquiryEvent(Event):
    """One step on an inquiry: asked, answered, found overdue."""

    SUBJECT = "inquiry"
    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="events",
                                verbose_name=_("inquiry"), db_index=False)

    class Meta(Event.Meta):
        verbose_name = _("inquiry event")
        verbose_name_plural = _("inquiry events")
        indexes = [models.Index(fields=["inquiry", "at"], name="inquiryevent_inquiry_at_idx")]


# --- 折子工程 ------------------------------------------------------------------------------------

class WorkPlanTask(models.Model):
    """One task of the leading group's decomposition (折子工程) of the implementation opinions, owned by
    one department or one street (exactly one is set) of `district`."""

    district = models.ForeignKey("agencies.District", on_delete=models.PROTECT, related_name="work_plan_tasks",
                                 verbose_name=_("district"))
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    clause = models.TextField(_("clause of the implementation opinions"), blank=True,
                              help_text=_("The sentence of the implementation opinions the task comes from."))
    owner_department = models.ForeignKey("agencies.Department", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="work_plan_tasks", verbose_name=_("owner department"))
    owner_street = models.ForeignKey("agencies.Street", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="work_plan_tasks", verbose_name=_("owner street"))
    deadline = models.DateField(_("deadline"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("marked done by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("work-plan task")
        verbose_name_plural = _("work-plan tasks")
        ordering = ["-year", "code"]
        indexes = [models.Index(fields=["district", "year", "deadline"], name="workplantask_year_idx")]
        constraints = [
            models.CheckConstraint(name="workplantask_exactly_one_owner",
                                   condition=Q(owner_department__isnull=False, owner_street=None)
                                   | Q(owner_department=None, owner_street__isnull=False)),
            models.UniqueConstraint(fields=["district", "year", "code"], name="workplantask_code_unique_in_year"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def owner(self):
        return self.owner_department if self.owner_department_id else self.owner_street

    @property
    def owner_kind(self) -> str:
        """"department" or "street"."""
        return "department" if self.owner_department_id else "street"

    def is_overdue(self, today: dt.date) -> bool:
        """Not done and past its deadline, or done after it (`supervision.selectors.overdue_rule`)."""
        if self.done_at is None:
            return self.deadline < today
        return timezone.localdate(self.done_at) > self.deadline


class ProgressReport(models.Model):
    """The owner unit's word on how far a task has come."""

    task = models.ForeignKey(WorkPlanTask, on_delete=models.CASCADE, related_name="progress_reports",
                             verbose_name=_("task"))
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("reported by"))
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent done"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["task_id", "reported_at", "id"]
        constraints = [
            models.CheckConstraint(name="progress_percent_0_100", condition=Q(percent__gte=0, percent__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.percent}%"


class Verdict(models.TextChoices):
    ON_TRACK = "on_track", _("on track")
    BEHIND = "behind", _("behind schedule")
    FAILED = "failed", _("failed")


class Inspection(models.Model):
    """专项督察: the district's inspection of a task, its finding, verdict and a date to put it right."""

    task = models.ForeignKey(WorkPlanTask, on_delete=models.CASCADE, related_name="inspections",
                             verbose_name=_("task"))
    inspected_at = models.DateTimeField(_("inspected at"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("inspector"))
    finding = models.TextField(_("finding"))
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["task_id", "inspected_at", "id"]
        constraints = [
            models.CheckConstraint(name="inspection_verdict_valid", condition=Q(verdict__in=Verdict.values)),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.get_verdict_display()}"
