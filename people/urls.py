"""The home page (every signed-in person's)."""

from django.urls import path

from people import views

urlpatterns = [path("", views.home, name="home")]
