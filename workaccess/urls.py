"""Pages of the workaccess app."""

app_name = "workaccess"

urlpatterns = []
