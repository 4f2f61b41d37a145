"""Pages of the committees app."""

app_name = "committees"

urlpatterns = []
