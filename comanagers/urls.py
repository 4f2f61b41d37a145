"""Pages of the comanagers app."""

from django.urls import path

from comanagers import api, views

app_name = "comanagers"
URL_PREFIX = "comanagers/"

api_routes = [
    ("comanagers", api.CoManagerViewSet, "comanager"),
    ("comanager-quotas", api.QuotaViewSet, "comanager-quota"),
]

urlpatterns = [
    path("", views.street_page, name="street"),
    path("district/", views.district_page, name="district"),
    path("district/pay/", views.set_pay, name="pay"),
    path("<int:pk>/leave/", views.leave, name="leave"),
]
