"""The assessment's pages (the API is in assessment.api)."""

from django.urls import path

app_name = "assessment"

urlpatterns = [
    # --- rounds, forms and results (assessment.views) ---
    # --- public satisfaction: rating links (assessment.views_satisfaction) ---
    # --- published rankings, no login (assessment.public) ---
]
