from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkaccessConfig(AppConfig):
    name = "workaccess"
    verbose_name = _("Work access and delegated enforcement")

    def ready(self) -> None:
        from workaccess import selectors  # noqa: F401  (registers the scope rules)
