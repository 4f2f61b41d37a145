"""`GET /api/v1/dashboard/summary/?street=&since=&until=`: the dashboard's KPI figures."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from dashboard import rollups, views


@extend_schema(parameters=[OpenApiParameter("street", str, description="a street's code (the command center)"),
                           OpenApiParameter("since", OpenApiTypes.DATE),
                           OpenApiParameter("until", OpenApiTypes.DATE, description="exclusive; after `since`")],
               responses={200: dict, 404: None})  # 404: a street outside your scope
@api_view(["GET"])
def summary(request):
    """The KPI tiles of the dashboard for the district (or `street`, a street code) over [since, until)
    (ISO dates, Asia/Shanghai; default the last 30 days): the same figures as the page, among them
    the 12345 三率 (`response_rate` 响应率, `resolution_rate` 解决率, `satisfaction_rate` 满意率, from
    `assessment.indicators.three_rates`), the returns (`return_requests`, `returns_approved`,
    `returns_refused`, `return_rate`) and, now, `alarms` (critical cases not acknowledged) and
    `returned_repeatedly` (open cases returned RETURNS_FLAGGED times or more)."""
    street = views.dashboard_street(request.user, request.query_params.get("street"))
    since, until = views.window(request)
    return Response(rollups.summary(street_id=street.pk if street else None, since=since, until=until))
