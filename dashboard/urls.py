"""The command center dashboard's pages (the API summary is in dashboard.api)."""

from django.urls import path

from dashboard import api, views

app_name = "dashboard"

api_urlpatterns = [path("dashboard/summary/", api.summary, name="dashboard-summary")]

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/panels/", views.panels, name="panels"),
    path("dashboard/data.json", views.data, name="data"),
    path("dashboard/grids.geojson", views.grids_geojson, name="grids"),
    path("dashboard/grids/<str:code>/", views.grid_cases, name="grid-cases"),
]
