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


class AuditEntry(models.Model):
    """One row of the security audit log (安全审计): who did what to which object, from where, with what
    outcome. Written only by `haidian.audit.record`; never updated or deleted (on PostgreSQL a trigger
    refuses it, as for events). The actor is kept by id and login, not by a foreign key, so that a user
    can be removed while their trail stays."""

    class Outcome(models.TextChoices):
        OK = "ok", _("succeeded")
        FAILED = "failed", _("failed")
        DENIED = "denied", _("refused")

    at = models.DateTimeField(_("at"), db_index=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OK)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("actor's login"), max_length=150, blank=True)
    actor_unit = models.CharField(_("actor's unit"), max_length=120, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("The audit log is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The audit log is append-only."))


# --- faults: what keeps working while Redis is down (haidian.cache, haidian.outbox) ----------------

class CacheEntry(models.Model):
    """The cache while Redis cannot be reached (haidian.cache.DatabaseCache): a pickled `value`, or
    a plain integer in `number` so that a rate limit's counter is incremented atomically in SQL."""

    key = models.CharField(_("key"), max_length=255, primary_key=True)
    value = models.BinaryField(_("value"), null=True)
    number = models.BigIntegerField(_("counter"), null=True)
    expires = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("cache entry (Redis fallback)")
        verbose_name_plural = _("cache entries (Redis fallback)")

    def __str__(self) -> str:
        return self.key


class OutboxTask(models.Model):
    """A Celery task that could not be sent (the broker was down), kept until it can be
    (haidian.outbox): beat and each worker's start send what is kept, then delete it. `key` is the
    call's digest, so the same idempotent call kept twice is one row."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    key = models.CharField(_("key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("kept at"))
    attempts = models.PositiveIntegerField(_("attempts to send"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("task waiting for the broker")
        verbose_name_plural = _("tasks waiting for the broker")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
