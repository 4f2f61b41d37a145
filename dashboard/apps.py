from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from haidian.navigation import NavLink
from haidian.permissions import Role


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Command center dashboard")
    nav = [NavLink("dashboard:dashboard", _("Dashboard"), frozenset({Role.DISTRICT_COMMAND, Role.STREET_STAFF}), 50)]
