from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Case dispatch")

    def ready(self):
        # Registers this app's rules with the permission gate.
        from dispatch import selectors  # noqa: F401
