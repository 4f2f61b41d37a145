from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Committees and joint enforcement")

    def ready(self):
        # Registers this app's rules with the permission gate.
        from committees import selectors  # noqa: F401
