"""The site's root (residents to the public pages, a signed-in person's home page) and where a login lands."""

from django.urls import path

from people import views

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
]
