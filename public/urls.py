"""The public's pages (no login): report, follow, grid roster and poster."""

from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("public/", views.index, name="index"),
    path("report/", views.report, name="report"),
    path("report/sent/", views.report_sent, name="report-sent"),
    path("report/suggest/", views.suggest, name="suggest"),
    path("follow/", views.follow, name="follow"),
    path("follow/<str:token>/", views.follow_case, name="follow-case"),
    path("follow/<str:token>/stop-messages/", views.follow_stop_messages, name="follow-stop-messages"),
    path("grids/", views.grid_map, name="grids"),
    path("grids/outlines.geojson", views.grid_outlines, name="grid-outlines"),
    path("grids/locate/", views.grid_locate, name="grid-locate"),
    path("grids/<str:code>/", views.grid_roster, name="grid"),
    path("grids/<str:code>/poster.pdf", views.grid_poster, name="grid-poster"),
]
