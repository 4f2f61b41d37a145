"""Read-only community and grid endpoints, and locate."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from grids import selectors
from grids.geometry import locate
from grids.serializers import CommunitySerializer, GridDetailSerializer, GridSerializer, LocateQuerySerializer


class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    """Communities and villages (社区 / 村) in your scope."""

    serializer_class = CommunitySerializer
    lookup_field = "code"
    filterset_fields = ["kind", "street__code"]

    def get_queryset(self):
        return selectors.community_list(user=self.request.user)


class GridViewSet(viewsets.ReadOnlyModelViewSet):
    """Unit grids (网格) in your scope; the detail carries the GeoJSON boundary."""

    lookup_field = "code"
    filterset_fields = ["community__code", "community__street__code"]

    def get_queryset(self):
        queryset = selectors.grid_list(user=self.request.user)
        if self.action == "list":
            # The boundary is only rendered on the detail: don't fetch it for a page of 50.
            queryset = queryset.defer("boundary")
        return queryset

    def get_serializer_class(self):
        return GridSerializer if self.action == "list" else GridDetailSerializer

    @extend_schema(
        parameters=[LocateQuerySerializer],  # the bounds it checks
        responses={200: GridSerializer, 404: None},  # 404: no grid of yours there (body: haidian.schema)
    )
    @action(detail=False, methods=["get"])
    def locate(self, request):
        """The grid of yours that contains the point (WGS84)."""
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = locate(query.validated_data["lat"], query.validated_data["lng"])
        grid = self.get_queryset().filter(id=found.id).first() if found else None
        if grid is None:
            raise NotFound(_("No grid in your scope contains this point."))
        return Response(GridSerializer(grid).data)
