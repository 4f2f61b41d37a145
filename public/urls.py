"""The public's pages (no login): report, follow, grid roster and poster."""

app_name = "public"

urlpatterns = []
