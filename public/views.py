"""The public's pages: no login, made for a phone, Chinese first.

    /public/                     the index: report, follow, my grid's roster, rankings
    /report/                     report a problem (?grid=<code> from a poster's QR code)
    /report/sent/                the case number and the private follow link, once reported
    /follow/, /follow/<token>/   find a case by number and phone digits; its public timeline
    /follow/<token>/stop-messages/   POST: no more text messages to the case's reporter
    /grids/                      map of the grids and a code look-up
    /grids/<code>/               a grid's public roster (实名制公示); poster.pdf its A4 poster

Answers: 400 a bad or robot's form, 404 nothing found (the same answer for an unknown case number
and wrong phone digits), 429 past a rate limit.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment.satisfaction import invitation_url
from dispatch import selectors as dispatch_selectors
from dispatch.models import CaseStatus
from grids.geometry import locate
from haidian.errors import InvalidInput
from public import forms, guards, poster, reporters, selectors, services

SENT_KEY = "public:sent"  # the session's note of the last report, for the page after the redirect


def _too_many(request, limit: guards.RateLimit, what: str) -> HttpResponse:
    response = render(request, "public/too_many.html", {"what": what}, status=429)
    response["Retry-After"] = str(limit.retry_after())
    return response


def _private(response: HttpResponse) -> HttpResponse:
    """A page whose address is its credential: keep it out of other sites' logs and of search
    engines. `same-origin`, not `no-referrer`: under no-referrer a browser posts the page's own
    forms (the language switch) with `Origin: null`, which Django's CSRF check refuses."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def index(request):
    return render(request, "public/index.html")


# --- report ------------------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    """群众上报: words, an optional photo and category, the point on the map or from the phone."""
    ip = guards.client_ip(request)
    if guards.REPORTS.exceeded(ip):
        return _too_many(request, guards.REPORTS, "report")
    grid = selectors.grid_by_code(request.GET.get("grid", ""), with_boundary=True)
    if request.method == "GET":
        initial = {"stamp": guards.issue_stamp()}
        if grid is not None:
            initial.update(lat=round(grid.centroid_lat, 6), lng=round(grid.centroid_lng, 6))
        form = forms.ReportForm(initial=initial)
        return render(request, "public/report.html", {"form": form, "grid": grid})

    form = forms.ReportForm(request.POST, request.FILES)
    if form.is_valid():
        if not guards.REPORTS.hit(ip):
            return _too_many(request, guards.REPORTS, "report")
        data = form.cleaned_data
        try:
            case, follow = services.public_report(
                title=data["title"], description=data["description"], category=data["category"],
                lat=data["lat"], lng=data["lng"], address=data["address"], photo=data["photo"],
                reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
                reporter_email=data["reporter_email"])
        except InvalidInput as exc:
            guards.REPORTS.undo(ip)  # nothing was reported: the attempt does not count
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, [str(e) for e in errors])
        else:
            request.session[SENT_KEY] = {"number": case.number, "token": follow.token}
            return redirect("public:report-sent")
    # Back to the form: a fresh stamp after a robot check failed, else the one it came with, so
    # that correcting a field is not "too fast".
    stamp = guards.issue_stamp() if form.refusal else request.POST.get("stamp", "")
    form.data = form.data.copy()
    form.data["stamp"] = stamp
    return render(request, "public/report.html", {"form": form, "grid": grid}, status=400)


@never_cache
@require_safe
def report_sent(request):
    """The case number and the private follow link: nothing else about the report."""
    sent = request.session.get(SENT_KEY)
    if not sent:
        return redirect("public:report")
    link = request.build_absolute_uri(reverse("public:follow-case", kwargs={"token": sent["token"]}))
    return _private(render(request, "public/report_sent.html", {"number": sent["number"], "link": link}))


@require_safe
def suggest(request):
    """The category a report's title suggests (htmx), as on the grid worker's page."""
    category = dispatch_selectors.suggest_category(request.GET.get("title", "")[:200])
    return render(request, "dispatch/_suggestion.html", {"category": category})


