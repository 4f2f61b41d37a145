from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from haidian.navigation import NavLink
from haidian.permissions import Role


class WorkaccessConfig(AppConfig):
    name = "workaccess"
    verbose_name = _("Work access and delegated enforcement")
    nav = [
        NavLink("workaccess:requests", _("Work access"), frozenset({Role.DEPARTMENT_ADMIN, Role.DISTRICT_COMMAND}), 90),
        NavLink("workaccess:tasks", _("Assigned tasks"), frozenset({Role.STREET_STAFF}), 100),
        NavLink("workaccess:delegated", _("Delegated enforcement"),
                frozenset({Role.STREET_STAFF, Role.DISTRICT_COMMAND}), 130),
    ]

    def ready(self) -> None:
        from workaccess import selectors  # noqa: F401  (registers the scope rules)
