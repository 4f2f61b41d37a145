"""Co-manager endpoints: reads through scoped selectors; hiring, leaving and quotas through the services.

Outside your scope is a 404; wrong role 403 (from the service); bad input 400; the quota reached 409.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from agencies.models import Street
from comanagers import selectors, services
from comanagers.models import CoManager, Deployment, Placement, Post, Quota
from grids.models import GridCell
from haidian.api import ModelSerializer, Serializer
from haidian.permissions import restrict
from haidian.privacy import mask_phone


class CoManagerSerializer(ModelSerializer):
    post = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grids = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    phone = serializers.SerializerMethodField()
    placement_approver = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CoManager
        fields = ["id", "name", "phone", "post", "street", "hired_at", "left_at", "placement", "placement_reason",
                  "placement_approver", "deployment", "grids", "central_reason", "extra_duties"]

    def get_phone(self, comanager) -> str:
        request = self.context["request"]
        shown = selectors.sees_phone(request.user, comanager)
        if shown and comanager.phone:
            request.comanager_phones_shown = getattr(request, "comanager_phones_shown", 0) + 1
        return comanager.phone if shown else mask_phone(comanager.phone)


class HireInput(Serializer):
    street = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all())
    post = serializers.SlugRelatedField(slug_field="code", queryset=Post.objects.all())
    name = serializers.CharField(max_length=50)
    # Spaces inside only: DRF trims the value before matching, so the schema's pattern is what is taken.
    phone = serializers.RegexField(r"^\+?[\d-][\d\- ]{3,18}[\d-]$", max_length=20)
    hired_at = serializers.DateField(required=False, allow_null=True, default=None)
    placement = serializers.ChoiceField(choices=Placement.choices, default=Placement.NORMAL)
    placement_reason = serializers.CharField(required=False, allow_blank=True, default="")
    placement_approver = serializers.CharField(required=False, allow_blank=True, default="",
                                               help_text=_("Username of the approving district commander."))
    deployment = serializers.ChoiceField(choices=Deployment.choices)
    grids = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    central_reason = serializers.CharField(required=False, allow_blank=True, default="")
    extra_duties = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_placement_approver(self, username):
        if not username:
            return None
        from django.contrib.auth import get_user_model

        approver = get_user_model().objects.filter(username=username, is_active=True).first()
        if approver is None:
            raise serializers.ValidationError(_("No such user."))
        return approver

    def validate_grids(self, codes):
        grids = list(GridCell.objects.filter(code__in=codes).defer("boundary"))
        missing = sorted(set(codes) - {grid.code for grid in grids})
        if missing:
            raise serializers.ValidationError(_("No such grid: %(codes)s") % {"codes": ", ".join(missing)})
        return grids


class LeaveInput(Serializer):
    left_at = serializers.DateField(required=False, allow_null=True, default=None)


class QuotaSerializer(ModelSerializer):
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Quota
        fields = ["id", "street", "year", "count", "updated_at"]


class QuotaInput(Serializer):
    street = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all())
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    count = serializers.IntegerField(min_value=0)


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ByIdPagination(CursorPagination):
    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 500


class CoManagerViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Co-managers (协管员) in your scope. POST hires (the street's sub-center, within its quota unless a
    policy placement); `leave` ends the post. Phones are masked outside the co-manager's street."""

    serializer_class = CoManagerSerializer
    pagination_class = ByIdPagination
    filterset_fields = ["placement", "deployment"]

    def get_queryset(self):
        queryset = selectors.comanager_list(user=self.request.user)
        if self.request.query_params.get("street"):
            queryset = queryset.filter(street__code=self.request.query_params["street"])
        if self.request.query_params.get("in_post") in ("1", "true"):
            queryset = queryset.filter(selectors.in_post(timezone.localdate()))
        return queryset

    def finalize_response(self, request, response, *args, **kwargs):
        selectors.phones_shown(request=request, count=getattr(request, "comanager_phones_shown", 0))
        return super().finalize_response(request, response, *args, **kwargs)

    def _render(self, comanager):
        return CoManagerSerializer(self.get_queryset().get(pk=comanager.pk), context={"request": self.request}).data

    @extend_schema(request=HireInput, responses={201: CoManagerSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(HireInput, request)
        comanager = services.comanager_hire(actor=request.user, **data)
        return Response(self._render(comanager), status=status.HTTP_201_CREATED)

    @extend_schema(request=LeaveInput, responses=CoManagerSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        data = _input(LeaveInput, request)
        return Response(self._render(services.comanager_leave(comanager=self.get_object(), actor=request.user,
                                                              **data)))


class QuotaViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Co-manager quotas (总量控制) per street and year. POST sets one (the district command center)."""

    serializer_class = QuotaSerializer
    pagination_class = ByIdPagination
    filterset_fields = ["year"]

    def get_queryset(self):
        return restrict(Quota.objects.select_related("street"), self.request.user)

    @extend_schema(request=QuotaInput, responses={201: QuotaSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(QuotaInput, request)
        quota = services.quota_set(actor=request.user, **data)
        return Response(QuotaSerializer(quota).data, status=status.HTTP_201_CREATED)
