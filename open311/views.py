"""GeoReport v2 endpoints. Plain Django views: no session, no login, no CSRF token (the one
writing endpoint is for machines and authenticates by api_key), answers only in the
specification's formats — including every error, so a client never has to read an HTML page.
"""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from haidian.inputs import checks_own_input
from open311 import inputs, payloads, selectors, services
from open311.georeport import FORMATS, Open311Error, render, render_error, w3c

logger = logging.getLogger(__name__)


def endpoint(*methods: str):
    """The frame of every endpoint: the format from the URL (.xml or .json; anything else is 404),
    the HTTP method, jurisdiction_id, and errors in the specification's format. Anything
    unexpected is logged and answered as the specification's "400 General service error"."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str = "xml", **kwargs) -> HttpResponse:
            try:
                if fmt not in FORMATS:
                    raise Open311Error(404, _("Unknown format %(format)s: use .xml or .json.") % {"format": fmt[:20]})
                allowed = (*methods, "HEAD") if "GET" in methods else methods
                if request.method not in allowed:
                    response = render_error(Open311Error(405, _("Method %(method)s is not allowed here.")
                                                         % {"method": request.method}), fmt)
                    response["Allow"] = ", ".join(allowed)
                    return response
                inputs.check_no_control_characters(request.GET)
                inputs.check_no_control_characters(request.POST)
                inputs.check_jurisdiction(request.GET)
                inputs.check_jurisdiction(request.POST)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return render_error(error, fmt)
            except (MultiPartParserError, SuspiciousOperation) as error:
                # An unreadable body, too many fields, a host we do not serve: the client's fault.
                return render_error(Open311Error(400, _("The request could not be read: %(error)s")
                                                 % {"error": type(error).__name__}), fmt)
            except Exception:
                logger.exception("Open311 %s %s failed", request.method, request.path)
                return render_error(Open311Error(400, _("General service error: the request could not be "
                                                        "processed. Please tell the district command center.")), fmt)

        # Machines post here with an api_key, never a browser session: no CSRF token to check, and a
        # stray POST or DELETE on a read-only resource gets the specification's 405, not Django's
        # CSRF page. The endpoint judges its own raw input, in its own error format.
        return checks_own_input(csrf_exempt(wrapper))

    return decorate


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("open311:root")).rstrip("/")


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    changed = selectors.services_changed_at()
    changeset = w3c(max(changed, payloads.RELEASED) if changed else payloads.RELEASED)
    return render("discovery", payloads.discovery(url=_base_url(request), changeset=changeset), fmt)


@checks_own_input
@csrf_exempt  # a stray POST gets the specification's 405, not the CSRF page
def root(request: HttpRequest) -> HttpResponse:
    """The endpoint's root serves the discovery document, as the specification suggests."""
    return discovery(request, fmt="xml")


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render("services", [payloads.service(item) for item in selectors.service_list()], fmt)


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    service = selectors.service_get(code) if inputs.service_code_ok(code) else None
    if service is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code[:50]})
    return render("service_definition", payloads.service_definition(service), fmt)


@endpoint("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    now = timezone.now()
    if request.method == "POST":
        key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
        client = selectors.client_for_key(key)
        if client is None:
            raise Open311Error(403, _("Missing api_key: cannot create the request.") if not key
                               else _("Invalid api_key received: cannot create the request."))
        services.rate_limit(client)
        posted = services.request_submit(client=client, submission=inputs.submission(request.POST), now=now)
        return render("service_requests", [payloads.created(posted.case, posted.account_id)], fmt)
    cases = selectors.request_list(inputs.request_query(request.GET, now))
    return render("service_requests", [payloads.service_request(case) for case in cases], fmt)


@endpoint("GET")
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    case = selectors.request_get(request_id) if inputs.identifier(request_id) else None
    if case is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": request_id[:50]})
    return render("service_requests", [payloads.service_request(case)], fmt)


@endpoint("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    posted = selectors.token_get(token) if inputs.identifier(token) else None
    if posted is None:
        raise Open311Error(404, _("token %(token)s was not found.") % {"token": token[:64]})
    return render("service_requests", [payloads.token(posted)], fmt)


@checks_own_input
@csrf_exempt  # a POST to a wrong URL gets the specification's 404, not the CSRF page
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    fmt = "json" if path.endswith(".json") else "xml"
    return render_error(Open311Error(404, _("There is no resource at %(path)s.") % {"path": request.path[:200]}), fmt)
