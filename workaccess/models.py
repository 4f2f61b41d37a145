"""Work access (工作准入) and delegated enforcement (委托管理执法).

A department that wants streets to take on a new task asks the district for it, naming the powers,
the yearly money and the people that go with the task (权随事走、费随事转、人随事调). A district
meeting approves or refuses it under a meeting reference; only an approved task is assigned to
streets, and each street acknowledges what it received.

Separately, the district keeps a catalogue of matters departments delegate to streets, each with its
legal basis and validity; a street acting on one records which catalogue entry it used.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Department, Street
from haidian.models import Event


class AccessStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted to the district meeting")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.DRAFT, cls.SUBMITTED]

    @classmethod
    def decided_values(cls) -> list[str]:
        return [cls.APPROVED, cls.REFUSED]


class AccessRequest(models.Model):
    """工作准入申请: a department's request to hand streets a new task."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="access_requests",
                                   verbose_name=_("department"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    powers = models.TextField(_("powers that go with the task"), help_text=_("权随事走"))
    budget_yuan = models.DecimalField(_("budget (yuan per year)"), max_digits=14, decimal_places=2,
                                      validators=[MinValueValidator(0)], help_text=_("费随事转"))
    staff_count = models.PositiveIntegerField(_("staff that go with the task"), help_text=_("人随事调"))
    status = models.CharField(_("status"), max_length=10, choices=AccessStatus.choices,
                              default=AccessStatus.DRAFT)
    meeting_reference = models.CharField(_("meeting reference"), max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("work access request")
        verbose_name_plural = _("work access requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="access_request_status_valid",
                                   condition=Q(status__in=AccessStatus.values)),
            models.CheckConstraint(name="access_request_decision_has_reference", condition=(
                ~Q(status__in=AccessStatus.decided_values())
                | (~Q(meeting_reference="") & Q(decided_at__isnull=False)))),
            models.CheckConstraint(name="access_request_budget_not_negative", condition=Q(budget_yuan__gte=0)),
        ]

    def __str__(self) -> str:
        return self.title


class AccessRequestEvent(Event):
    """One step on a work access request (drafted, submitted, approved or refused, assigned, acknowledged)."""

    SUBJECT = "request"
    request = models.ForeignKey(AccessRequest, on_delete=models.PROTECT, related_name="events",
                                verbose_name=_("work access request"), db_index=False)

    class Meta(Event.Meta):
        verbose_name = _("work access event")
        verbose_name_plural = _("work access events")
        indexes = [models.Index(fields=["request", "at"], name="accessevent_request_at_idx")]


class StreetAssignment(models.Model):
    """An approved task handed to one street, and the street's acknowledgement."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="assignments",
                                verbose_name=_("work access request"))
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="access_assignments",
                               verbose_name=_("street"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"))
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                        null=True, blank=True, verbose_name=_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("street assignment")
        verbose_name_plural = _("street assignments")
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "street"], name="access_assignment_once_per_street"),
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.street}"


class DelegatedMatter(models.Model):
    """委托管理执法事项: one entry of the district's catalogue."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="delegated_matters",
                                   verbose_name=_("delegating department"))
    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("Last day of validity; empty if open-ended."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("delegated matter")
        verbose_name_plural = _("delegated matters")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="delegated_matter_validity_ordered",
                                   condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from"))),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def valid_on(self, day) -> bool:
        return self.active and self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class DelegatedAction(models.Model):
    """A street's act under a delegated matter, naming the catalogue entry it relied on."""

    matter = models.ForeignKey(DelegatedMatter, on_delete=models.PROTECT, related_name="actions",
                               verbose_name=_("delegated matter"))
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="delegated_actions",
                               verbose_name=_("street"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    at = models.DateTimeField(_("acted at"))
    description = models.TextField(_("description"))
    case = models.ForeignKey("dispatch.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("case"))

    class Meta:
        verbose_name = _("delegated enforcement action")
        verbose_name_plural = _("delegated enforcement actions")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.matter.code} · {self.street} · {self.at:%Y-%m-%d}"
