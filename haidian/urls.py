"""The project's URLs, gathered from each of our apps' `urls.py` (haidian knows no app).

An app's urls module gives `urlpatterns` (its pages, under its `URL_PREFIX`, default the site's
root) and may give `api_routes` — (prefix, viewset, basename) for the API router under /api/v1/ —
and `api_urlpatterns`, API paths under /api/v1/ matched before the router.
"""

from importlib import import_module
from importlib.util import find_spec

from csp.constants import NONCE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from haidian.health import healthz

admin.site.site_header = _("Haidian grid-based social service management · administration")
admin.site.site_title = _("Haidian grid management")


def _app_url_modules():
    for name in settings.HAIDIAN_APPS:
        if name != "haidian" and find_spec(f"{name}.urls") is not None:
            yield import_module(f"{name}.urls")


def favicon(request):
    """Browsers ask for /favicon.ico on every page that names none (the admin's, the API's): the site's."""
    return redirect(static("img/favicon.svg"), permanent=True)


router = DefaultRouter()
pages, api_paths = [], []
for module in _app_url_modules():
    pages.append(path(getattr(module, "URL_PREFIX", ""), include(module)))
    api_paths += getattr(module, "api_urlpatterns", [])
    for prefix, viewset, basename in getattr(module, "api_routes", ()):
        router.register(prefix, viewset, basename=basename)

# An unknown path under /api/ answers JSON like every other API refusal (haidian.api.not_found).
handler404 = "haidian.api.not_found"

# No route serves MEDIA_URL, in any mode (not even with DEBUG): uploaded files are as private as
# the records they belong to and go out only through each app's views that check the reader's scope
# (in production, nginx serves them when such a view answers with X-Accel-Redirect).
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    *pages,
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_paths)),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI starts from one inline script and style (templates/drf_spectacular/swagger_ui.html):
    # this page's policy alone allows them, by a nonce.
    path("api/docs/", csp_update({"script-src": [NONCE], "style-src": [NONCE]})(
        SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
]
