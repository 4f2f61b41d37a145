from django.apps import AppConfig
from django.utils.translation import gettext_lazy

from haidian.navigation import NavLink
from haidian.permissions import Role


class WhistleConfig(AppConfig):
    name = "whistle"
    verbose_name = gettext_lazy("Whistle and report (吹哨报到)")
    nav = [
        NavLink("whistle:list", gettext_lazy("Whistle and report"),
                frozenset({Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.DEPARTMENT_ADMIN, Role.STREET_STAFF}), 35),
    ]

    def ready(self):
        # Registers this app's rule with the permission gate and its kinds of notification.
        from whistle import notices, selectors  # noqa: F401
