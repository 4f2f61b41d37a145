from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from haidian.navigation import NavLink
from haidian.permissions import Role


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")
    nav = [NavLink("assessment:mine", _("Assessment"), frozenset({
        Role.STREET_STAFF, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.AGENCY_HEAD, Role.DEPARTMENT_ADMIN,
        Role.DISTRICT_COMMAND, Role.AUDITOR}), 140)]

    def ready(self):
        # Its kinds of notification; every closed case with a reporter from the public gets its rating link.
        from assessment import notices  # noqa: F401
        from assessment.satisfaction import on_case_closed, on_case_event
        from dispatch.signals import case_closed, case_event_recorded

        case_closed.connect(on_case_closed, dispatch_uid="assessment.rating_invitation")
        case_event_recorded.connect(on_case_event, dispatch_uid="assessment.rating_reopened")
