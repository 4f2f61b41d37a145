"""Reading the GeoReport v2 arguments: GET requests' filters and POST requests' form. Everything a
client can get wrong becomes an Open311Error (400, or 404 for something that does not exist)
naming the argument, never a server error.

Following the specification's "Optional Arguments", an empty argument counts as absent.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.http import QueryDict
from django.utils.translation import gettext as _

from dispatch.models import Case, Category
from grids.models import GridCell
from haidian.calendar import SHANGHAI
from haidian.inputs import is_invisible, printable, text_problem
from open311.attributes import check_answers
from open311.georeport import Open311Error
from open311.selectors import RequestQuery, Service, service_get

MAX_WINDOW = dt.timedelta(days=90)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # keeps OFFSET far inside a bigint however silly the number
MAX_IDS = 100
MAX_DESCRIPTION = 4000  # the specification's limit
DEFAULT_JURISDICTION = "bjhd.gov.cn"  # 北京市海淀区人民政府, www.bjhd.gov.cn

IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{2,19}$")
# Control characters PostgreSQL or XML cannot store (NUL) or that have no business in a form.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# An unencoded "+08:00" in a query string arrives as " 08:00".
LOST_PLUS = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


def _value(params: QueryDict, name: str) -> str:
    return (params.get(name) or "").strip()


def check_no_control_characters(params: QueryDict) -> None:
    """Refuse what the database would refuse with an error (NUL) before it gets there, and what no
    text should hold (haidian.inputs.text_problem: control characters but tab and line breaks,
    direction overrides)."""
    for name, values in params.lists():
        for value in [name, *values]:
            problem = text_problem(value)
            if problem == "bidi":
                raise Open311Error(400, _("%(name)s contains characters that reverse the direction of the text.")
                                   % {"name": printable(name[:50])})
            if problem:
                raise Open311Error(400, _("%(name)s contains control characters.") % {"name": printable(name[:50])})


def check_jurisdiction(params: QueryDict) -> None:
    """One jurisdiction is served, so jurisdiction_id may be left out; one that is given must be
    ours (OPEN311_JURISDICTION_ID, default bjhd.gov.cn, with or without www.), else 404 as the
    specification asks. An empty OPEN311_JURISDICTION_ID accepts any."""
    given = _value(params, "jurisdiction_id").lower().removeprefix("www.")
    ours = getattr(settings, "OPEN311_JURISDICTION_ID", DEFAULT_JURISDICTION).lower().removeprefix("www.")
    if given and ours and given != ours:
        raise Open311Error(404, _("jurisdiction_id %(given)s was not found: this endpoint serves %(ours)s.")
                           % {"given": given[:100], "ours": ours})


def identifier(value: str) -> str | None:
    """A request number or token; None when it cannot be one."""
    return value if IDENTIFIER.match(value) else None


def service_code_ok(value: str) -> bool:
    """Category codes are whatever the admin typed (20 characters at most), so only what no code
    can contain is refused here."""
    return 0 < len(value) <= Category._meta.get_field("code").max_length and not CONTROL.search(value)


def _list(params: QueryDict, name: str) -> tuple[str, ...]:
    """A comma-delimited argument, which may also be given several times."""
    items = [item.strip() for value in params.getlist(name) for item in value.split(",")]
    return tuple(dict.fromkeys(item for item in items if item))


def parse_datetime(name: str, value: str) -> dt.datetime:
    """A W3C datetime (2026-11-26T10:00:00+08:00, …Z, or a date). Without an offset it is Beijing time."""
    text = LOST_PLUS.sub(r"\1+\2", value)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(400, _("%(name)s must be a W3C datetime like 2026-11-26T10:00:00+08:00, not %(value)s.")
                           % {"name": name, "value": value[:50]}) from None
    if not 1900 <= moment.year <= 2100:  # also keeps the 90-day arithmetic away from datetime's limits
        raise Open311Error(400, _("%(name)s is out of range.") % {"name": name})
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _positive(params: QueryDict, name: str, default: int, most: int) -> int:
    value = _value(params, name)
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= most:
        raise Open311Error(400, _("%(name)s must be a whole number from 1 to %(most)s.") % {"name": name, "most": most})
    return int(value)


def request_query(params: QueryDict, now: dt.datetime) -> RequestQuery:
    ids = _list(params, "service_request_id")
    if len(ids) > MAX_IDS:
        raise Open311Error(400, _("At most %(count)s service_request_id at once.") % {"count": MAX_IDS})
    if any(identifier(number) is None for number in ids):
        # Not one of our numbers (HD + 14 digits): there is nothing to find, but say so plainly.
        raise Open311Error(400, _("service_request_id must be request numbers like HD20261126000123."))
    codes = _list(params, "service_code")
    if not all(service_code_ok(code) for code in codes):
        raise Open311Error(400, _("service_code must be service codes from services.xml."))
    statuses = _list(params, "status")
    if not set(statuses) <= {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed or both."))
    start = parse_datetime("start_date", _value(params, "start_date")) if _value(params, "start_date") else None
    end = parse_datetime("end_date", _value(params, "end_date")) if _value(params, "end_date") else None
    # The specification: when not given, the range is the most recent 90 days; never more than 90.
    if start is None and end is None:
        start, end = now - MAX_WINDOW, now
    elif start is None:
        start = end - MAX_WINDOW
    elif end is None:
        end = start + MAX_WINDOW
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return RequestQuery(
        ids=ids, service_codes=codes, statuses=statuses, start=start, end=end,
        page=_positive(params, "page", 1, MAX_PAGE),
        page_size=_positive(params, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )


# --- POST requests -------------------------------------------------------------------------------

@dataclass
class Submission:
    """A POST request's form, checked: ready for open311.services.request_submit."""

    service: Service
    lat: float
    lng: float
    address: str = ""
    description: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    attributes: dict = field(default_factory=dict)

    @property
    def category(self) -> Category:
        return self.service.category


