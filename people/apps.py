from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and roles")

    def ready(self):
        # Gives the permission gate its one source of who serves where (haidian knows no app).
        from people import selectors  # noqa: F401
