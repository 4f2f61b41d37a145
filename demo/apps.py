from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for trying the system: installed only when HAIDIAN_ENV is demo or test."""

    name = "demo"
    verbose_name = _("Demo data")
