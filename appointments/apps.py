from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Agency management and appointments")

    def ready(self):
        from appointments import selectors  # noqa: F401  (registers the scope rules)
