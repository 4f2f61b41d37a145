from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from haidian.navigation import NavLink
from haidian.permissions import Role


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Case dispatch")
    nav = [
        NavLink("dispatch:workbench", _("Street workbench"), frozenset({Role.STREET_STAFF}), 10),
        NavLink("dispatch:grid", _("My grids"), frozenset({Role.GRID_WORKER}), 20),
        NavLink("dispatch:inbox", _("Task inbox"),
                frozenset({Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.DEPARTMENT_ADMIN}), 30),
        NavLink("dispatch:command", _("Command center"), frozenset({Role.DISTRICT_COMMAND}), 40),
        NavLink("dispatch:letters", _("Deadline letters"), frozenset({
            Role.STREET_STAFF, Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.DEPARTMENT_ADMIN, Role.DISTRICT_COMMAND}), 60),
    ]

    def ready(self):
        # Registers this app's rules with the permission gate and its kinds of notification.
        from dispatch import notices, selectors  # noqa: F401
