"""吹哨报到 — "the street blows the whistle, the departments report": a street's sub-center summons the
agencies serving it, or the district's departments, to come to a case on site within so many minutes;
each summoned unit checks in (报到) from the place, on time or late, or is marked missing by the sweep.

A summons only points at its case: the case's own workflow (status, tasks, lead agency, CaseEvents)
is dispatch's and is never touched here. The summons keeps its own append-only log (`SummonsEvent`).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidian.models import Event

# The longest time a street may give a unit to come: one day.
MAX_MINUTES = 24 * 60


class UnitStatus(models.TextChoices):
    """A summoned unit's answer. `pending` and `missing` still wait for the unit (a unit that comes after
    being marked missing is late); `on_time` and `late` are final."""

    PENDING = "pending", _("waiting to report")
    ON_TIME = "on_time", _("reported on time")
    LATE = "late", _("reported late")
    MISSING = "missing", _("did not report")

    @classmethod
    def waiting_values(cls) -> list[str]:
        return [cls.PENDING.value, cls.MISSING.value]

    @classmethod
    def checked_in_values(cls) -> list[str]:
        return [cls.ON_TIME.value, cls.LATE.value]


class Summons(models.Model):
    """吹哨: a street calls units to a case on site."""

    case = models.ForeignKey("dispatch.Case", on_delete=models.PROTECT, related_name="summonses",
                             verbose_name=_("case"))
    street = models.ForeignKey("agencies.Street", on_delete=models.PROTECT, related_name="summonses",
                               verbose_name=_("street"), db_index=False)
    note = models.TextField(_("note"), blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes to report"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("whistled by"))
    created_at = models.DateTimeField(_("whistled at"))

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["street", "-created_at", "-id"], name="summons_street_newest_idx")]
        constraints = [
            models.CheckConstraint(name="summons_minutes_in_range",
                                   condition=Q(minutes__gte=1, minutes__lte=MAX_MINUTES)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def due_at(self) -> dt.datetime:
        """When the summoned units must be on site (each unit keeps its own copy, `SummonedUnit.due_at`)."""
        return self.created_at + dt.timedelta(minutes=self.minutes)


class SummonedUnit(models.Model):
    """One agency or department called by a summons, and its check-in (报到). Exactly one unit is set."""

    summons = models.ForeignKey(Summons, on_delete=models.CASCADE, related_name="units", verbose_name=_("summons"))
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="summoned", verbose_name=_("agency"))
    department = models.ForeignKey("agencies.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="summoned", verbose_name=_("department"))
    due_at = models.DateTimeField(_("report by"))
    status = models.CharField(_("status"), max_length=10, choices=UnitStatus.choices, default=UnitStatus.PENDING)
    checked_in_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("reported by"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    # Why the point is not the phone's own (location refused or unavailable: the case's point instead).
    location_note = models.CharField(_("location note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("summoned unit")
        verbose_name_plural = _("summoned units")
        ordering = ["summons_id", "id"]
        indexes = [
            # The sweep's one question: who is still pending past their time?
            models.Index(fields=["due_at"], name="summoned_pending_due_idx", condition=Q(status="pending")),
            models.Index(fields=["agency", "summons"], name="summoned_agency_idx", condition=Q(agency__isnull=False)),
            models.Index(fields=["department", "summons"], name="summoned_department_idx",
                         condition=Q(department__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(name="summoned_exactly_one_unit",
                                   condition=Q(agency__isnull=False, department=None)
                                   | Q(agency=None, department__isnull=False)),
            models.CheckConstraint(name="summoned_status_valid", condition=Q(status__in=UnitStatus.values)),
            models.CheckConstraint(name="summoned_checked_in_when_reported",
                                   condition=Q(status__in=UnitStatus.checked_in_values(), checked_in_at__isnull=False)
                                   | Q(status__in=UnitStatus.waiting_values(), checked_in_at=None)),
            models.UniqueConstraint(fields=["summons", "agency"], name="summoned_agency_once",
                                    condition=Q(agency__isnull=False)),
            models.UniqueConstraint(fields=["summons", "department"], name="summoned_department_once",
                                    condition=Q(department__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.summons_id} · {self.unit}"

    @property
    def unit(self):
        return self.agency if self.agency_id else self.department

    @property
    def kind(self) -> str:
        """"agency" or "department"."""
        return "agency" if self.agency_id else "department"

    @property
    def code(self) -> str:
        return self.unit.code

    @property
    def is_waiting(self) -> bool:
        return self.status in UnitStatus.waiting_values()


class SummonsEvent(Event):
    """One step on a summons: the whistle, a unit's check-in, a unit marked missing. `summoned_unit` names
    the unit a step is about (none for the whistle itself)."""

    SUBJECT = "summons"
    summons = models.ForeignKey(Summons, on_delete=models.PROTECT, related_name="events",
                                verbose_name=_("summons"), db_index=False)
    summoned_unit = models.ForeignKey(SummonedUnit, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="events", verbose_name=_("summoned unit"), db_index=False)

    class Meta(Event.Meta):
        verbose_name = _("summons event")
        verbose_name_plural = _("summons events")
        indexes = [
            models.Index(fields=["summons", "at"], name="summonsevent_summons_at_idx"),
            models.Index(fields=["summoned_unit"], name="summonsevent_unit_idx",
                         condition=Q(summoned_unit__isnull=False)),
        ]
