from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from haidian.navigation import NavLink
from haidian.permissions import Role


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Committees and joint enforcement")
    nav = [
        NavLink("committees:meetings", _("Meetings"),
                frozenset({Role.STREET_STAFF, Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.DISTRICT_COMMAND}), 80),
        NavLink("committees:team", _("Joint enforcement team"),
                frozenset({Role.STREET_STAFF, Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.DISTRICT_COMMAND}), 81),
    ]

    def ready(self):
        # Registers this app's rules with the permission gate.
        from committees import selectors  # noqa: F401
