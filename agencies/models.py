"""The organisation: district, streets and towns, departments and their dispatched agencies.

Codes are stable identifiers used in URLs, imports and usernames: a district is its 6-digit
administrative code (110108), a street adds 3 digits (110108007), a department or agency adds a
short Latin tag (110108-ga, 110108007-pcs). A unit serving several streets is numbered within its
department (110108-hw-01: the district, the department's tag, its number).
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

district_code_validator = RegexValidator(r"^\d{6}$", _("A district code has 6 digits."))
street_code_validator = RegexValidator(r"^\d{9}$", _("A street code has 9 digits."))
unit_tag_validator = RegexValidator(
    r"^\d{6,9}-[a-z]{2,8}$", _("Use the area code, a hyphen and a short lowercase tag, e.g. 110108007-pcs.")
)
agency_code_validator = RegexValidator(
    r"^(\d{9}-[a-z]{2,8}|\d{6}-[a-z]{2,8}(-\d{2})?)$",
    _("Use the street code, a hyphen and a short lowercase tag (110108007-pcs), or for a unit serving several "
      "streets the district code, the department's tag and a number (110108-hw-01)."),
)


class District(models.Model):
    """区."""

    code = models.CharField(_("code"), max_length=6, unique=True, validators=[district_code_validator])
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]
        permissions = [("serve_district", _("Serves in this district"))]
        constraints = [
            models.CheckConstraint(name="district_code_6_digits", condition=Q(code__regex=r"^\d{6}$")),
        ]

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """街道 / 镇 / 地区办事处: the sub-center that files and dispatches its area's problems."""

    class Kind(models.TextChoices):
        STREET = "street", _("street")
        TOWN = "town", _("town")
        AREA = "area", _("area office")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("district")
    )
    code = models.CharField(_("code"), max_length=9, unique=True, validators=[street_code_validator])
    name = models.CharField(_("name"), max_length=50)
    short_name = models.CharField(
        _("short name"), max_length=20, help_text=_("Used in letter numbers, e.g. 学院路街道函〔2026〕12号.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STREET)

    class Meta:
        verbose_name = _("street or town")
        verbose_name_plural = _("streets and towns")
        ordering = ["code"]
        permissions = [("serve_street", _("Serves in this street"))]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="street_name_unique_in_district"),
            models.CheckConstraint(name="street_code_9_digits", condition=Q(code__regex=r"^\d{9}$")),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """专业部门: a district department that posts agencies into the streets."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="departments", verbose_name=_("district")
    )
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[unit_tag_validator])
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        permissions = [("serve_department", _("Serves in this department"))]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="department_name_unique_in_district"),
        ]

    def __str__(self) -> str:
        return self.name


class ManagementMode(models.TextChoices):
    """Who schedules an agency's daily work and whose budget carries it."""

    LOCAL = "local", _("local management (属地管理)")
    LOCAL_PRIMARY = "local_primary", _("mainly local management (以属地管理为主)")
    DUAL = "dual", _("dual management (双重管理)")


class Agency(models.Model):
    """派驻机构: a department's office serving one or more streets."""

    class Kind(models.TextChoices):
        """The kinds of unit a department keeps in the streets, one per department of the reform.

        The first eight are the ones the reform names. The other five are how the remaining
        departments reach the streets in Beijing:

        - 社保所 (街道社会保障事务所, 人力社保局): one per street, the street's own office for
          employment, social insurance and assistance under the bureau's business guidance.
        - 城市管理监督分中心 (城管监督应急指挥中心): one per street. The reform builds the street's
          sub-center on the old 城管监督分中心; what stays the district center's in the street is
          its 城市管理监督员, who check a reported problem of the city's fixtures (路灯, 井盖, 道路,
          排水, 燃气) on site and get the owning unit to fix it. The unit keeps the name people know.
        - 环卫所 (环卫中心), 园林绿化所 (园林绿化局), 消防救援站 (消防支队): one unit for three or
          four neighbouring streets, as sanitation crews, green-space teams and fire stations are
          laid out by area, not by street.
        """

        JUSTICE_OFFICE = "sfs", _("judicial office (司法所)")
        STATISTICS_OFFICE = "tjs", _("statistics office (统计所)")
        URBAN_MANAGEMENT_SQUAD = "cgfd", _("urban-management squad (城管分队)")
        POLICE_STATION = "pcs", _("police station (派出所)")
        MARKET_OFFICE = "gss", _("market regulation office (工商所)")
        TRAFFIC_BRIGADE = "jtdd", _("traffic brigade (交通大队)")
        HOUSING_OFFICE = "fgs", _("housing office (房管所)")
        HEALTH_INSPECTION = "wsjd", _("health inspection station (卫生监督站)")
        SOCIAL_SECURITY_OFFICE = "rss", _("social security office (社保所)")
        CITY_SUPERVISION = "cgjd", _("city-management supervision sub-center (城市管理监督分中心)")
        SANITATION_STATION = "hws", _("sanitation station (环卫所)")
        GREENING_STATION = "ylls", _("landscaping and greening station (园林绿化所)")
        FIRE_STATION = "xfz", _("fire and rescue station (消防救援站)")
        OTHER = "other", _("other")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("department")
    )
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[agency_code_validator])
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    management_mode = models.CharField(_("management mode"), max_length=15, choices=ManagementMode.choices)
    streets = models.ManyToManyField(
        Street, related_name="agencies", verbose_name=_("streets covered"), blank=True
    )

    class Meta:
        verbose_name = _("dispatched agency")
        verbose_name_plural = _("dispatched agencies")
        ordering = ["code"]
        permissions = [("serve_agency", _("Serves in this agency"))]

    def __str__(self) -> str:
        return self.name


# The management mode of each agency type. The first eight are the reform's own words. For the
# other five the reform's reasons decide:
# - 社保所 is local (属地管理) like 司法所 and 统计所: one office per street whose daily work,
#   people and budget are the street's, the bureau guiding its business.
# - 城市管理监督分中心 is mainly local (以属地管理为主) like 城管分队: the street schedules its
#   supervisors' daily patrols and checks, the district center leads and co-ordinates the business.
# - 环卫所, 园林绿化所 and 消防救援站 are dual (双重管理): a unit shared by several streets cannot
#   have one street schedule it or carry its budget, so its department does, while each street it
#   serves co-ordinates, dispatches and assesses its work there, as the reform asks of every agency.
AGENCY_KIND_MODES = {
    Agency.Kind.JUSTICE_OFFICE: ManagementMode.LOCAL,
    Agency.Kind.STATISTICS_OFFICE: ManagementMode.LOCAL,
    Agency.Kind.URBAN_MANAGEMENT_SQUAD: ManagementMode.LOCAL_PRIMARY,
    Agency.Kind.POLICE_STATION: ManagementMode.DUAL,
    Agency.Kind.MARKET_OFFICE: ManagementMode.DUAL,
    Agency.Kind.TRAFFIC_BRIGADE: ManagementMode.DUAL,
    Agency.Kind.HOUSING_OFFICE: ManagementMode.DUAL,
    Agency.Kind.HEALTH_INSPECTION: ManagementMode.DUAL,
    Agency.Kind.SOCIAL_SECURITY_OFFICE: ManagementMode.LOCAL,
    Agency.Kind.CITY_SUPERVISION: ManagementMode.LOCAL_PRIMARY,
    Agency.Kind.SANITATION_STATION: ManagementMode.DUAL,
    Agency.Kind.GREENING_STATION: ManagementMode.DUAL,
    Agency.Kind.FIRE_STATION: ManagementMode.DUAL,
}
