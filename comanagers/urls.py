"""Pages of the comanagers app."""

app_name = "comanagers"

urlpatterns = []
