"""属地监督's pages under /supervision/, and its API routes under /api/v1/."""

from django.urls import path

from supervision import api, views

app_name = "supervision"
URL_PREFIX = "supervision/"

api_routes = [
    ("supervision/bodies", api.BodyViewSet, "supervisory-body"),
    ("inquiries", api.InquiryViewSet, "inquiry"),
    ("workplan/tasks", api.TaskViewSet, "workplan-task"),
]

urlpatterns = [
    path("bodies/", views.body_list, name="bodies"),
    path("inquiries/", views.inquiry_list, name="inquiries"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry"),
    path("inquiries/<int:pk>/do/<str:step>/", views.inquiry_act, name="inquiry-act"),
    path("workplan/", views.task_list, name="workplan"),
    path("workplan/<int:pk>/", views.task_detail, name="task"),
    path("workplan/<int:pk>/do/<str:step>/", views.task_act, name="task-act"),
]
