"""The case workflow: categories, cases, tasks, the append-only event log and attachments.

Status values are part of the API. The allowed moves live in one table (`dispatch.workflow`),
and every write goes through a service in `dispatch.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Department, Street
from grids.models import Community, GridCell
from haidian.calendar import TimeUnit
from haidian.models import Event
from haidian.privacy import BlindIndexField, EncryptedCharField, EncryptedEmailField


class Category(models.Model):
    """A kind of problem. Top level: the reform's ten grid work areas; leaves carry the default
    department and the time limit used for due times."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("work area"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    default_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+", verbose_name=_("default department"))
    default_agency_kind = models.CharField(_("default agency type"), max_length=10, choices=Agency.Kind.choices,
                                           blank=True)
    time_limit = models.DecimalField(_("time limit"), max_digits=6, decimal_places=1, default=3)
    time_limit_unit = models.CharField(_("time limit unit"), max_length=15, choices=TimeUnit.choices,
                                       default=TimeUnit.WORKING_DAYS)
    # 签收: how long an agency has to accept a task of this kind, in working hours.
    accept_limit_hours = models.DecimalField(_("time to accept (working hours)"), max_digits=5, decimal_places=1,
                                             default=2, db_default=2)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(name="category_time_limit_positive", condition=Q(time_limit__gt=0)),
            models.CheckConstraint(name="category_accept_limit_positive", condition=Q(accept_limit_hours__gt=0)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("reported")
    FILED = "filed", _("filed")
    DISPATCHED = "dispatched", _("dispatched")
    RESPONDED = "responded", _("responded")
    CLOSED = "closed", _("closed")
    REJECTED = "rejected", _("rejected")

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.REPORTED, cls.FILED, cls.DISPATCHED, cls.RESPONDED]

    @classmethod
    def terminal_values(cls) -> list[str]:
        return [cls.CLOSED, cls.REJECTED]


OPEN_STATUSES = [status.value for status in CaseStatus.open_values()]


class Tier(models.TextChoices):
    """微循环 / 小循环 / 大循环."""

    GRID = "grid", _("grid (micro-cycle)")
    STREET = "street", _("street (small cycle)")
    DISTRICT = "district", _("district (big cycle)")


class Source(models.TextChoices):
    GRID_PATROL = "grid_patrol", _("grid patrol")
    RESIDENT = "resident", _("resident")
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    OPEN311 = "open311", _("Open311")
    STAFF = "staff", _("staff")


