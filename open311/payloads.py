"""Our models as GeoReport v2 structures (rendered by open311.georeport). Field names, their
order and their presence follow the specification; a field we have no value for is null.

Personal data never appears: the reporter's name, phone and email, device and account stay
inside. What a request shows of its place depends on how it came in. A request posted through
Open311 shows its description, address, point and media as posted: that is GeoReport's public
contract. A case reported another way (grid patrol, the 12345 hotline, a resident's page, staff)
was not given for publication: its description is withheld, its address is its grid, community
and street, and its point is rounded to 3 decimals (about 100 m), so that a heating complaint
does not name the flat it came from.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from dispatch.models import Case, CaseStatus, Category, Source, Tier
from haidian.calendar import SHANGHAI, TimeUnit
from open311.georeport import MIME_TYPES, SPECIFICATION, w3c
from open311.selectors import CLOSED_STATUSES, Service

SERVICE_TYPE = "realtime"  # a POST answers the case number at once: no tokens needed to wait for
COARSE_DECIMALS = 3
# When this endpoint first answered: discovery's changeset before any service definition was edited.
RELEASED = dt.datetime(2026, 11, 26, tzinfo=SHANGHAI)


def _time_limit(category: Category) -> str:
    amount = f"{category.time_limit.normalize():f}"
    unit = {
        TimeUnit.WORKING_HOURS: _("working hours"),
        TimeUnit.WORKING_DAYS: _("working days"),
        TimeUnit.CALENDAR_HOURS: _("hours"),
    }.get(category.time_limit_unit, category.time_limit_unit)
    return f"{amount} {unit}"


def service_notice(category: Category) -> str:
    try:
        notice = category.open311_definition.service_notice
    except Category.open311_definition.RelatedObjectDoesNotExist:
        notice = ""
    return notice or _(
        "The street sub-center files the report and dispatches it to the agency in charge, which has "
        "%(limit)s to handle it.") % {"limit": _time_limit(category)}


def service(item: Service) -> dict:
    definition = item.definition
    return {
        "service_code": item.category.code,
        "service_name": item.category.name,
        "description": (definition.description if definition else "") or None,
        "metadata": bool(item.attributes),
        "type": SERVICE_TYPE,
        "keywords": (definition.keywords if definition else "") or None,
        "group": item.category.parent.name,
    }


def _attribute(attribute: dict) -> dict:
    shown = {
        "variable": attribute["variable"],
        "code": attribute["code"],
        "datatype": attribute["datatype"],
        "required": attribute["required"],
        "datatype_description": attribute.get("datatype_description") or None,
        "order": attribute["order"],
        "description": attribute["description"],
    }
    if attribute.get("values") is not None:
        shown["values"] = [{"key": value["key"], "name": value["name"]} for value in attribute["values"]]
    return shown


def service_definition(item: Service) -> dict:
    attributes = sorted(item.attributes, key=lambda attribute: attribute["order"])
    return {"service_code": item.category.code, "attributes": [_attribute(a) for a in attributes]}


def discovery(*, url: str, changeset: str) -> dict:
    return {
        "changeset": changeset,
        "contact": getattr(settings, "OPEN311_CONTACT", "") or _(
            "Haidian District Social Service Management Supervision and Emergency Command Center (海淀区社会服务"
            "管理监督和应急指挥中心). Requests posted here are public: their description, address, point "
            "and media are published; the reporter's name, phone and email are not."),
        "key_service": getattr(settings, "OPEN311_KEY_SERVICE", "") or _(
            "API keys are issued per application by the district command center's administrators. "
            "Reading services and requests needs no key; posting a request does."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url,
            "changeset": changeset,
            "type": "production" if settings.HAIDIAN_ENV == "production" else "test",
            "formats": list(MIME_TYPES),
        }],
    }


def status(case: Case) -> str:
    return "closed" if case.status in CLOSED_STATUSES else "open"


def status_notes(case: Case) -> str:
    """More than open/closed, without the staff's own words (which may name people)."""
    if case.status == CaseStatus.REJECTED:
        if case.duplicate_of_id:
            return _("Closed as a duplicate of another request.")
        return _("Not accepted as a case.")
    if case.status == CaseStatus.CLOSED:
        if case.tier == Tier.GRID:
            return _("Resolved on the spot by the grid worker.")
        return _("Resolved, and the result verified by the street sub-center.")
    return {
        CaseStatus.REPORTED: _("Received; waiting to be filed by the street sub-center."),
        CaseStatus.FILED: _("Filed; waiting to be dispatched to the agency in charge."),
        CaseStatus.DISPATCHED: _("Dispatched; the agency in charge is handling it."),
        CaseStatus.RESPONDED: _("Handled by the agency; the street sub-center is verifying the result."),
    }.get(case.status, "")


def _lead(case: Case):
    leads = getattr(case, "live_leads", None)
    return leads[0] if leads else None


def agency_responsible(case: Case) -> str:
    """The lead agency (or district department); before dispatch, the street sub-center, or the
    district command center for a case escalated to the district."""
    lead = _lead(case)
    if lead is not None:
        return lead.assignee.name
    if case.tier == Tier.DISTRICT:
        return case.street.district.name
    return case.street.name


def _updated(case: Case):
    # The specification: "For requests with status=closed, this will be the date the request was closed."
    if case.status == CaseStatus.CLOSED and case.closed_at:
        return case.closed_at
    if case.status == CaseStatus.REJECTED and case.rejected_at:
        return case.rejected_at
    return case.updated_at


def _posted(case: Case):
    try:
        return case.open311_request
    except Case.open311_request.RelatedObjectDoesNotExist:
        return None


def service_request(case: Case) -> dict:
    posted = _posted(case) if case.source == Source.OPEN311 else None
    lead = _lead(case)
    if posted is not None:
        description, address = case.description or None, case.address or None
        lat, lng, media_url = case.lat, case.lng, posted.media_url or None
    else:
        description, media_url = None, None
        address = ", ".join([case.grid.name, case.grid.community.name, case.street.name])
        lat, lng = round(case.lat, COARSE_DECIMALS), round(case.lng, COARSE_DECIMALS)
    return {
        "service_request_id": case.number,
        "status": status(case),
        "status_notes": status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": description,
        "agency_responsible": agency_responsible(case),
        "service_notice": service_notice(case.category),
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(_updated(case)),
        "expected_datetime": w3c(lead.due_at) if lead is not None else None,
        "address": address,
        "address_id": case.grid.code,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": media_url,
    }


def created(case: Case, account_id: str) -> dict:
    """POST's answer: the case number at once (a realtime service), so no token (the
    specification: a token "should not be returned if service_request_id is returned")."""
    return {
        "service_request_id": case.number,
        "service_notice": service_notice(case.category),
        "account_id": account_id or None,
    }


def token(posted) -> dict:
    return {"service_request_id": posted.case.number, "token": posted.token}
