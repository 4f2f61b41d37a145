"""The assessment's pages (the API is in assessment.api)."""

from django.urls import path

from assessment import api, api_surveys, public, views, views_satisfaction

app_name = "assessment"

api_routes = [
    ("rounds", api.RoundViewSet, "round"),
    ("evaluations", api.EvaluationViewSet, "evaluation"),
    ("awards", api.AwardViewSet, "award"),
    ("surveys", api_surveys.SurveyViewSet, "survey"),
]
# Before the router: its format suffixes would read ".xlsx" as a format of `results`.
api_urlpatterns = [
    path("rounds/<str:period>/results.xlsx", api.RoundViewSet.as_view({"get": "results_xlsx"}),
         name="round-results-xlsx"),
    path("comanager-rewards/", api.comanager_rewards, name="comanager-rewards"),
]

urlpatterns = [
    # --- rounds, forms and results (assessment.views) ---
    path("assessment/", views.my_forms, name="mine"),
    path("assessment/forms/<int:pk>/", views.fill, name="fill"),
    path("assessment/awards/", views.awards, name="awards"),
    path("assessment/awards/<int:pk>/<str:verdict>/", views.award_decide, name="award-decide"),
    path("assessment/rounds/<str:period>/", views.round_page, name="round"),
    path("assessment/rounds/<str:period>/progress/", views.progress, name="progress"),
    path("assessment/rounds/<str:period>/results/<str:kind>/<int:unit_id>/", views.result_page, name="result"),
    path("assessment/rounds/<str:period>/do/<str:step>/", views.round_act, name="round-act"),
    # --- public satisfaction: rating links (assessment.views_satisfaction) ---
    path("rate/<str:token>/", views_satisfaction.rate, name="rate"),
    # --- published rankings, no login (assessment.public) ---
    path("public/rankings/", public.rankings, name="public-rankings"),
    path("public/rankings/<str:period>/", public.rankings, name="public-rankings-round"),
    path("public/rankings/<str:period>/results.xlsx", public.results_xlsx, name="public-results-xlsx"),
    path("public/rankings/<str:period>/<str:kind>/<int:unit_id>/", public.result_detail, name="public-result"),
]
