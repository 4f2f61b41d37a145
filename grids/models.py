"""Communities and unit grids (网格). Grid codes follow Beijing's 15-digit pattern:
6 district + 3 street + 3 community + 3 grid, e.g. 110108007012003."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Street

community_code_validator = RegexValidator(r"^\d{12}$", _("A community code has 12 digits."))
grid_code_validator = RegexValidator(r"^\d{15}$", _("A grid code has 15 digits."))


class Community(models.Model):
    """社区 / 村."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("community")
        VILLAGE = "village", _("village")

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities",
                               verbose_name=_("street"))
    code = models.CharField(_("code"), max_length=12, unique=True, validators=[community_code_validator])
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMUNITY)
    synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Generated demo data, not a real community.")
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["code"]
        permissions = [("serve_community", _("Serves in this community"))]
        constraints = [
            models.CheckConstraint(name="community_code_12_digits", condition=models.Q(code__regex=r"^\d{12}$")),
        ]

    def __str__(self) -> str:
        return self.name


class GridCell(models.Model):
    """网格: the smallest unit of service; its boundary is a GeoJSON Polygon or MultiPolygon
    in WGS84 longitude/latitude."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="grids",
                                  verbose_name=_("community"))
    code = models.CharField(_("code"), max_length=15, unique=True, validators=[grid_code_validator])
    name = models.CharField(_("name"), max_length=80)
    boundary = models.JSONField(_("boundary (GeoJSON)"))
    area_m2 = models.FloatField(_("area (m²)"), default=0)
    centroid_lat = models.FloatField(_("centroid latitude"), default=0)
    centroid_lng = models.FloatField(_("centroid longitude"), default=0)
    synthetic = models.BooleanField(_("synthetic"), default=False,
                                    help_text=_("Generated demo boundary, not a surveyed one."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]
        permissions = [("serve_gridcell", _("Serves in this grid"))]
        constraints = [
            models.CheckConstraint(name="grid_code_15_digits", condition=models.Q(code__regex=r"^\d{15}$")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Patrol(models.Model):
    """巡查日志: one round of a grid worker's patrol of a grid, from start to end."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols",
                               verbose_name=_("grid worker"))
    grid = models.ForeignKey(GridCell, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("grid"))
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["worker", "-started_at"], name="patrol_worker_idx"),
                   models.Index(fields=["grid", "-started_at"], name="patrol_grid_idx")]
        constraints = [
            # One patrol under way per person: two taps on "start" cannot open two.
            models.UniqueConstraint(fields=["worker"], condition=models.Q(ended_at=None),
                                    name="patrol_one_open_per_worker"),
            models.CheckConstraint(name="patrol_ends_after_start",
                                   condition=models.Q(ended_at=None) | models.Q(ended_at__gte=models.F("started_at"))),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.grid.code} · {self.started_at:%Y-%m-%d %H:%M}"
