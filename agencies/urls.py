"""The organisation's API (read-only); the organisation is set up in the admin."""

from agencies import api

app_name = "agencies"
urlpatterns = []

api_routes = [
    ("streets", api.StreetViewSet, "street"),
    ("departments", api.DepartmentViewSet, "department"),
    ("agencies", api.AgencyViewSet, "agency"),
]
