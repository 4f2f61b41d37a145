"""Pages of the committees app: meetings (地区管理委员会, 联席会议) and the joint enforcement team."""

from django.urls import path

from committees import api, views

app_name = "committees"
URL_PREFIX = "committees/"

api_routes = [
    ("meetings", api.MeetingViewSet, "meeting"),
    ("meeting-decisions", api.DecisionViewSet, "meeting-decision"),
    ("joint-teams", api.JointTeamViewSet, "joint-team"),
]

urlpatterns = [
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/do/<str:step>/", views.meeting_act, name="meeting-act"),
    path("decisions/<int:pk>/create-case/", views.decision_create_case, name="decision-create-case"),
    path("team/", views.team_page, name="team"),
    path("team/do/<str:step>/", views.team_act, name="team-act"),
]
