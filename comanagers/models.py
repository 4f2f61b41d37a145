"""Co-managers (协管员): posts, the yearly pay standard of each post, each street's quota set by the
district (总量控制), and the co-managers themselves — sunk to grids or held centrally.

Personal data is kept to a name and a phone number; the phone is encrypted at rest with a blind index
(`haidian.privacy`) and masked for anyone outside the co-manager's street (`haidian.privacy.mask_phone`).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Street
from haidian.privacy import BlindIndexField, EncryptedCharField


class Post(models.Model):
    """协管员岗位, e.g. 治安协管员 (one post, one duty) or 安全信息员 (part-time, several duties)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    one_post_one_duty = models.BooleanField(
        _("one post, one duty"), default=False,
        help_text=_("A specialist post (一岗一责): its holders carry no extra duties."))
    part_time = models.BooleanField(_("part-time"), default=False)

    class Meta:
        verbose_name = _("co-manager post")
        verbose_name_plural = _("co-manager posts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PayStandard(models.Model):
    """The monthly pay of a post in one year."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="pay_standards", verbose_name=_("post"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    monthly_amount = models.DecimalField(_("monthly amount (yuan)"), max_digits=9, decimal_places=2,
                                         validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("pay standard")
        verbose_name_plural = _("pay standards")
        ordering = ["post__code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["post", "year"], name="paystandard_one_per_post_year"),
            models.CheckConstraint(name="paystandard_amount_not_negative", condition=Q(monthly_amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.year} · {self.monthly_amount}"


class Quota(models.Model):
    """总量控制: how many co-managers a street may have in a year, set by the district command.

    Its row is also the lock that serialises hiring in the street and year (`comanager_hire`).
    """

    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="comanager_quotas",
                               verbose_name=_("street"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    count = models.PositiveIntegerField(_("quota"), default=0)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("set by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("co-manager quota")
        verbose_name_plural = _("co-manager quotas")
        ordering = ["street__code", "-year"]
        constraints = [models.UniqueConstraint(fields=["street", "year"], name="quota_one_per_street_year")]

    def __str__(self) -> str:
        return f"{self.street} · {self.year} · {self.count}"


class Placement(models.TextChoices):
    NORMAL = "normal", _("normal hiring")
    POLICY = "policy", _("policy placement (person with employment difficulties)")


class Deployment(models.TextChoices):
    GRIDS = "grids", _("sunk to grids (daily work scheduled by the community)")
    CENTRAL = "central", _("held centrally by the street")


class CoManager(models.Model):
    """协管员: one person in one post of one street."""

    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedCharField(_("phone"), max_length=20)  # encrypted at rest (haidian.privacy)
    phone_index = BlindIndexField(source="phone", db_index=True)
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="comanagers", verbose_name=_("post"))
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="comanagers", verbose_name=_("street"))
    hired_at = models.DateField(_("hired on"))
    left_at = models.DateField(_("left on"), null=True, blank=True)
    placement = models.CharField(_("placement"), max_length=10, choices=Placement.choices, default=Placement.NORMAL)
    placement_reason = models.TextField(_("placement reason"), blank=True)
    placement_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("placement approved by"))
    deployment = models.CharField(_("deployment"), max_length=10, choices=Deployment.choices)
    grids = models.ManyToManyField("grids.GridCell", blank=True, related_name="comanagers", verbose_name=_("grids"))
    central_reason = models.TextField(
        _("reason for central deployment"), blank=True, help_text=_("E.g. mediator of the joint mediation room."))
    extra_duties = models.TextField(_("extra duties"), blank=True)
    hired_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("hired by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-manager")
        verbose_name_plural = _("co-managers")
        ordering = ["street__code", "name", "id"]
        indexes = [models.Index(fields=["street", "left_at"], name="comanager_street_left_idx")]
        constraints = [
            models.CheckConstraint(name="comanager_placement_valid", condition=Q(placement__in=Placement.values)),
            models.CheckConstraint(name="comanager_deployment_valid", condition=Q(deployment__in=Deployment.values)),
            # The services check these with clear messages; the database keeps them true.
            models.CheckConstraint(
                name="comanager_policy_has_reason_and_approver",
                condition=~Q(placement=Placement.POLICY) | (~Q(placement_reason="")
                                                            & Q(placement_approver__isnull=False))),
            models.CheckConstraint(name="comanager_central_has_reason",
                                   condition=~Q(deployment=Deployment.CENTRAL) | ~Q(central_reason="")),
            models.CheckConstraint(name="comanager_leaves_after_hire",
                                   condition=Q(left_at=None) | Q(left_at__gte=models.F("hired_at"))),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.post} · {self.street}"
