"""Bookkeeping of generated history (never in production)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScaleRun(models.Model):
    """One `seed_scale` load of generated history; `days_done` makes it resumable."""

    seed = models.IntegerField(_("seed"))
    first_day = models.DateField(_("first day"))
    days = models.PositiveIntegerField(_("days"))
    per_day = models.PositiveIntegerField(_("cases per day"))
    days_done = models.PositiveIntegerField(_("days done"), default=0)
    cases = models.PositiveBigIntegerField(_("cases written"), default=0)
    events = models.PositiveBigIntegerField(_("events written"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("generated history load")
        verbose_name_plural = _("generated history loads")
        constraints = [
            models.UniqueConstraint(fields=["seed", "first_day", "days", "per_day"], name="bench_scalerun_unique"),
        ]

    def __str__(self) -> str:
        return f"seed {self.seed}: {self.days} × {self.per_day} from {self.first_day}"

    @property
    def complete(self) -> bool:
        return self.days_done >= self.days
