from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from agencies.api import AgencyViewSet, DepartmentViewSet, StreetViewSet
from appointments.api import AppointmentViewSet
from assessment.api import AwardViewSet, EvaluationViewSet, RoundViewSet
from assessment.api_surveys import SurveyViewSet
from comanagers.api import CoManagerViewSet, QuotaViewSet
from committees.api import DecisionViewSet, JointTeamViewSet, MeetingViewSet
from dashboard import api as dashboard_api
from dispatch.api import CaseViewSet, CategoryViewSet, LetterViewSet, NotificationViewSet, TaskViewSet
from grids.api import CommunityViewSet, GridViewSet
from haidian import views
from haidian.health import healthz
from workaccess.api import AccessRequestViewSet, DelegatedActionViewSet, DelegatedMatterViewSet, StreetTaskViewSet

router = DefaultRouter()
router.register("streets", StreetViewSet, basename="street")
router.register("communities", CommunityViewSet, basename="community")
router.register("grids", GridViewSet, basename="grid")
router.register("departments", DepartmentViewSet, basename="department")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("cases", CaseViewSet, basename="case")
router.register("tasks", TaskViewSet, basename="task")
router.register("categories", CategoryViewSet, basename="category")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("letters", LetterViewSet, basename="letter")
router.register("rounds", RoundViewSet, basename="round")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("awards", AwardViewSet, basename="award")
router.register("work-access-requests", AccessRequestViewSet, basename="access-request")
router.register("street-tasks", StreetTaskViewSet, basename="street-task")
router.register("delegated-matters", DelegatedMatterViewSet, basename="delegated-matter")
router.register("delegated-actions", DelegatedActionViewSet, basename="delegated-action")
router.register("comanagers", CoManagerViewSet, basename="comanager")
router.register("comanager-quotas", QuotaViewSet, basename="comanager-quota")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("meeting-decisions", DecisionViewSet, basename="meeting-decision")
router.register("joint-teams", JointTeamViewSet, basename="joint-team")
router.register("surveys", SurveyViewSet, basename="survey")

admin.site.site_header = _("Haidian grid-based social service management · administration")
admin.site.site_title = _("Haidian grid management")

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("", include("dispatch.urls")),
    path("", include("assessment.urls")),
    path("open311/v2/", include("open311.urls")),
    path("", include("dashboard.urls")),
    path("api/v1/dashboard/summary/", dashboard_api.summary, name="dashboard-summary"),
    path("", include("public.urls")),
    path("appointments/", include("appointments.urls")),
    path("comanagers/", include("comanagers.urls")),
    path("work-access/", include("workaccess.urls")),
    path("committees/", include("committees.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    # Before the router: its format suffixes would read ".xlsx" as a format of `results`.
    path("api/v1/rounds/<str:period>/results.xlsx", RoundViewSet.as_view({"get": "results_xlsx"}),
         name="round-results-xlsx"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
