from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("Public pages")

    def ready(self):
        # The reporter of a case is told of its steps (public/reporters.py).
        from dispatch.signals import case_event_recorded
        from public.reporters import RECEIVER_UID, on_case_event

        case_event_recorded.connect(on_case_event, dispatch_uid=RECEIVER_UID)
