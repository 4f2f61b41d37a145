from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from haidian.navigation import NavLink
from haidian.permissions import Role


class SecurityConfig(AppConfig):
    """The security administrator's and the audit administrator's rooms: the audit log's page and export,
    personal-data requests (look up, erase), and the receivers that put account changes on the log."""

    name = "security"
    verbose_name = _("Security and personal data")
    default_auto_field = "django.db.models.BigAutoField"
    nav = [
        NavLink("security:audit", _("Audit log"), frozenset({Role.AUDIT_ADMIN}), 95),
        NavLink("security:personal", _("Personal data requests"), frozenset({Role.SECURITY_ADMIN}), 96),
    ]

    def ready(self):
        # Logins, failures, lockouts and logouts (identity); account and admin changes (receivers).
        from security import identity, receivers  # noqa: F401
