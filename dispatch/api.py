"""Case and task endpoints: reads through scoped selectors, workflow verbs as explicit actions.

Every action: find the object in the user's scope (else 404), validate input (else 400), call
the service, which answers 403 for the wrong role and 409 for a move the status forbids.
"""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from dispatch import export as case_export
from dispatch import selectors, serializers, services
from dispatch.letters import pdf as letter_pdfs
from dispatch.letters import services as letters
from dispatch.models import Case, CaseStatus, Task, Tier
from haidian import inputs


class NewestFirstPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class CaseFilter(django_filters.FilterSet):
    # distinct=False: a status is one column, and DISTINCT would sort a street's whole history.
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, distinct=False)
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    street = django_filters.CharFilter(field_name="street__code")
    grid = django_filters.CharFilter(field_name="grid__code")
    category = django_filters.CharFilter(field_name="category__code")
    overdue = django_filters.BooleanFilter()
    strongly_reflected = django_filters.BooleanFilter(field_name="strongly_reflected_at", lookup_expr="isnull",
                                                      exclude=True)
    # Any ISO 8601 offset, read as UTC: the list and both exports accept and refuse the same moments.
    created_after = inputs.MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = inputs.MomentFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Case
        fields = ["status", "tier", "street", "grid", "category", "overdue"]


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cases (案卷) in your scope. POST creates a reported case located in its grid."""

    lookup_field = "number"
    pagination_class = NewestFirstPagination
    filterset_class = CaseFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.case_detail(user=self.request.user)
        return selectors.case_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.CaseCreateSerializer
        if self.action == "retrieve":
            return serializers.CaseDetailSerializer
        return serializers.CaseSerializer

    @extend_schema(request=serializers.CaseCreateSerializer, responses={201: serializers.CaseSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(serializers.CaseCreateSerializer, request)
        case = services.case_create(actor=request.user, **data)
        return Response(serializers.CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    def _done(self, case):
        return Response(serializers.CaseSerializer(selectors.case_list(user=self.request.user).get(pk=case.pk)).data)

    def perform_content_negotiation(self, request, force=False):
        # For the export, `format` (?format=xlsx, export.xlsx) names the file, which no renderer
        # makes: its other answers (400, 401, 404) fall back to the first renderer, JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "export")

    @extend_schema(
        filters=True,
        parameters=[OpenApiParameter("format", str, enum=list(case_export.KINDS), default="csv",
                                     description="csv (streamed, any length) or xlsx (at most one sheet)")],
        responses={(200, "text/csv"): OpenApiTypes.BINARY,
                   (200, case_export.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
                   404: None},  # a `format` that is neither csv nor xlsx (as the export.<format> suffix)
    )
    @action(detail=False, methods=["get"])
    def export(self, request, format=None):  # `format`: the router's suffix, as in export.xlsx
        """The filtered list (the list's filters and scope) as a file: `?format=csv|xlsx`, or
        `export.csv` / `export.xlsx`. Every matching case, newest first; 400 when an Excel file
        would exceed `CASE_EXPORT_XLSX_MAX_ROWS`."""
        kind = format or request.query_params.get("format") or "csv"
        queryset = self.filter_queryset(self.get_queryset())
        return case_export.case_export_response(queryset, user=request.user, kind=kind, request=request, via="api")

    @extend_schema(request=serializers.FileInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def file(self, request, number=None):
        data = _input(serializers.FileInput, request)
        return self._done(services.case_file(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.RejectInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, number=None):
        data = _input(serializers.RejectInput, request)
        return self._done(services.case_reject(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.NoteInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def resolve_on_site(self, request, number=None):
        data = _input(serializers.NoteInput, request)
        return self._done(services.case_resolve_on_site(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.DispatchInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_(self, request, number=None):  # `dispatch` is APIView's own method
        data = _input(serializers.DispatchInput, request)
        return self._done(services.case_dispatch(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.ReasonInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, number=None):
        data = _input(serializers.ReasonInput, request)
        return self._done(services.case_escalate(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.NoteInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def send_down(self, request, number=None):
        """The command center sends a district-tier case back down to its street (tier `street`, `filed`)."""
        data = _input(serializers.NoteInput, request)
        return self._done(services.case_send_down(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=None, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge_alarm(self, request, number=None):
        """A critical case's alarm has been seen (it leaves the dashboard's alarms)."""
        return self._done(services.case_acknowledge_alarm(case=self.get_object(), actor=request.user))

    @extend_schema(responses=serializers.UnitSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def units(self, request, number=None):
        """The units that may lead this case now, the default first."""
        return Response(serializers.UnitSerializer(selectors.units_for_case(self.get_object()), many=True).data)

    @extend_schema(request=serializers.OptionalNoteInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, number=None):
        """不满意重办: a case its reporter rated dissatisfied is handled again (else 409)."""
        data = _input(serializers.OptionalNoteInput, request)
        return self._done(services.case_reopen(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.NoteInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def explain(self, request, number=None):
        """The street's explanation to a dissatisfied reporter (else 409)."""
        data = _input(serializers.NoteInput, request)
        return self._done(services.case_explain(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.PublicResultInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def public_result(self, request, number=None):
        """What the reporter and the follow page are told of the outcome."""
        data = _input(serializers.PublicResultInput, request)
        return self._done(services.case_set_public_result(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.VerifyInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, number=None):
        data = _input(serializers.VerifyInput, request)
        return self._done(services.case_verify(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.RateInput, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, number=None):
        data = _input(serializers.RateInput, request)
        return self._done(services.case_rate(case=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.AttachmentInput, responses={201: serializers.AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, number=None):
        data = _input(serializers.AttachmentInput, request)
        attachment = services.case_attach(case=self.get_object(), actor=request.user, upload=data["file"],
                                          kind=data["kind"], task_id=data["task"])
        return Response(serializers.AttachmentSerializer(attachment, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class TaskPagination(CursorPagination):
    ordering = ("due_at", "id")
    page_size_query_param = "page_size"
    max_page_size = 200


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Your tasks: those of the agencies and departments you work in."""

    serializer_class = serializers.TaskSerializer
    pagination_class = TaskPagination
    filterset_fields = ["status", "role"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.task_inbox(user=self.request.user)
        return selectors.task_for_action(user=self.request.user)

    def _done(self, task: Task):
        return Response(serializers.TaskSerializer(selectors.task_for_action(user=self.request.user)
                                                   .get(pk=task.pk)).data)

    @extend_schema(request=None, responses=serializers.TaskSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._done(services.task_accept(task=self.get_object(), actor=request.user))

    @extend_schema(request=serializers.ReasonInput, responses=serializers.TaskSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = _input(serializers.ReasonInput, request)
        return self._done(services.task_return(task=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.OptionalNoteInput, responses=serializers.TaskSerializer)
    @action(detail=True, methods=["post"])
    def approve_return(self, request, pk=None):
        """退单审核: the dispatcher of the case's tier gives the task back (a lead task's case goes to `filed`)."""
        data = _input(serializers.OptionalNoteInput, request)
        return self._done(services.task_approve_return(task=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.ReasonInput, responses=serializers.TaskSerializer)
    @action(detail=True, methods=["post"])
    def refuse_return(self, request, pk=None):
        """退单审核: the task stays with the agency, back in its previous status."""
        data = _input(serializers.ReasonInput, request)
        return self._done(services.task_refuse_return(task=self.get_object(), actor=request.user, **data))

    @extend_schema(request=serializers.ExtensionInput, responses=serializers.TaskSerializer)
    @action(detail=True, methods=["post"])
    def request_extension(self, request, pk=None):
        data = _input(serializers.ExtensionInput, request)
        return self._done(services.task_request_extension(task=self.get_object(), actor=request.user, **data))

    @extend_schema(request=None, responses=serializers.TaskSerializer)
    @action(detail=True, methods=["post"])
    def approve_extension(self, request, pk=None):
        return self._done(services.task_approve_extension(task=self.get_object(), actor=request.user))

    @extend_schema(request=serializers.RespondInput, responses=serializers.TaskSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        data = _input(serializers.RespondInput, request)
        return self._done(services.task_respond(task=self.get_object(), actor=request.user, **data))


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Problem categories: the ten grid work areas and their leaves, with time limits."""

    serializer_class = serializers.CategorySerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        return selectors.category_list()


class NewestIssuedPagination(CursorPagination):
    ordering = ("-issued_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class LetterViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Deadline letters (问题限期受理函告): the street issues; the addressed agency's head acknowledges and
    answers; the street records the feedback to the reporters and closes."""

    pagination_class = NewestIssuedPagination
    serializer_class = serializers.LetterSerializer
    filterset_fields = ["status", "overdue"]

    def get_queryset(self):
        return selectors.letter_list(user=self.request.user)

    @extend_schema(request=serializers.LetterInput, responses={201: serializers.LetterSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(serializers.LetterInput, request)
        letter = letters.letter_issue(actor=request.user, **data)
        return Response(self._render(letter), status=status.HTTP_201_CREATED)

    def _render(self, letter):
        return serializers.LetterSerializer(self.get_queryset().get(pk=letter.pk)).data

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return letter_pdfs.letter_pdf_response(self.get_object())

    @extend_schema(request=None, responses=serializers.LetterSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return Response(self._render(letters.letter_acknowledge(letter=self.get_object(), actor=request.user)))

    @extend_schema(request=serializers.AnswerInput, responses=serializers.LetterSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = _input(serializers.AnswerInput, request)
        return Response(self._render(letters.letter_answer(letter=self.get_object(), actor=request.user, **data)))

    @extend_schema(request=serializers.NoteInput, responses=serializers.LetterSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        data = _input(serializers.NoteInput, request)
        return Response(self._render(letters.letter_feedback(letter=self.get_object(), actor=request.user, **data)))

    @extend_schema(request=serializers.LetterCloseInput, responses=serializers.LetterSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Closes when every linked case is closed, or with a reason for each still open (else 409)."""
        data = _input(serializers.LetterCloseInput, request)
        return Response(self._render(letters.letter_close(letter=self.get_object(), actor=request.user, **data)))
