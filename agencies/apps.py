from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Organisation")

    def ready(self):
        # Registers this app's rules with the permission gate.
        from agencies import selectors  # noqa: F401
