"""The GeoReport v2 wire format: one structure rendered as XML or as JSON.

The specification defines XML and maps it to JSON by the "Spark convention": a container whose
children all repeat one element becomes a JSON array, and the root element disappears. So every
answer here is built once as plain dicts and lists, with the root element's name beside it:

    render("services", [{"service_code": "A05-01", ...}], "xml")
    → <?xml version="1.0" encoding="UTF-8"?><services><service><service_code>A05-01…
    render("services", [...], "json") → [{"service_code": "A05-01", ...}]

The repeating child of each container is named in ITEM_NAMES (services → service, attributes →
attribute, …). `None` is an empty element in XML and null in JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

from haidian.calendar import SHANGHAI

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MIME_TYPES = ("text/xml", "application/json")  # as discovery lists them
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Open311Error(Exception):
    """An answer in the specification's error format: `status` is the HTTP code (400, 403, 404),
    each description one <error> of the body."""

    def __init__(self, status: int, *descriptions: str):
        self.status = status
        self.descriptions = descriptions or ("",)
        super().__init__("; ".join(map(str, self.descriptions)))


def w3c(moment: dt.datetime | None) -> str | None:
    """A W3C datetime with the Beijing offset: 2026-11-26T10:00:00+08:00."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _fill(ET.SubElement(element, name), item)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, content) -> bytes:
    element = ET.Element(root)
    _fill(element, content)
    # Our own declaration: ElementTree writes encoding='utf-8' in single quotes and lower case,
    # the specification shows encoding="UTF-8".
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def to_json(content) -> bytes:
    return json.dumps(content, ensure_ascii=False).encode()


def render(root: str, content, fmt: str, status: int = 200) -> HttpResponse:
    body = to_json(content) if fmt == "json" else to_xml(root, content)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["xml"]))


def render_error(error: Open311Error, fmt: str) -> HttpResponse:
    errors = [{"code": error.status, "description": str(description)} for description in error.descriptions]
    return render("errors", errors, fmt if fmt in FORMATS else "xml", status=error.status)
