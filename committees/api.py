"""Meeting and joint-team endpoints: scoped reads (404 outside your scope), verbs as actions that
call the services (403 wrong role, 409 wrong moment, 400 bad input)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from committees import selectors, serializers, services


def _input(serializer_class, request, **context):
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _Pages(CursorPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class NewestMeetingsFirst(_Pages):
    ordering = ("-held_at", "-id")


class NewestFirst(_Pages):
    ordering = ("-id",)


class MeetingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Area management committee and joint meetings (地区管理委员会, 联席会议) in your scope."""

    serializer_class = serializers.MeetingSerializer
    pagination_class = NewestMeetingsFirst
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        return selectors.meeting_detail(user=self.request.user)

    def _render(self, meeting, code=status.HTTP_200_OK):
        return Response(serializers.MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data, status=code)

    @extend_schema(request=serializers.MeetingInput, responses={201: serializers.MeetingSerializer})
    def create(self, request, *args, **kwargs):
        meeting = services.meeting_plan(actor=request.user, **_input(serializers.MeetingInput, request))
        return self._render(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.MeetingHoldInput, responses=serializers.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        data = _input(serializers.MeetingHoldInput, request)
        return self._render(services.meeting_hold(meeting=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.MeetingAttendanceInput, responses=serializers.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self.get_object()
        rows = _input(serializers.MeetingAttendanceInput, request)["attendance"]
        attendance = {row["agency"].pk: (row["attended"], row["absence_reason"]) for row in rows}
        return self._render(services.attendance_record(meeting=meeting, actor=request.user, attendance=attendance))

    @extend_schema(request=serializers.MeetingMinutesInput, responses=serializers.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        data = _input(serializers.MeetingMinutesInput, request)
        return self._render(services.minutes_record(meeting=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.MeetingDecisionInput, responses={201: serializers.MeetingDecisionSerializer})
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        data = _input(serializers.MeetingDecisionInput, request)
        decision = services.decision_add(meeting=self.get_object(), actor=request.user, **data)
        return Response(serializers.MeetingDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Meeting decisions in your scope; `create_case` turns one into a dispatched case."""

    serializer_class = serializers.MeetingDecisionSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return selectors.decision_list(user=self.request.user)

    @extend_schema(request=serializers.DecisionCaseInput, responses={201: serializers.MeetingDecisionSerializer})
    @action(detail=True, methods=["post"])
    def create_case(self, request, pk=None):
        decision = self.get_object()
        data = _input(serializers.DecisionCaseInput, request)
        services.decision_create_case(decision=decision, actor=request.user, **data)
        return Response(serializers.MeetingDecisionSerializer(self.get_queryset().get(pk=decision.pk)).data,
                        status=status.HTTP_201_CREATED)


class JointTeamViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Joint enforcement teams (联合执法队), one per street, with members and operations."""

    serializer_class = serializers.JointTeamSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return selectors.team_detail(user=self.request.user)

    def _render(self, team, code=status.HTTP_200_OK):
        return Response(serializers.JointTeamSerializer(self.get_queryset().get(pk=team.pk)).data, status=code)

    @extend_schema(request=serializers.JointTeamInput, responses={201: serializers.JointTeamSerializer})
    def create(self, request, *args, **kwargs):
        team = services.team_create(actor=request.user, **_input(serializers.JointTeamInput, request))
        return self._render(team, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.JointMemberInput, responses={201: serializers.JointMemberSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        data = _input(serializers.JointMemberInput, request)
        member = services.member_add(team=self.get_object(), actor=request.user, **data)
        return Response(serializers.JointMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.JointOperationInput, responses={201: serializers.JointOperationSerializer})
    @action(detail=True, methods=["post"])
    def operations(self, request, pk=None):
        team = self.get_object()
        data = _input(serializers.JointOperationInput, request, team=team)
        operation = services.operation_record(team=team, actor=request.user, **data)
        return Response(serializers.JointOperationSerializer(operation).data, status=status.HTTP_201_CREATED)
