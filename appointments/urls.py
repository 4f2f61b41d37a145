"""Pages of the appointments app."""

from django.urls import path

from appointments import api, views

app_name = "appointments"
URL_PREFIX = "appointments/"

api_routes = [("appointments", api.AppointmentViewSet, "appointment")]

urlpatterns = [
    path("", views.appointment_list, name="list"),
    path("new/", views.appointment_new, name="new"),
    path("agencies/", views.agency_management, name="agencies"),
    path("appoint/", views.appointment_direct, name="direct"),
    path("<int:pk>/", views.appointment_detail, name="detail"),
    path("<int:pk>/document/", views.appointment_document, name="document"),
    path("<int:pk>/<str:step>/", views.appointment_act, name="act"),
]
