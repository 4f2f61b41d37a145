"""吹哨报到's pages under /whistle/, and its API paths.

`api_urlpatterns` is matched before the project's router, so /api/v1/cases/<number>/whistle/ is ours
while every other /api/v1/cases/<number>/… path stays the dispatch router's.
"""

from django.urls import path

from whistle import api, views

app_name = "whistle"
URL_PREFIX = "whistle/"

api_routes = [("summons", api.SummonsViewSet, "summons")]

api_urlpatterns = [path("cases/<str:number>/whistle/", api.case_whistle, name="case-whistle")]

urlpatterns = [
    path("", views.summons_list, name="list"),
    path("<int:pk>/check-in/", views.check_in, name="check-in"),
    path("cases/<str:number>/new/", views.summons_new, name="new"),
]