# --- follow ------------------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
def follow(request):
    """查询: the case number and the last four digits of the reporter's phone lead to its follow link."""
    if request.method == "GET":
        form = forms.FollowForm(initial={"number": request.GET.get("number", "")})
        return render(request, "public/follow.html", {"form": form})
    # Every try counts, right or wrong: ten thousand possible digits must take years, not minutes.
    if not guards.FOLLOW_TRIES.hit(guards.client_ip(request)):
        return _too_many(request, guards.FOLLOW_TRIES, "follow")
    form = forms.FollowForm(request.POST)
    status = 400
    if form.is_valid():
        case = selectors.case_for_follow(number=form.cleaned_data["number"],
                                         last_four=form.cleaned_data["last_four"])
        if case is not None:
            return redirect("public:follow-case", token=services.follow_token_for(case).token)
        status = 404
        form.add_error(None, _("No case matches this number and these digits. Check both and try again."))
    return render(request, "public/follow.html", {"form": form}, status=status)


@never_cache
@require_safe
def follow_case(request, token: str):
    """The public timeline of one case (see public.selectors for what it never shows)."""
    case = selectors.case_for_token(token)
    if case is None:
        raise Http404
    rating_url = invitation_url(case) if case.status == CaseStatus.CLOSED else None
    view = selectors.follow_view(case)
    return _private(render(request, "public/follow_case.html", {
        "case": case, "status_label": selectors.status_label(case), "steps": view.steps,
        "rating_url": rating_url, "satisfaction": selectors.satisfaction_label(case),
        "public_result": view.public_result,
        "token": token, "has_reporter_address": bool(reporters.reporter_addresses(case)),
        "messages_stopped": request.GET.get("stopped") == "1",
    }))


@never_cache
@require_POST
def follow_stop_messages(request, token: str):
    """不再接收短信通知: the reporter asks for no more messages (to the phone and email of the case)."""
    case = selectors.case_for_token(token)
    if case is None:
        raise Http404
    reporters.reporter_opt_out(case=case)
    return redirect(f"{reverse('public:follow-case', kwargs={'token': token})}?stopped=1")


# --- grids and their rosters -----------------------------------------------------------------------

@require_safe
def grid_map(request):
    """All grids on a map, a code look-up, and "find my grid" from the phone's location."""
    form = forms.GridLookupForm(request.GET or None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            grid = selectors.grid_by_code(form.cleaned_data["code"].strip())
            if grid is not None:
                return redirect("public:grid", code=grid.code)
            form.add_error("code", _("No grid has this code."))
            status = 404
        else:
            status = 400
    return render(request, "public/grid_map.html", {"form": form}, status=status)


@require_safe
def grid_outlines(request):
    """The grids' outlines, codes and names as GeoJSON, for the public map (no login)."""
    content, version = selectors.grid_outlines()
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(content, content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def grid_locate(request):
    """The grid containing a point (the phone's location), as its code and roster page."""
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return JsonResponse({"detail": _("Give lat and lng as numbers.")}, status=400)
    found = locate(lat, lng) if abs(lat) <= 90 and abs(lng) <= 180 else None
    if found is None:
        return JsonResponse({"detail": _("No grid of the district contains this point.")}, status=404)
    return JsonResponse({"code": found.code, "url": reverse("public:grid", kwargs={"code": found.code})})


@require_safe
def grid_roster(request, code: str):
    """实名制公示: who serves this grid, their unit, duty and public phone."""
    grid = selectors.grid_by_code(code, with_boundary=True)
    if grid is None:
        raise Http404
    entries = selectors.roster(grid)
    return render(request, "public/grid_roster.html", {
        "grid": grid, "community": grid.community, "street": grid.community.street, "entries": entries,
        "demo": any(entry.demo for entry in entries),
        "report_url": f"{reverse('public:report')}?{urlencode({'grid': grid.code})}",
    })


@require_safe
def grid_poster(request, code: str):
    """The grid's A4 poster as PDF: the roster and a QR code to report in this grid."""
    grid = selectors.grid_by_code(code)
    if grid is None:
        raise Http404
    response = HttpResponse(poster.poster_pdf(grid, url=poster.report_url(grid, request)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="grid-{grid.code}-poster.pdf"'
    return response
