"""Pages of the workaccess app."""

from django.urls import path

from workaccess import api, views

app_name = "workaccess"
URL_PREFIX = "work-access/"

api_routes = [
    ("work-access-requests", api.AccessRequestViewSet, "access-request"),
    ("street-tasks", api.StreetTaskViewSet, "street-task"),
    ("delegated-matters", api.DelegatedMatterViewSet, "delegated-matter"),
    ("delegated-actions", api.DelegatedActionViewSet, "delegated-action"),
]

urlpatterns = [
    path("", views.index, name="index"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/<str:step>/", views.request_act, name="request-act"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/acknowledge/", views.task_acknowledge, name="task-acknowledge"),
    path("delegated/", views.delegated, name="delegated"),
    path("delegated/record/", views.delegated_record, name="delegated-record"),
    path("delegated/new/", views.delegated_new, name="delegated-new"),
]
