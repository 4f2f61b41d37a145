"""Supervision endpoints: scoped reads (404 outside your scope), writes and verbs that call the services
(403 wrong role, 409 wrong moment, 400 bad input with field messages).

- `GET/POST /api/v1/supervision/bodies/`, `GET /api/v1/supervision/bodies/{id}/`;
  `GET/POST …/bodies/{id}/members/`, `GET/POST …/bodies/{id}/meetings/`;
- `GET/POST /api/v1/inquiries/` (`?overdue=1`), `GET /api/v1/inquiries/{id}/`,
  `POST /api/v1/inquiries/{id}/answer/`;
- `GET/POST /api/v1/workplan/tasks/` (`?year=`, `?overdue=1`), `GET /api/v1/workplan/tasks/{id}/`,
  `POST …/tasks/{id}/progress/`, `…/inspections/`, `…/done/`.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from supervision import selectors, serializers, services


def _input(serializer_class, request, data=None):
    serializer = serializer_class(data=request.data if data is None else data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _Pages(CursorPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class ById(_Pages):
    ordering = ("id",)


class NewestFirst(_Pages):
    ordering = ("-asked_at", "-id")


class OverdueFirst(_Pages):
    # The cursor's position is the first field (0 overdue, 1 not) and an offset within it: a district's
    # tasks of one year are a few dozen, well inside DRF's offset cutoff.
    ordering = ("overdue_rank", "deadline", "id")


@extend_schema(tags=["supervision"])
class BodyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Supervision bodies (地区民主管理和监督委员会, 镇人民代表大会, 镇党代表大会, 村民代表会议) in your scope."""

    serializer_class = serializers.SupervisoryBodySerializer
    pagination_class = ById

    def get_queryset(self):
        return selectors.body_list(user=self.request.user)

    @extend_schema(request=serializers.SupervisoryBodyInput, responses={201: serializers.SupervisoryBodySerializer})
    def create(self, request, *args, **kwargs):
        """Set up a body of a street or town: its sub-center staff or the district command center. The
        congresses and the villagers' assembly are a town's only."""
        body = services.body_create(actor=request.user, **_input(serializers.SupervisoryBodyInput, request))
        fresh = self.get_queryset().get(pk=body.pk)
        return Response(serializers.SupervisoryBodySerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=serializers.BodyMemberSerializer(many=True))
    @extend_schema(methods=["POST"], request=serializers.BodyMemberInput,
                   responses={201: serializers.BodyMemberSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def members(self, request, pk=None):
        """The body's members, past ones too (GET); a member joins (POST: the street's staff or the
        district command center; one secretary at a time, with an account)."""
        body = self.get_object()
        if request.method == "GET":
            return Response(serializers.BodyMemberSerializer(selectors.body_members(body), many=True).data)
        member = services.member_add(body=body, actor=request.user, **_input(serializers.BodyMemberInput, request))
        return Response(serializers.BodyMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=serializers.BodyMeetingSerializer(many=True))
    @extend_schema(methods=["POST"], request=serializers.BodyMeetingInput,
                   responses={201: serializers.BodyMeetingSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def meetings(self, request, pk=None):
        """The body's meetings, newest first (GET); record one with the members who came (POST)."""
        body = self.get_object()
        if request.method == "GET":
            return Response(serializers.BodyMeetingSerializer(selectors.body_meetings(body), many=True).data)
        data = _input(serializers.BodyMeetingInput, request)
        meeting = services.meeting_record(body=body, actor=request.user, **data)
        fresh = selectors.body_meetings(body).get(pk=meeting.pk)
        return Response(serializers.BodyMeetingSerializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("overdue", bool, description="only the inquiries late now or once")]))
@extend_schema(tags=["supervision"])
class InquiryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """质询 in your scope: your street's bodies', those put to your agency, the district's."""

    serializer_class = serializers.InquirySerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        overdue = False
        if self.action == "list":
            overdue = _input(serializers.ListQuery, self.request, self.request.query_params)["overdue"]
        return selectors.inquiry_list(user=self.request.user, overdue=overdue)

    def _render(self, inquiry, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.inquiry_list(user=self.request.user).get(pk=inquiry.pk)
        return Response(serializers.InquirySerializer(fresh).data, status=code)

    @extend_schema(request=serializers.InquiryInput, responses={201: serializers.InquirySerializer})
    def create(self, request, *args, **kwargs):
        """Put an inquiry for a body: its secretary, or its street's sub-center staff on its behalf."""
        inquiry = services.inquiry_put(actor=request.user, **_input(serializers.InquiryInput, request))
        return self._render(inquiry, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.InquiryAnswerInput, responses=serializers.InquirySerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer an inquiry put to your street or agency, once."""
        inquiry = self.get_object()
        services.inquiry_answer(inquiry=inquiry, actor=request.user, **_input(serializers.InquiryAnswerInput, request))
        return self._render(inquiry)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("year", {"type": "integer", "minimum": 2000, "maximum": 2100},
                     description="only the tasks of this year"),
    OpenApiParameter("overdue", bool, description="only the overdue tasks")]))
@extend_schema(tags=["supervision"])
class TaskViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """折子工程: the tasks the implementation opinions were decomposed into, overdue ones first."""

    serializer_class = serializers.WorkPlanTaskSerializer
    pagination_class = OverdueFirst

    def get_queryset(self):
        query = {"overdue": False, "year": None}
        if self.action == "list":
            query = _input(serializers.ListQuery, self.request, self.request.query_params)
        return selectors.task_detail(user=self.request.user, **query)

    def _render(self, task, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.task_detail(user=self.request.user).get(pk=task.pk)
        return Response(serializers.WorkPlanTaskSerializer(fresh).data, status=code)

    @extend_schema(request=serializers.WorkPlanTaskInput, responses={201: serializers.WorkPlanTaskSerializer})
    def create(self, request, *args, **kwargs):
        """A task of the 折子工程: the district command center of the owner's district."""
        task = services.task_create(actor=request.user, **_input(serializers.WorkPlanTaskInput, request))
        return self._render(task, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ProgressReportInput, responses={201: serializers.ProgressReportSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """The owner unit reports progress on an open task."""
        report = services.task_report_progress(task=self.get_object(), actor=request.user,
                                               **_input(serializers.ProgressReportInput, request))
        return Response(serializers.ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.InspectionInput, responses={201: serializers.InspectionSerializer})
    @action(detail=True, methods=["post"])
    def inspections(self, request, pk=None):
        """专项督察: the district command center records an inspection of the task."""
        inspection = services.task_inspect(task=self.get_object(), actor=request.user,
                                           **_input(serializers.InspectionInput, request))
        return Response(serializers.InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=serializers.WorkPlanTaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """The owner unit marks the task done, once."""
        task = services.task_mark_done(task=self.get_object(), actor=request.user)
        return self._render(task)