def _coordinate(name: str, value: str, limit: float, problems: list[str]) -> float | None:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -limit <= number <= limit:
        problems.append(_("%(name)s must be a WGS84 number between -%(limit)s and %(limit)s.")
                        % {"name": name, "limit": int(limit)})
        return None
    return number


def _grid_by_address(address_id: str, address_string: str) -> GridCell | None:
    """address_id is one of our grid codes (the district's addressing unit, as GET requests show
    it); an address_string alone is placed only when it is exactly a grid's name or code. Free
    text is not geocoded: there is no geocoder inside the government network."""
    if address_id:
        return GridCell.objects.defer("boundary").filter(code=address_id).first()
    matches = list(GridCell.objects.defer("boundary").filter(name=address_string)[:2]) or list(
        GridCell.objects.defer("boundary").filter(code=address_string)[:1])
    return matches[0] if len(matches) == 1 else None


def _location(form: QueryDict, problems: list[str]) -> tuple[float | None, float | None, str]:
    lat, lng = _value(form, "lat"), _value(form, "long")
    address_string, address_id = _value(form, "address_string"), _value(form, "address_id")
    address = address_string
    if len(address_string) > Case._meta.get_field("address").max_length:
        problems.append(_("address_string is longer than %(limit)s characters.")
                        % {"limit": Case._meta.get_field("address").max_length})
    if lat or lng:
        if not (lat and lng):
            problems.append(_("lat and long must be sent together."))
            return None, None, address
        return _coordinate("lat", lat, 90, problems), _coordinate("long", lng, 180, problems), address
    if not (address_id or address_string):
        problems.append(_("A location is required: lat and long, or address_id (a grid code), or an "
                          "address_string that is a grid's name."))
        return None, None, address
    grid = _grid_by_address(address_id, address_string)
    if grid is None:
        if address_id:
            problems.append(_("address_id %(id)s is not one of our grid codes.") % {"id": address_id[:50]})
        else:
            problems.append(_("address_string could not be placed: free-text addresses are not geocoded here. "
                              "Send lat and long, or address_id (a grid code)."))
        return None, None, address
    return grid.centroid_lat, grid.centroid_lng, address or grid.name


def _text(form: QueryDict, name: str, limit: int, problems: list[str]) -> str:
    value = _value(form, name)
    if len(value) > limit:
        problems.append(_("%(name)s is longer than %(limit)s characters.") % {"name": name, "limit": limit})
    return value


def _reporter_name(first: str, last: str) -> str:
    """Chinese names are family name first, without a space; others "first last"."""
    if any("\u4e00" <= char <= "\u9fff" for char in first + last):
        return last + first
    return f"{first} {last}".strip()


def _answers(form: QueryDict, problems: list[str]) -> dict[str, list[str]]:
    """attribute[code]=value, or attribute[code][]=value repeated for a multivaluelist."""
    answers: dict[str, list[str]] = {}
    for key, values in form.lists():
        matched = ATTRIBUTE_KEY.match(key)
        if matched:
            answers.setdefault(matched.group(1), []).extend(values)
        elif key.startswith("attribute"):
            problems.append(_("%(key)s is not of the form attribute[code] or attribute[code][].") % {"key": key[:60]})
    return answers


def submission(form: QueryDict) -> Submission:
    """The POST form, checked in the specification's order of answers: a missing service_code is
    400, an unknown one 404 ("service_code … was not found"), then every other problem together (400)."""
    code = _value(form, "service_code")
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    service = service_get(code) if service_code_ok(code) else None
    if service is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code[:50]})
    problems: list[str] = []
    lat, lng, address = _location(form, problems)
    description = _text(form, "description", MAX_DESCRIPTION, problems)
    if description and is_invisible(description):  # it would become the case's title
        problems.append(_("description is made only of invisible characters."))
    first, last = _text(form, "first_name", 50, problems), _text(form, "last_name", 50, problems)
    reporter_name = _reporter_name(first, last)
    if len(reporter_name) > Case._meta.get_field("reporter_name").max_length:
        problems.append(_("first_name and last_name together are longer than %(limit)s characters.")
                        % {"limit": Case._meta.get_field("reporter_name").max_length})
    phone = _value(form, "phone")
    if phone and not PHONE.match(phone):
        problems.append(_("phone must be a telephone number of digits, spaces, (, ) and -, at most 20."))
    email = _value(form, "email")
    if email:
        try:
            EmailValidator()(email)
            if len(email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(_("email is not an email address."))
    media_url = _value(form, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(_("media_url must be an http or https URL of at most 500 characters."))
    device_id = _text(form, "device_id", 100, problems)
    account_id = _text(form, "account_id", 100, problems)
    answers, attribute_problems = check_answers(service.attributes, _answers(form, problems))
    problems += attribute_problems
    if problems:
        raise Open311Error(400, *problems)
    return Submission(
        service=service, lat=lat, lng=lng, address=address, description=description, reporter_name=reporter_name,
        reporter_phone=phone, email=email, device_id=device_id, account_id=account_id, media_url=media_url,
        attributes=answers,
    )
