from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        # Every closed case with a reporter from the public gets its rating link.
        from assessment.satisfaction import on_case_closed
        from dispatch.signals import case_closed

        case_closed.connect(on_case_closed, dispatch_uid="assessment.rating_invitation")
