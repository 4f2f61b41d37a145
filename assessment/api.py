"""Assessment endpoints: rounds and their steps, forms, results (JSON and Excel), awards.

Errors as everywhere: 400 bad input, 403 wrong role, 404 outside what you may see, 409 a step the
round's status forbids.
"""

from django.db import transaction
from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

from assessment import rewards, selectors, serializers, services
from assessment.export import results_workbook
from assessment.models import Evaluation, Round
from haidian import audit
from haidian.permissions import Role
from people.selectors import holds


def _input(serializer_class, request, data=None):
    serializer = serializer_class(data=request.data if data is None else data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class FormPagination(CursorPagination):
    ordering = ("id",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class ResultPagination(PageNumberPagination):
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 5000


class RoundViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """考核轮次: the district creates, opens, closes, computes and publishes; everyone signed in reads."""

    lookup_field = "period"
    serializer_class = serializers.RoundSerializer
    pagination_class = None
    queryset = Round.objects.all()

    @extend_schema(request=serializers.RoundInput, responses={201: serializers.RoundSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(serializers.RoundInput, request)
        round_ = services.round_create(actor=request.user, **data)
        return Response(serializers.RoundSerializer(round_).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.RoundChange, responses=serializers.RoundSerializer)
    def partial_update(self, request, period=None):
        """Weights (draft only) and the district's annotation (until published)."""
        round_ = self.get_object()
        data = _input(serializers.RoundChange, request)
        annotation = data.pop("annotation", None)
        with transaction.atomic():
            if data:
                round_ = services.round_set_weights(round=round_, actor=request.user, **data)
            if annotation is not None:
                round_ = services.round_annotate(round=round_, actor=request.user, annotation=annotation)
        return Response(serializers.RoundSerializer(round_).data)

    @extend_schema(request=serializers.OpenInput, responses=serializers.RoundSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, period=None):
        data = _input(serializers.OpenInput, request)
        round_ = services.round_open(round=self.get_object(), actor=request.user, closes_at=data["closes_at"])
        return Response(serializers.RoundSerializer(round_).data)

    @extend_schema(request=None, responses=serializers.RoundSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, period=None):
        return Response(serializers.RoundSerializer(services.round_close(round=self.get_object(),
                                                                         actor=request.user)).data)

    @extend_schema(request=None, responses=serializers.RoundSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, period=None):
        return Response(serializers.RoundSerializer(services.round_publish(round=self.get_object(),
                                                                           actor=request.user)).data)

    @extend_schema(request=None, responses={202: serializers.RoundSerializer})
    @action(detail=True, methods=["post"])
    def compute(self, request, period=None):
        """Queue the computation (a Celery task); follow `compute_state`, `compute_percent`, `compute_stage`."""
        round_ = services.round_compute(round=self.get_object(), actor=request.user)
        return Response(serializers.RoundSerializer(round_).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(parameters=[OpenApiParameter("mine", bool)], responses=serializers.EvaluationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=FormPagination)  # paged by hand below
    def evaluations(self, request, period=None):
        """Forms of the round: `?mine=1` your own; without it the district sees all, others their own."""
        mine = request.query_params.get("mine", "") in ("1", "true", "yes")
        forms = selectors.evaluations(user=request.user, round=self.get_object(), mine=mine)
        paginator = FormPagination()
        page = paginator.paginate_queryset(forms, request, view=self)
        return paginator.get_paginated_response(serializers.EvaluationSerializer(page, many=True).data)

    def _version(self, request, round_):
        query = _input(serializers.ResultQuery, request, request.query_params)
        version = selectors.result_version(round=round_, user=request.user, version=query["version"])
        if version is None:
            raise Http404
        return query, version

    @extend_schema(parameters=[serializers.ResultQuery], responses=serializers.ResultSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=ResultPagination)  # paged by hand below
    def results(self, request, period=None):
        """`?kind=agency|street|community|grid_worker|department|squad_deputy`, `?version=`."""
        round_ = self.get_object()
        query, version = self._version(request, round_)
        rows = selectors.results(round=round_, version=version, kind=query["kind"], user=request.user)
        paginator = ResultPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(serializers.ResultSerializer(page, many=True).data)

    @extend_schema(responses=serializers.ResultDetailSerializer)
    @action(detail=True, methods=["get"], url_path=r"results/(?P<kind>[a-z_]+)/(?P<unit_id>[0-9]+)")
    def result(self, request, period=None, kind=None, unit_id=None):
        """One result drilled down: components, each indicator's numerator, denominator, sample, mean,
        shrinkage and points, and the case numbers behind them (at most 200 per side)."""
        round_ = self.get_object()
        version = selectors.result_version(round=round_, user=request.user)
        if version is None:
            raise Http404
        row = selectors.results(round=round_, version=version, user=request.user).filter(
            kind=kind, unit_id=int(unit_id)).first()
        if row is None:
            raise Http404
        row.behind = selectors.cases_behind(round=round_, result=row)
        return Response(serializers.ResultDetailSerializer(row).data)

    @extend_schema(parameters=[serializers.ResultQuery], responses={(200, "application/vnd.openxmlformats-"
                                                                     "officedocument.spreadsheetml.sheet"): bytes})
    @action(detail=True, methods=["get"], url_path="results.xlsx")
    def results_xlsx(self, request, period=None):
        round_ = self.get_object()
        _query, version = self._version(request, round_)
        # People are named only in the copy of those who run or audit the rounds.
        public = not selectors.sees_drafts(request.user)
        response = HttpResponse(results_workbook(round_, version, public=public),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="assessment-{round_.period}-v{version}.xlsx"'
        audit.record(audit.Action.EXPORT, request=request, obj=round_,
                     data={"what": "assessment_results", "format": "xlsx", "via": "api", "period": round_.period,
                           "version": version, "people_named": not public})
        return response

    @extend_schema(methods=["GET"], request=None, responses=serializers.AwardSerializer(many=True))
    @extend_schema(methods=["POST"], request=serializers.AwardInput, responses={201: serializers.AwardSerializer})
    @action(detail=True, methods=["get", "post"])
    def awards(self, request, period=None):
        """统筹激励 recorded against a published round: street staff record; everyone signed in reads."""
        round_ = self.get_object()
        if request.method == "POST":
            data = _input(serializers.AwardInput, request)
            award = services.award_record(round=round_, actor=request.user, **data)
            return Response(serializers.AwardSerializer(award).data, status=status.HTTP_201_CREATED)
        awards = round_.awards.select_related("street", "agency").order_by("-recorded_at", "-id")
        return Response(serializers.AwardSerializer(awards, many=True).data)


class AwardViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """统筹激励: a street's awards to the agencies serving it, recorded by its staff, approved by a second
    staff member; the district sees every street's. `summary/?year=` sums the approved ones per street."""

    serializer_class = serializers.AwardSerializer
    pagination_class = FormPagination

    def get_queryset(self):
        return selectors.awards(user=self.request.user).select_related("street", "agency", "round")

    @extend_schema(request=serializers.AwardInput, responses={201: serializers.AwardSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(serializers.AwardInput, request)
        award = services.award_record(actor=request.user, **data)
        return Response(serializers.AwardSerializer(award).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=serializers.AwardSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return Response(serializers.AwardSerializer(
            services.award_decide(award=self.get_object(), actor=request.user, approve=True)).data)

    @extend_schema(request=None, responses=serializers.AwardSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return Response(serializers.AwardSerializer(
            services.award_decide(award=self.get_object(), actor=request.user, approve=False)).data)

    @extend_schema(parameters=[serializers.AwardTotalsQuery], responses=serializers.AwardTotalRow(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def summary(self, request):
        """Approved awards per street in `year`: count and total (yuan)."""
        year = _input(serializers.AwardTotalsQuery, request, request.query_params)["year"]
        return Response([{"street": row["street__code"], "name": row["street__name"], "count": row["count"],
                          "total": str(row["total"])}
                         for row in services.award_totals(year=year, street_ids=selectors.award_street_ids(
                             user=request.user))])


class EvaluationViewSet(viewsets.GenericViewSet, mixins.RetrieveModelMixin):
    """One's own evaluation forms (the district reads all)."""

    serializer_class = serializers.EvaluationSerializer

    def get_queryset(self):
        if services.runs_rounds(self.request.user) and self.action == "retrieve":
            return Evaluation.objects.select_related("round")
        return services.my_evaluations(user=self.request.user)

    @extend_schema(request=serializers.SubmitInput, responses=serializers.EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """`scores` {duty, response, cooperation, conduct: 0–100}, `comment`; only while the round is open."""
        data = _input(serializers.SubmitInput, request)
        evaluation = services.evaluation_submit(evaluation=self.get_object(), actor=request.user, **data)
        return Response(serializers.EvaluationSerializer(evaluation).data)


@extend_schema(parameters=[serializers.RewardQuery], responses={200: serializers.RewardRow(many=True), 404: None})
@api_view(["GET"])
def comanager_rewards(request):
    """协管员绩效考核奖励: `?street=<code>&year=` — the street's co-managers, their mean result over the
    year's published rounds, its grade and reward tier; the street's staff, the district and auditors."""
    query = _input(serializers.RewardQuery, request, request.query_params)
    street = query["street"]
    if not (selectors.sees_drafts(request.user) or holds(request.user, Role.STREET_STAFF, "street", street.pk)):
        raise Http404
    return Response(serializers.RewardRow(rewards.reward_list(street_id=street.pk, year=query["year"]),
                                          many=True).data)
