from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Grids")

    def ready(self):
        # Registers this app's rules with the permission gate.
        from grids import selectors  # noqa: F401
