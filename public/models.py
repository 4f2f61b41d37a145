"""What the public pages keep: each grid's public roster, and the private follow links of cases."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dispatch.models import Case
from grids.models import GridCell
from people.models import public_phone_validator  # the rule of a phone the public sees, wherever it is kept


class RosterEntry(models.Model):
    """实名制公示: one person serving a grid, as the public sees them on the grid's page and poster.

    For the people without an account (a community's party secretary, a property manager …):
    everyone with one is on the roster through their membership of the grid (grid workers and the
    staff sunk to it, `people.Membership` duty and public phone). Entered by administrators (a
    grid's roster changes with appointments, a few times a year); only what is meant for the
    public: a name, the serving unit, the duty and a work phone."""

    grid = models.ForeignKey(GridCell, on_delete=models.CASCADE, related_name="roster_entries",
                             verbose_name=_("grid"))
    name = models.CharField(_("name"), max_length=50)
    unit = models.CharField(_("unit"), max_length=80, help_text=_("e.g. 学院路派出所, 学院路街道城管分队"))
    duty = models.CharField(_("duty"), max_length=100, help_text=_("e.g. 网格员, 社区民警, 城管队员, 社区党委书记"))
    public_phone = models.CharField(_("public phone"), max_length=20, blank=True,
                                    validators=[public_phone_validator],
                                    help_text=_("A work phone the public may call, never a private number."))
    order = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Smaller numbers are listed first."))
    active = models.BooleanField(_("shown"), default=True, help_text=_("Untick to take the person off the roster."))
    demo = models.BooleanField(_("demo data"), default=False,
                               help_text=_("Synthetic person written by seed_roster, not a real one."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("grid roster (实名制公示)")
        ordering = ["grid", "order", "id"]
        indexes = [models.Index(fields=["grid", "order", "id"], name="roster_grid_shown_idx",
                                condition=Q(active=True))]

    def __str__(self) -> str:
        return f"{self.grid.code} · {self.duty} · {self.name}"


class FollowToken(models.Model):
    """The private link `/follow/<token>/` of a case: the reporter gets it right after reporting,
    or by the case number and the last four digits of their phone. The token is the only credential
    of that page, so it is 256 random bits."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="follow_token",
                                verbose_name=_("case"))
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("follow link")
        verbose_name_plural = _("follow links")

    def __str__(self) -> str:
        return str(self.case_id)
