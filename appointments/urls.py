"""Pages of the appointments app."""

app_name = "appointments"

urlpatterns = []
