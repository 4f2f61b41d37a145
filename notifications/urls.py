from django.urls import path

from notifications import api, views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:pk>/open/", views.open_note, name="open"),
]

api_routes = [
    ("notifications", api.NotificationViewSet, "notification"),
    ("messages", api.MessageViewSet, "message"),
]
