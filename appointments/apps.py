from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from haidian.navigation import NavLink
from haidian.permissions import Role


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Agency management and appointments")
    nav = [NavLink("appointments:list", _("Appointments"),
                   frozenset({Role.STREET_STAFF, Role.DEPARTMENT_ADMIN, Role.DISTRICT_COMMAND}), 70)]

    def ready(self):
        from appointments import selectors  # noqa: F401  (registers the scope rules)
