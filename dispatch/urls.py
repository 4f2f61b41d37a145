"""The workflow's pages (the API is in dispatch.api)."""

from django.urls import path

from dispatch import api, files, views

app_name = "dispatch"

# (prefix, viewset, basename) registered on the project's API router under /api/v1/.
api_routes = [
    ("cases", api.CaseViewSet, "case"),
    ("tasks", api.TaskViewSet, "task"),
    ("categories", api.CategoryViewSet, "category"),
    ("letters", api.LetterViewSet, "letter"),
]

urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/export.<str:kind>", views.workbench_export, name="workbench-export"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/do/<str:action>/", views.case_act, name="case-act"),
    path("cases/<str:number>/attachments/<int:pk>/", files.attachment_file, name="attachment"),
    path("cases/<str:number>/attachments/<int:pk>/thumbnail/", files.attachment_thumbnail,
         name="attachment-thumbnail"),
    path("tasks/<int:pk>/do/<str:action>/", views.task_act, name="task-act"),
    path("grid/", views.grid_home, name="grid"),
    path("grid/report/", views.report, name="report"),
    path("grid/patrol/<str:step>/", views.patrol, name="patrol"),
    path("grid/suggest/", views.suggest, name="suggest"),
    path("inbox/", views.agency_inbox, name="inbox"),
    path("command/", views.command_center, name="command"),
    path("waiting/", views.waiting, name="waiting"),
    path("letters/", views.letter_list, name="letters"),
    path("letters/new/", views.letter_new, name="letter-new"),
    path("letters/<int:pk>/", views.letter_detail, name="letter"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter-pdf"),
    path("letters/<int:pk>/do/<str:step>/", views.letter_act, name="letter-act"),
]
