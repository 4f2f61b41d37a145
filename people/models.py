"""Who serves where: a person's role in one organisation unit.

`Membership` is the one record of where a person serves and in which role. The permission gate
(`haidian.permissions`) and the role predicates (`people.selectors`) both read it, in one query per
request. `membership_grant` / `membership_revoke` are the only writers; they also keep the person's
role groups and django-guardian's "serve" object permissions on the unit in step with it
(`manage.py check_scope` finds anyone for whom they disagree).

A membership also says what the person does there for the public (`duty`, `public_phone`): a grid's
public roster (实名制公示) lists its grid workers and the department staff sunk to it (下沉人员,
one person one grid or several grids) from these, each with their agency (their agency membership).
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Department, District, Street
from grids.models import Community, GridCell
from haidian.permissions import Role

# A work phone the public may call (shown on rosters and posters): digits, spaces and hyphens.
public_phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 -]{5,18}[0-9]$", _("Digits, spaces and hyphens only, e.g. 010-62345678."))


class Membership(models.Model):
    """A person's role in one organisation unit. Exactly one unit is set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.CASCADE,
                                 verbose_name=_("district"))
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE,
                                   verbose_name=_("department"))
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.CASCADE,
                               verbose_name=_("street"))
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE,
                               verbose_name=_("agency"))
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.CASCADE,
                                  verbose_name=_("community"))
    grid = models.ForeignKey(GridCell, null=True, blank=True, on_delete=models.CASCADE,
                             verbose_name=_("grid"))
    title = models.CharField(_("job title"), max_length=50, blank=True)
    duty = models.CharField(_("duty"), max_length=100, blank=True,
                            help_text=_("What the person does here, as the public roster shows it, e.g. "
                                        "社区民警：治安防范、矛盾调解; 城管队员; 网格员."))
    public_phone = models.CharField(_("public phone"), max_length=20, blank=True,
                                    validators=[public_phone_validator],
                                    help_text=_("A work phone the public may call, never a private number."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # The membership field for each kind of unit, by model label.
    UNIT_FIELD_BY_MODEL = {
        "agencies.district": "district",
        "agencies.department": "department",
        "agencies.street": "street",
        "agencies.agency": "agency",
        "grids.community": "community",
        "grids.gridcell": "grid",
    }
    UNIT_FIELDS = tuple(UNIT_FIELD_BY_MODEL.values())

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        # 三员分立: only the security administrator (and a superuser) grants the administrator roles.
        permissions = [("grant_admin_role", _("Can grant and revoke the administrator roles"))]
        constraints = [
            models.CheckConstraint(
                name="membership_exactly_one_unit",
                condition=(
                    Q(district__isnull=False, department=None, street=None, agency=None, community=None, grid=None)
                    | Q(district=None, department__isnull=False, street=None, agency=None, community=None, grid=None)
                    | Q(district=None, department=None, street__isnull=False, agency=None, community=None, grid=None)
                    | Q(district=None, department=None, street=None, agency__isnull=False, community=None, grid=None)
                    | Q(district=None, department=None, street=None, agency=None, community__isnull=False, grid=None)
                    | Q(district=None, department=None, street=None, agency=None, community=None, grid__isnull=False)
                ),
            ),
            models.CheckConstraint(name="membership_role_valid", condition=Q(role__in=Role.values)),
            # 下沉: a department's staff are sunk to grids, nowhere else.
            models.CheckConstraint(name="membership_sunk_staff_in_a_grid",
                                   condition=~Q(role=Role.SUNK_STAFF) | Q(grid__isnull=False)),
            models.UniqueConstraint(fields=["user", "role", "district"], name="membership_unique_district",
                                    condition=Q(district__isnull=False)),
            models.UniqueConstraint(fields=["user", "role", "department"], name="membership_unique_department",
                                    condition=Q(department__isnull=False)),
            models.UniqueConstraint(fields=["user", "role", "street"], name="membership_unique_street",
                                    condition=Q(street__isnull=False)),
            models.UniqueConstraint(fields=["user", "role", "agency"], name="membership_unique_agency",
                                    condition=Q(agency__isnull=False)),
            models.UniqueConstraint(fields=["user", "role", "community"], name="membership_unique_community",
                                    condition=Q(community__isnull=False)),
            models.UniqueConstraint(fields=["user", "role", "grid"], name="membership_unique_grid",
                                    condition=Q(grid__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def unit(self) -> models.Model:
        for name in self.UNIT_FIELDS:
            value = getattr(self, name)
            if value is not None:
                return value
        raise ValueError("membership without a unit")

    @property
    def unit_field(self) -> str:
        return self.UNIT_FIELD_BY_MODEL[self.unit._meta.label_lower]


class PasswordState(models.Model):
    """What the identity rules (身份鉴别) keep about an account's password: whether an administrator set
    it, so that its owner must choose their own at the next login (首次登录修改口令), and when they last did.
    No row means nothing to do: accounts made by seeding (seed_demo's), commands and tests."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                related_name="password_state", verbose_name=_("user"))
    must_change = models.BooleanField(_("must change the password at the next login"), default=False)
    set_by_administrator_at = models.DateTimeField(_("set by an administrator at"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed by its owner at"), null=True, blank=True)

    class Meta:
        verbose_name = _("password state")
        verbose_name_plural = _("password states")

    def __str__(self) -> str:
        return f"{self.user} · {'must change' if self.must_change else 'ok'}"
