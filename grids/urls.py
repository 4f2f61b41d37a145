"""The grids' API (read-only); boundaries are imported with `manage.py import_grids`."""

from grids import api

app_name = "grids"
urlpatterns = []

api_routes = [
    ("communities", api.CommunityViewSet, "community"),
    ("grids", api.GridViewSet, "grid"),
]
