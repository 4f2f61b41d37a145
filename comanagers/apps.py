from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComanagersConfig(AppConfig):
    name = "comanagers"
    verbose_name = _("Co-managers")

    def ready(self):
        # Registers this app's rules with the permission gate.
        from comanagers import selectors  # noqa: F401
