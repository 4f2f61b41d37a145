"""Pages of the comanagers app."""

from django.urls import path

from comanagers import views

app_name = "comanagers"

urlpatterns = [
    path("", views.street_page, name="street"),
    path("district/", views.district_page, name="district"),
    path("district/pay/", views.set_pay, name="pay"),
    path("<int:pk>/leave/", views.leave, name="leave"),
]
