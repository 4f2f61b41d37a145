"""吹哨报到 endpoints: scoped reads (404 outside your scope), the whistle and the check-in as verbs
that call the services (403 wrong person, 409 wrong moment, 400 bad input).

- `POST /api/v1/cases/{number}/whistle/` — street staff summon units to a case (201);
- `GET /api/v1/summons/`, `GET /api/v1/summons/{id}/` — summonses in your scope;
- `POST /api/v1/summons/{id}/check_in/` — a summoned unit's person reports on site (200).
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from dispatch.selectors import case_list
from whistle import selectors, serializers, services


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _render(request, summons, code=status.HTTP_200_OK) -> Response:
    fresh = selectors.summons_list(user=request.user).get(pk=summons.pk)
    return Response(serializers.SummonsSerializer(fresh).data, status=code)


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema(request=serializers.WhistleInput, responses={201: serializers.SummonsSerializer},
               operation_id="cases_whistle_create", tags=["summons"])
@api_view(["POST"])
def case_whistle(request, number: str):
    """吹哨: summon agencies serving the case's street, or departments of its district, to report on
    site within `minutes` (default WHISTLE_MINUTES). Street staff of the case's street only."""
    case = case_list(user=request.user).filter(number=number).first()
    if case is None:
        raise Http404
    summons = services.summons_create(case=case, actor=request.user, **_input(serializers.WhistleInput, request))
    return _render(request, summons, status.HTTP_201_CREATED)


@extend_schema(tags=["summons"])
class SummonsViewSet(viewsets.ReadOnlyModelViewSet):
    """Summonses (吹哨) in your scope: the street's, the ones your agency or department is in, the
    district's."""

    serializer_class = serializers.SummonsSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return selectors.summons_list(user=self.request.user)

    @extend_schema(request=serializers.CheckInInput, responses=serializers.SummonsSerializer)
    @action(detail=True, methods=["post"])
    def check_in(self, request, pk=None):
        """报到: report on site for your summoned agency or department, with where you are."""
        summons = self.get_object()
        services.summons_check_in(summons=summons, actor=request.user, **_input(serializers.CheckInInput, request))
        return _render(request, summons)
