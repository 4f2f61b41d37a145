"""The command center dashboard: the district's (and each street sub-center's) live picture.

The page is drawn once; its panels (alarms, KPI tiles with the 12345 三率, rankings, feed, overdue
letters, cases returned repeatedly) come back by htmx every DASHBOARD_REFRESH_SECONDS, and the map
colours and charts from `data.json` on the same beat, so it runs all day on a wall screen without
reloading. Every figure is read from the roll-ups; the lists are short index reads.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agencies.models import Street
from dashboard import rollups
from dashboard.models import GridState
from dispatch.models import OPEN_STATUSES, Case, DeadlineLetter, LetterStatus, Priority, Tier
from grids.models import GridCell
from haidian.errors import InvalidInput
from haidian.permissions import Role, scope_for

TREND_DAYS = 30
ALARMS_SHOWN = 10


def dashboard_street(user, code: str | None) -> Street | None:
    """The street this person's dashboard shows (None: the whole district). The district command
    center may pick any street; a sub-center's staff see their own street only (404 otherwise)."""
    scope = scope_for(user)
    district = scope.everything or scope.has_role(Role.DISTRICT_COMMAND)
    if district:
        if not code:
            return None
        street = Street.objects.filter(code=code).first()
        if street is None:
            raise Http404
        return street
    if not scope.has_role(Role.STREET_STAFF):
        raise Http404
    streets = Street.objects.filter(pk__in=scope.street_ids).order_by("code")
    street = streets.filter(code=code).first() if code else streets.first()
    if street is None:
        raise Http404
    return street


def window(request) -> tuple[dt.date, dt.date]:
    """`since` and `until` (ISO dates; until exclusive), by default the last 30 days and today."""
    today = timezone.localdate()
    try:
        since = dt.date.fromisoformat(request.GET["since"]) if request.GET.get("since") else \
            today - dt.timedelta(days=TREND_DAYS - 1)
        until = dt.date.fromisoformat(request.GET["until"]) if request.GET.get("until") else \
            today + dt.timedelta(days=1)
    except ValueError:
        raise InvalidInput({"since": [_("Dates are written YYYY-MM-DD.")]}) from None
    if since >= until:
        raise InvalidInput({"until": [_("`until` must come after `since`.")]})
    return since, until


def _context(request) -> dict:
    street = dashboard_street(request.user, request.GET.get("street"))
    try:
        since, until = window(request)
    except InvalidInput:
        raise Http404 from None
    street_id = street.pk if street else None
    cases = Case.objects.select_related("street", "grid", "category").defer("grid__boundary", "description")
    letters = DeadlineLetter.objects.filter(status__in=[LetterStatus.ISSUED, LetterStatus.ACKNOWLEDGED],
                                            deadline__lt=timezone.now()).select_related("street", "agency")
    flagged_grids = GridState.objects.filter(returned_open__gt=0)
    if street:
        cases, letters = cases.filter(street=street), letters.filter(street=street)
        flagged_grids = flagged_grids.filter(street_id=street.pk)
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    return {
        "street": street, "since": since, "until": until, "kpi": rollups.summary(street_id=street_id, since=since,
                                                                                  until=until),
        "ranking": rollups.rankings(street_id=street_id, since=since, until=until),
        # Critical cases whose alarm nobody has acknowledged, newest first: the partial index case_alarm_idx.
        "alarms": list(open_cases.filter(priority=Priority.CRITICAL, alarm_acknowledged_at=None)
                       .order_by("-created_at", "-id")[:ALARMS_SHOWN]),
        # Returned RETURNS_FLAGGED times or more: only in the grids whose roll-up counts one, so the
        # read is a few grids' index ranges (case_grid_idx), not a walk through every open case (on
        # SQLite, the demo, the list is as fresh as the roll-ups: a minute at most).
        "returned": list(open_cases.filter(grid_id__in=flagged_grids.values("grid_id"),
                                           return_count__gte=rollups.RETURNS_FLAGGED)
                         .order_by("-created_at", "-id")[:8]),
        "latest": list(cases.order_by("-created_at", "-id")[:8]),
        "escalated": list(cases.filter(tier=Tier.DISTRICT, status__in=OPEN_STATUSES)
                          .order_by("-escalated_at", "-id")[:8]),
        "overdue_letters": list(letters.order_by("deadline")[:8]),
        "refresh": settings.DASHBOARD_REFRESH_SECONDS,
        "query": request.GET.urlencode(),
    }


@login_required
def dashboard(request):
    context = _context(request)
    scope = scope_for(request.user)
    context["streets"] = Street.objects.order_by("code") if (
        scope.everything or scope.has_role(Role.DISTRICT_COMMAND)) else []
    context["wall"] = request.GET.get("wall") == "1"
    return render(request, "dashboard/dashboard.html", context)


@login_required
def panels(request):
    """The alarms, tiles, rankings, feed, letters and returned cases again (htmx)."""
    return render(request, "dashboard/_panels.html", _context(request))


@login_required
@require_GET
def data(request):
    """Map colours and chart series (the page's script polls it)."""
    street = dashboard_street(request.user, request.GET.get("street"))
    try:
        since, until = window(request)
    except InvalidInput as exc:
        return JsonResponse(exc.errors, status=400)
    street_id = street.pk if street else None
    states = rollups.grid_states(street_id=street_id)
    return JsonResponse({
        "grids": {str(pk): state for pk, state in states.items()},
        "trends": rollups.trends(street_id=street_id, since=since, until=until),
    })


@login_required
@require_GET
def grids_geojson(request):
    """Our own grid outlines (a FeatureCollection: id, code, name), cached: they change rarely."""
    street = dashboard_street(request.user, request.GET.get("street"))
    key = f"dashboard:grids:{street.pk if street else 'all'}:{GridCell.objects.count()}"
    body = cache.get(key)
    if body is None:
        grids = GridCell.objects.all() if street is None else GridCell.objects.filter(community__street=street)
        body = json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": pk, "properties": {"id": pk, "code": code, "name": name}, "geometry": boundary}
            for pk, code, name, boundary in grids.values_list("pk", "code", "name", "boundary")
        ]}, ensure_ascii=False, separators=(",", ":"))
        cache.set(key, body, 3600)
    return HttpResponse(body, content_type="application/geo+json")


@login_required
def grid_cases(request, code: str):
    """A grid's open cases, listed when its cell is clicked on the map."""
    street = dashboard_street(request.user, request.GET.get("street"))
    grid = GridCell.objects.filter(code=code).select_related("community__street").defer("boundary").first()
    if grid is None or (street is not None and grid.community.street_id != street.pk):
        raise Http404
    cases = list(Case.objects.filter(grid=grid, status__in=OPEN_STATUSES).select_related("category")
                 .order_by("-created_at", "-id")[:20])
    return render(request, "dashboard/_grid_cases.html", {"grid": grid, "cases": cases})