class Priority(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")
    CRITICAL = "critical", _("critical")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class Review(models.TextChoices):
    """不满意重办: what the street did with a reporter's "dissatisfied"."""

    NONE = "", _("none")
    PENDING = "pending", _("dissatisfied, to review")
    REOPENED = "reopened", _("reopened")
    EXPLAINED = "explained", _("explained to the reporter")


class CaseNumberSequence(models.Model):
    """The last case number handed out per day (Asia/Shanghai); incremented under a row lock."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Case(models.Model):
    """案卷: one reported problem, from collection to evaluation."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
                                 verbose_name=_("category"))
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    # street and grid need no index of their own: the composite ones below lead with them.
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="cases", verbose_name=_("street"),
                               db_index=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="cases",
                                  verbose_name=_("community"))
    grid = models.ForeignKey(GridCell, on_delete=models.PROTECT, related_name="cases", verbose_name=_("grid"),
                             db_index=False)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    external_id = models.CharField(_("external number"), max_length=40, null=True, blank=True,
                                   help_text=_("e.g. the 12345 hotline's work-order number"))
    # Personal data, encrypted at rest (haidian.privacy); the phone and email are found by their blind
    # index. Erased (made "") PERSONAL_DATA_RETENTION_DAYS after the case ends, or on the person's request.
    reporter_name = EncryptedCharField(_("reporter name"), max_length=50, blank=True, db_default="")
    reporter_phone = EncryptedCharField(_("reporter phone"), max_length=20, blank=True, db_default="")
    reporter_email = EncryptedEmailField(_("reporter email"), blank=True, db_default="")
    reporter_phone_index = BlindIndexField(source="reporter_phone", db_default="")
    reporter_email_index = BlindIndexField(source="reporter_email", db_default="")
    personal_data_erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="reported_cases", verbose_name=_("reported by"))
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.STREET)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates", verbose_name=_("duplicate of"), db_index=False)
    overdue = models.BooleanField(_("overdue"), default=False)
    # Whether the case was ever overdue: set with the first red card and never cleared (a new
    # dispatch, an extension or the district taking it over do not make a late case punctual).
    ever_overdue = models.BooleanField(_("ever overdue"), default=False, db_default=False)
    reopen_count = models.PositiveSmallIntegerField(_("reopen count"), default=0, db_default=0)
    # Return requests made on the case's tasks (退单), approved or refused.
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0, db_default=0)
    # What the reporter and the public are told of the outcome; the street may edit it.
    public_result = models.TextField(_("public result"), blank=True, db_default="")
    # A critical case rings on the dashboard until the command center acknowledges it.
    alarm_acknowledged_at = models.DateTimeField(_("alarm acknowledged at"), null=True, blank=True)
    # 群众反映强烈: many reports of this kind in this grid, or several reporters merged onto it.
    strongly_reflected_at = models.DateTimeField(_("strongly reflected since"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True)
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    review = models.CharField(_("review of a dissatisfied rating"), max_length=10, choices=Review.choices, blank=True,
                              default=Review.NONE, db_default="")
    # 回访: the street's call-back, kept apart from the reporter's own rating.
    callback_satisfaction = models.CharField(_("call-back satisfaction"), max_length=20,
                                             choices=Satisfaction.choices, blank=True, db_default="")
    callback_note = models.TextField(_("call-back note"), blank=True, db_default="")
    callback_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported at"))
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        # Every list is newest first with `id` breaking ties (the cursor pagination's order), so
        # each index ends with (-created_at, -id) and a page is an index range, never a sort.
        # The partial ones hold only open work: small, hot, and what the queues read all day.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="case_newest_idx"),
            models.Index(fields=["street", "status", "-created_at", "-id"], name="case_street_status_idx"),
            models.Index(fields=["street", "-created_at", "-id"], name="case_street_open_idx",
                         condition=Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["street", "-created_at", "-id"], name="case_street_overdue_idx",
                         condition=Q(overdue=True, status__in=OPEN_STATUSES)),
            models.Index(fields=["status", "-created_at", "-id"], name="case_district_open_idx",
                         condition=Q(tier="district", status__in=OPEN_STATUSES)),
            models.Index(fields=["grid", "-created_at", "-id"], name="case_grid_idx"),
            models.Index(fields=["duplicate_of"], name="case_duplicate_of_idx",
                         condition=Q(duplicate_of__isnull=False)),
            models.Index(fields=["street", "-created_at", "-id"], name="case_street_reflected_idx",
                         condition=Q(strongly_reflected_at__isnull=False, status__in=OPEN_STATUSES)),
            # The dashboard's feed of cases at the district, latest escalation first.
            models.Index(fields=["-escalated_at", "-id"], name="case_escalated_open_idx",
                         condition=Q(tier="district", status__in=OPEN_STATUSES)),
            # The street's queue 不满意待复核.
            models.Index(fields=["street", "-created_at", "-id"], name="case_street_review_idx",
                         condition=Q(review="pending")),
            # The dashboard's alarms: critical open cases nobody has acknowledged yet.
            models.Index(fields=["-created_at", "-id"], name="case_alarm_idx",
                         condition=Q(priority="critical", alarm_acknowledged_at=None, status__in=OPEN_STATUSES)),
            # A person's cases by their phone or email (most cases have neither: left out).
            models.Index(fields=["reporter_phone_index"], name="case_reporter_phone_idx",
                         condition=~Q(reporter_phone_index="")),
            models.Index(fields=["reporter_email_index"], name="case_reporter_email_idx",
                         condition=~Q(reporter_email_index="")),
            # The retention job's next cases: ended, personal data not yet erased.
            models.Index(fields=["closed_at"], name="case_retention_closed_idx",
                         condition=Q(status="closed", personal_data_erased_at=None)),
            models.Index(fields=["rejected_at"], name="case_retention_rejected_idx",
                         condition=Q(status="rejected", personal_data_erased_at=None)),
        ]
        constraints = [
            models.CheckConstraint(name="case_status_valid", condition=Q(status__in=CaseStatus.values)),
            models.CheckConstraint(name="case_tier_valid", condition=Q(tier__in=Tier.values)),
            models.UniqueConstraint(fields=["source", "external_id"], name="case_external_id_unique",
                                    condition=Q(external_id__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    # 退单审核: the agency asked to give the task back; the dispatcher approves (returned) or refuses.
    RETURN_REQUESTED = "return_requested", _("return requested")
    RESPONDED = "responded", _("responded")
    RETURNED = "returned", _("returned")
    CANCELLED = "cancelled", _("cancelled")

    @classmethod
    def active_values(cls) -> list[str]:
        return [cls.PENDING, cls.ACCEPTED, cls.RETURN_REQUESTED, cls.RESPONDED]


# Still the agency's to do: a task whose return waits for review keeps its clock running, so that
# asking to give work back never stops a deadline.
TO_DO_STATUSES = [TaskStatus.PENDING.value, TaskStatus.ACCEPTED.value, TaskStatus.RETURN_REQUESTED.value]


class TaskRole(models.TextChoices):
    LEAD = "lead", _("lead")
    COOPERATING = "cooperating", _("cooperating")


class ExtensionStatus(models.TextChoices):
    NONE = "", _("none")
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")


class Task(models.Model):
    """任务: a case handed to an agency (street tier) or a department (district tier)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case"))
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks",
                               verbose_name=_("agency"))
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="tasks", verbose_name=_("department"))
    role = models.CharField(_("role"), max_length=12, choices=TaskRole.choices, default=TaskRole.LEAD)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    due_at = models.DateTimeField(_("due at"))
    # 签收 deadline; `accepted_late` also when the task was answered without being accepted first.
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_late = models.BooleanField(_("accepted late"), default=False, db_default=False)
    ever_overdue = models.BooleanField(_("ever overdue"), default=False, db_default=False)
    return_requests = models.PositiveSmallIntegerField(_("return requests"), default=0, db_default=0)
    return_reason = models.TextField(_("return reason"), blank=True, db_default="")
    # The status a refused return puts the task back in.
    status_before_return = models.CharField(_("status before the return request"), max_length=16, blank=True,
                                            db_default="")
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    extension_status = models.CharField(_("extension"), max_length=10, choices=ExtensionStatus.choices, blank=True,
                                        default=ExtensionStatus.NONE)
    extension_until = models.DateTimeField(_("extension until"), null=True, blank=True)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    # When 75 % of the working time to `due_at` is used (the yellow card), kept with the due time
    # so that the sweep reads it from an index instead of computing working time for every task.
    warn_at = models.DateTimeField(_("yellow card at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        # Inboxes are by due time (the cursor's order); the partial ones hold the tasks still to do.
        indexes = [
            models.Index(fields=["agency", "status", "due_at", "id"], name="task_agency_status_idx"),
            models.Index(fields=["department", "status", "due_at", "id"], name="task_department_status_idx"),
            models.Index(fields=["agency", "due_at", "id"], name="task_agency_open_idx",
                         condition=Q(status__in=TO_DO_STATUSES)),
            models.Index(fields=["department", "due_at", "id"], name="task_department_open_idx",
                         condition=Q(status__in=TO_DO_STATUSES)),
            # The deadline sweep's two questions: whose yellow point and whose due time have passed.
            models.Index(fields=["warn_at"], name="task_open_warn_idx", condition=Q(status__in=TO_DO_STATUSES)),
            models.Index(fields=["due_at"], name="task_open_due_idx", condition=Q(status__in=TO_DO_STATUSES)),
            # The dispatchers' queue of returns to review (退单审核): few rows, read on every workbench.
            models.Index(fields=["due_at", "id"], name="task_return_requested_idx",
                         condition=Q(status="return_requested")),
        ]
        constraints = [
            models.CheckConstraint(
                name="task_exactly_one_assignee",
                condition=Q(agency__isnull=False, department=None) | Q(agency=None, department__isnull=False),
            ),
            # The database itself refuses a second live lead task: two dispatchers racing on one
            # case cannot both succeed even if a service forgot its lock.
            models.UniqueConstraint(fields=["case"], name="task_one_active_lead_per_case",
                                    condition=Q(role="lead", status__in=TaskStatus.active_values())),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.assignee}"

    @property
    def assignee(self):
        return self.agency or self.department


class CaseEvent(Event):
    """One action on a case, on the record for ever: the case timeline. Never updated or deleted."""

    SUBJECT = "case"
    # No index of its own: (case, at) below serves every lookup by case, and the events table is
    # the largest one (≈ 6 rows per case), so each index costs on every write.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"),
                             db_index=False)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="events",
                             verbose_name=_("task"), db_index=False)
    # A case's and a task's statuses are short: the largest table keeps its narrower columns.
    from_status = models.CharField(_("from status"), max_length=12, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, blank=True)

    class Meta(Event.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [
            models.Index(fields=["case", "at"], name="caseevent_case_at_idx"),
            models.Index(fields=["task"], name="caseevent_task_idx", condition=Q(task__isnull=False)),
        ]


class Attachment(models.Model):
    class Kind(models.TextChoices):
        BEFORE = "before", _("photo before")
        AFTER = "after", _("photo after")
        EVIDENCE = "evidence", _("evidence")
        DOCUMENT = "document", _("document")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("case"))
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments",
                             verbose_name=_("task"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EVIDENCE)
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="cases/thumbs/%Y/%m/", blank=True)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.file.name


class CardKind(models.TextChoices):
    YELLOW = "yellow", _("yellow card: three quarters of the time used")
    RED = "red", _("red card: past the due time")


class DeadlineCard(models.Model):
    """黄牌 / 红牌 raised by the deadline sweep. One per task, kind and deadline: the unique
    constraint is what makes the sweep's effects happen once however often or concurrently it runs;
    a new deadline (an extension, rework) can earn new cards."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="cards", verbose_name=_("task"))
    kind = models.CharField(_("kind"), max_length=10, choices=CardKind.choices)
    due_at = models.DateTimeField(_("deadline"))
    raised_at = models.DateTimeField(_("raised at"))

    class Meta:
        verbose_name = _("deadline card")
        verbose_name_plural = _("deadline cards")
        ordering = ["-raised_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["task", "kind", "due_at"], name="card_once_per_deadline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.task_id}"


class LetterStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


class LetterNumberSequence(models.Model):
    """The last letter number a street gave in a year; taken under the row lock inside the issuing
    transaction, so numbers are unique and gap-free (a failed issue rolls its number back)."""

    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="+", verbose_name=_("street"))
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("letter number sequence")
        verbose_name_plural = _("letter number sequences")
        constraints = [models.UniqueConstraint(fields=["street", "year"], name="letter_sequence_per_street_year")]

    def __str__(self) -> str:
        return f"{self.street_id} {self.year}: {self.last}"


class DeadlineLetter(models.Model):
    """问题限期受理函告: a street's formal letter to an agency about cases, with a deadline."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="letters", verbose_name=_("street"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="letters", verbose_name=_("agency"))
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=40, unique=True)
    cases = models.ManyToManyField(Case, related_name="letters", verbose_name=_("cases"))
    requirement = models.TextField(_("requirement"))
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(_("status"), max_length=15, choices=LetterStatus.choices, default=LetterStatus.ISSUED)
    overdue = models.BooleanField(_("overdue"), default=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    feedback = models.TextField(_("feedback to the reporters"), blank=True)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline letter")
        verbose_name_plural = _("deadline letters")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["street", "year", "sequence"], name="letter_number_once"),
        ]
        indexes = [models.Index(fields=["deadline"], name="letter_open_deadline_idx",
                                condition=Q(status__in=["issued", "acknowledged"]))]

    def __str__(self) -> str:
        return self.number


class LetterEvent(Event):
    """One step on a deadline letter (issued, acknowledged, answered, feedback, closed, gone overdue)."""

    SUBJECT = "letter"
    letter = models.ForeignKey(DeadlineLetter, on_delete=models.PROTECT, related_name="events",
                               verbose_name=_("letter"), db_index=False)

    class Meta(Event.Meta):
        verbose_name = _("letter event")
        verbose_name_plural = _("letter events")
        indexes = [models.Index(fields=["letter", "at"], name="letterevent_letter_at_idx")]
