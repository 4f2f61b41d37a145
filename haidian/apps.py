from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HaidianConfig(AppConfig):
    name = "haidian"
    verbose_name = _("Platform")
