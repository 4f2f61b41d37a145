"""Tables every app shares: the working calendar; the shape of every object's event log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One step taken on an object, on the record for ever: who, for which unit, when, from which
    status to which, with a note and the step's data. Never updated or deleted (on PostgreSQL a
    trigger refuses it too: `haidian.workflow.append_only`). Each object's table adds its foreign key
    to the object, named in SUBJECT."""

    SUBJECT = ""  # the foreign key to the object the events are about

    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("actor"))
    # "<code> <name>" of the acting unit: an agency's code (20) and name (80) fit.
    actor_unit = models.CharField(_("actor's unit"), max_length=120, blank=True)
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{getattr(self, self.SUBJECT + '_id')} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Events are append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Events are append-only."))


class CalendarYear(models.Model):
    """A year whose official arrangement (holidays and makeup workdays) is loaded.

    A year without a row here falls back to Monday–Friday, and the home page and admin say so.
    """

    class Source(models.TextChoices):
        CHINESECALENDAR = "chinesecalendar", _("chinesecalendar package")
        ADMIN = "admin", _("entered by an administrator")

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.ADMIN)
    note = models.CharField(_("note"), max_length=200, blank=True,
                            help_text=_("e.g. the State Council notice this arrangement follows."))
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One day of a loaded year: working or not, and the holiday's name."""

    date = models.DateField(_("date"), unique=True)
    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("year"))
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("holiday or makeup day"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                name="calendar_day_in_its_year",
                condition=models.Q(date__year=models.F("year_id")),
            ),
        ]

    def __str__(self) -> str:
        return self.date.isoformat()
