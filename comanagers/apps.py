from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from haidian.navigation import NavLink
from haidian.permissions import Role


class ComanagersConfig(AppConfig):
    name = "comanagers"
    verbose_name = _("Co-managers")
    nav = [
        NavLink("comanagers:street", _("Co-managers"), frozenset({Role.STREET_STAFF}), 110),
        NavLink("comanagers:district", _("Co-manager quotas"), frozenset({Role.DISTRICT_COMMAND}), 120),
    ]

    def ready(self):
        # Registers this app's rules with the permission gate.
        from comanagers import selectors  # noqa: F401
