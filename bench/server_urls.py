"""The project's URLs plus the framework floor used as the intake benchmark's baseline."""

import json
import uuid

from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from dispatch.models import Case
from haidian.urls import urlpatterns as site_urls

FLOOR_PREFIX = "GEN-FLOOR-"


@csrf_exempt
def floor(request):
    """A bare Django view: parse the same JSON as the intake API and insert one case row through the
    ORM, with the grid given — no authentication, serializer, locating, number sequence or event."""
    try:
        body = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest()
    number = f"BF{uuid.uuid4().hex[:18]}"
    case = Case.objects.create(
        number=number, title=body["title"], lat=body["lat"], lng=body["lng"], source=body["source"],
        street_id=body["street_id"], community_id=body["community_id"], grid_id=body["grid_id"],
        external_id=f"{FLOOR_PREFIX}{number}", created_at=timezone.now(),
    )
    return JsonResponse({"number": case.number}, status=201)


urlpatterns = [*site_urls, path("bench/floor/", floor)]
