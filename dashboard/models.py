"""Daily roll-ups of the cases and tasks, kept up to date by the database itself.

On PostgreSQL, triggers on dispatch_case and dispatch_task add each row's contribution when it is
written and take the old one away when it changes (migration 0002), in the writing transaction:
whatever writes a case — a service, the admin, a command — the roll-ups follow, and a rolled-back
transaction leaves them as they were. `dashboard.rollups.rebuild` recomputes them from scratch
(bulk loads, SQLite for the demo). The dashboard then sums a few thousand roll-up rows instead of
scanning a year of cases.

Keys are plain integers (0 for "none") so that they can be unique without NULLs.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseDaily(models.Model):
    """Cases reported on `day` (Asia/Shanghai) in a street, and what became of them."""

    day = models.DateField(_("day"))
    street_id = models.IntegerField(_("street"))
    volume = models.IntegerField(_("reported"), default=0)
    accepted = models.IntegerField(_("accepted"), default=0)
    closed = models.IntegerField(_("closed"), default=0)
    closed_on_time = models.IntegerField(_("closed on time"), default=0)
    public_reports = models.IntegerField(_("public reports"), default=0)
    reworked = models.IntegerField(_("closed after rework"), default=0)
    resolved = models.IntegerField(_("resolved"), default=0)
    satisfied = models.IntegerField(_("satisfied"), default=0)
    basically_satisfied = models.IntegerField(_("basically satisfied"), default=0)
    dissatisfied = models.IntegerField(_("dissatisfied"), default=0)

    class Meta:
        verbose_name = _("daily case roll-up")
        verbose_name_plural = _("daily case roll-ups")
        constraints = [models.UniqueConstraint(fields=["day", "street_id"], name="casedaily_key")]
        indexes = [models.Index(fields=["street_id", "day"], name="casedaily_street_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.street_id}: {self.volume}"


class CategoryDaily(models.Model):
    """Cases reported on `day` in a street, by category (0: not yet filed): the category chart."""

    day = models.DateField(_("day"))
    street_id = models.IntegerField(_("street"))
    category_id = models.IntegerField(_("category"), default=0)
    volume = models.IntegerField(_("reported"), default=0)

    class Meta:
        verbose_name = _("daily category roll-up")
        verbose_name_plural = _("daily category roll-ups")
        constraints = [models.UniqueConstraint(fields=["day", "street_id", "category_id"], name="categorydaily_key")]
        indexes = [models.Index(fields=["street_id", "day"], name="categorydaily_street_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.street_id} {self.category_id}: {self.volume}"


class TaskDaily(models.Model):
    """Tasks given on `day` to an agency (or a department) for a street's cases, and how they went."""

    day = models.DateField(_("day"))
    street_id = models.IntegerField(_("street"))
    agency_id = models.IntegerField(_("agency"), default=0)
    department_id = models.IntegerField(_("department"), default=0)
    due = models.IntegerField(_("due"), default=0)
    handled = models.IntegerField(_("handled"), default=0)
    on_time = models.IntegerField(_("handled on time"), default=0)
    extended = models.IntegerField(_("extended"), default=0)
    received = models.IntegerField(_("received"), default=0)
    accept_due = models.IntegerField(_("to accept"), default=0)
    accepted_on_time = models.IntegerField(_("accepted on time"), default=0)
    return_requests = models.IntegerField(_("return requests"), default=0)
    returns_approved = models.IntegerField(_("returns approved"), default=0)

    class Meta:
        verbose_name = _("daily task roll-up")
        verbose_name_plural = _("daily task roll-ups")
        constraints = [models.UniqueConstraint(fields=["day", "street_id", "agency_id", "department_id"],
                                               name="taskdaily_key")]
        indexes = [models.Index(fields=["street_id", "day"], name="taskdaily_street_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.street_id} {self.agency_id or self.department_id}: {self.due}"


class GridState(models.Model):
    """The cases open in a grid now, how many of them are overdue (the map's colours), how many are
    with the district, how many are critical with their alarm still ringing, and how many were
    returned repeatedly (RETURNS_FLAGGED times or more)."""

    grid_id = models.IntegerField(_("grid"), primary_key=True)
    street_id = models.IntegerField(_("street"))
    open = models.IntegerField(_("open"), default=0)
    overdue_open = models.IntegerField(_("open and overdue"), default=0)
    escalated_open = models.IntegerField(_("open at the district"), default=0)
    alarm_open = models.IntegerField(_("open critical, alarm not acknowledged"), default=0)
    returned_open = models.IntegerField(_("open and returned repeatedly"), default=0)

    class Meta:
        verbose_name = _("grid state")
        verbose_name_plural = _("grid states")
        indexes = [models.Index(fields=["street_id"], name="gridstate_street_idx")]

    def __str__(self) -> str:
        return f"{self.grid_id}: {self.open} open, {self.overdue_open} overdue"
