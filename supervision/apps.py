from django.apps import AppConfig
from django.utils.translation import gettext_lazy

from haidian.navigation import NavLink
from haidian.permissions import Role


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = gettext_lazy("Local supervision (属地监督)")
    nav = [
        NavLink("supervision:inquiries", gettext_lazy("Inquiries"),
                frozenset({Role.STREET_STAFF, Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.DEPARTMENT_ADMIN,
                           Role.DISTRICT_COMMAND}), 85),
        NavLink("supervision:workplan", gettext_lazy("Work plan"),
                frozenset({Role.STREET_STAFF, Role.DEPARTMENT_ADMIN, Role.DISTRICT_COMMAND}), 86),
    ]

    def ready(self):
        # Registers this app's rules with the permission gate and its kinds of notification.
        from supervision import notices, selectors  # noqa: F401
