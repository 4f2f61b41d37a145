"""Management of dispatched agencies: who schedules them, whose budget carries them, and the
appointments (干部任免) of their leaders.

An appointment of a dual-mode or mainly-local agency's leader is proposed by its department, gets
the street party committee's written opinion or written consent, and is filed with the district HR
bureau. A local-mode agency's leaders are appointed by the street directly.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Street
from haidian.models import Event


class Requirement(models.TextChoices):
    """What an appointment needs from the street before it can be filed."""

    STREET_APPOINTS = "street_appoints", _("appointed by the street directly")
    OPINION = "opinion", _("the street party committee's written opinion")
    CONSENT = "consent", _("the street party committee's written consent")


class Holder(models.TextChoices):
    STREET = "street", _("street")
    DEPARTMENT = "department", _("department")


class AgencyBudget(models.Model):
    """One year's budget of an agency and who carries it (recorded per year)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("agency"))
    year = models.PositiveSmallIntegerField(_("year"))
    holder = models.CharField(_("carried by"), max_length=10, choices=Holder.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("agency budget")
        verbose_name_plural = _("agency budgets")
        ordering = ["agency__code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="agency_budget_unique_per_year"),
            models.CheckConstraint(name="agency_budget_amount_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.year}"


class Position(models.TextChoices):
    HEAD = "head", _("head")
    DEPUTY = "deputy", _("deputy head")
    EXECUTIVE_DEPUTY = "executive_deputy", _("executive deputy head")


class AppointmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed by the department")
    DOCUMENT_ATTACHED = "document_attached", _("street document attached")
    FILED = "filed", _("filed with the HR bureau")
    REFUSED_INVALID = "refused_invalid", _("refused as invalid")
    APPOINTED = "appointed", _("appointed by the street")

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.PROPOSED, cls.DOCUMENT_ATTACHED]

    @classmethod
    def terminal_values(cls) -> list[str]:
        return [cls.FILED, cls.REFUSED_INVALID, cls.APPOINTED]


class Verdict(models.TextChoices):
    AGREE = "agree", _("agrees")
    DISAGREE = "disagree", _("disagrees")


class Appointment(models.Model):
    """干部任免: one leader's appointment to one agency serving one street."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="appointments",
                               verbose_name=_("agency"))
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="appointments",
                               verbose_name=_("street"))
    candidate_name = models.CharField(_("candidate"), max_length=50)
    position = models.CharField(_("post held"), max_length=20, choices=Position.choices)
    requirement = models.CharField(_("requirement"), max_length=20, choices=Requirement.choices,
                                   help_text=_("Fixed when the appointment is proposed."))
    status = models.CharField(_("status"), max_length=20, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"))
    document_kind = models.CharField(_("document"), max_length=20, choices=Requirement.choices, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)
    document_text = models.TextField(_("opinion"), blank=True)
    document_file = models.FileField(_("document file"), upload_to="appointments/%Y/%m/", blank=True)
    document_content_type = models.CharField(max_length=50, blank=True)
    document_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("document attached by"))
    document_at = models.DateTimeField(_("document attached at"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("filed by"))
    filed_at = models.DateTimeField(_("filed with the HR bureau at"), null=True, blank=True)
    hr_reference = models.CharField(_("HR bureau reference"), max_length=50, blank=True)
    refusal_reason = models.CharField(_("reason refused"), max_length=200, blank=True)
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(name="appointment_status_valid", condition=Q(status__in=AppointmentStatus.values)),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_name} · {self.agency} · {self.get_position_display()}"


class AppointmentEvent(Event):
    """One step of an appointment (proposed or appointed, document attached, filed, filing refused)."""

    SUBJECT = "appointment"
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="events",
                                    verbose_name=_("appointment"), db_index=False)

    class Meta(Event.Meta):
        verbose_name = _("appointment event")
        verbose_name_plural = _("appointment events")
        indexes = [models.Index(fields=["appointment", "at"], name="appointmentevent_at_idx")]


class PartyCommitteeSeat(models.Model):
    """A 派出所 head's seat on the street party committee, recorded when the appointment is filed.

    A new head's seat ends the previous one (`ended_at`): one open seat per street and agency.
    """

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="party_committee_seats",
                               verbose_name=_("street"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="party_committee_seats",
                               verbose_name=_("agency"))
    person_name = models.CharField(_("person"), max_length=50)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("user"))
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="party_committee_seat",
                                       verbose_name=_("appointment"))
    since = models.DateTimeField(_("since"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("party committee seat")
        verbose_name_plural = _("party committee seats")
        ordering = ["street__code", "-since"]
        constraints = [
            models.UniqueConstraint(fields=["street", "agency"], condition=Q(ended_at=None),
                                    name="party_committee_one_open_seat_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} · {self.street}"
