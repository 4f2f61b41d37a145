"""Open311's cast: an application with an API key, a public service (the workflow's test
category) and one with extra questions, and a GeoReport client that reads both formats.

The client fails the test on any server error (as the root `api` does), and on the catch-all
"General service error" too: every refusal must be a deliberate one.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.test import Client

from dispatch.models import Category
from open311 import services
from open311.models import ServiceDefinition
from tests.conftest import failing_on_server_errors

# The workflow's fixtures: a leaf category, cases made through the services, the cast's moves.
from tests.dispatch.conftest import (  # noqa: F401
    category,
    cooperating_agency,
    make_case,
    reported_case,
    work_area,
    workflow,
)

BASE = "/open311/v2/"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'

# The specification's field lists, in its order (wiki.open311.org/GeoReport_v2).
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
DEFINITION_FIELDS = ["service_code", "attributes"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order", "description"]
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]
CREATED_FIELDS = ["service_request_id", "service_notice", "account_id"]
TOKEN_FIELDS = ["service_request_id", "token"]
ERROR_FIELDS = ["code", "description"]
DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]
W3C_BEIJING = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$"


class GeoReportClient:
    """GET and POST against /open311/v2/ with English messages; `.json()` and `.xml()` parse.

    A plain Django client (GeoReport clients post forms, not DRF's formats) made to fail on any 5xx
    as the root `api` is (tests/conftest.py `failing_on_server_errors`)."""

    def __init__(self, **client_options):
        self.client = failing_on_server_errors(Client(**client_options))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def _checked(self, response, path):
        assert b"General service error" not in response.content, f"{path} failed unexpectedly: {response.content!r}"
        return response

    def get(self, path: str, params=None, **extra):
        return self._checked(self.client.get(BASE + path, params or {}, **extra), path)

    def post(self, path: str, data=None, **extra):
        return self._checked(self.client.post(BASE + path, data or {}, **extra), path)

    def json(self, path: str, params=None, status: int = 200):
        response = self.get(path, params)
        assert response.status_code == status, response.content.decode()
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content)

    def xml(self, path: str, params=None, status: int = 200) -> ET.Element:
        response = self.get(path, params)
        assert response.status_code == status, response.content.decode()
        return parse_xml(response)


def parse_xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    return ET.fromstring(response.content)


def children(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def errors_of(response) -> list[tuple[int, str]]:
    """The error body in whichever format the response has, checked against the specification."""
    if response["Content-Type"].startswith("application/json"):
        body = json.loads(response.content)
        assert isinstance(body, list) and body
        assert all(list(error) == ERROR_FIELDS for error in body)
        return [(error["code"], error["description"]) for error in body]
    root = parse_xml(response)
    assert root.tag == "errors" and children(root) and set(children(root)) == {"error"}
    assert all(children(error) == ERROR_FIELDS for error in root)
    return [(int(error.findtext("code")), error.findtext("description")) for error in root]


@pytest.fixture
def georeport(db):
    return GeoReportClient()


@pytest.fixture
def api_client_and_key(db):
    return services.api_client_create(name="随手拍 app", contact="ops@app.invalid")


@pytest.fixture
def api_key(api_client_and_key):
    return api_client_and_key[1]


QUESTIONS = [
    {"variable": True, "code": "SIZE", "datatype": "singlevaluelist", "required": True, "datatype_description": "",
     "order": 2, "description": "占道范围有多大？",
     "values": [{"key": "S", "name": "一个摊位"}, {"key": "L", "name": "整段人行道"}]},
    {"variable": True, "code": "TIMES", "datatype": "multivaluelist", "required": False,
     "datatype_description": "可多选", "order": 3, "description": "什么时候出现？",
     "values": [{"key": "AM", "name": "早上"}, {"key": "PM", "name": "傍晚"}]},
    {"variable": True, "code": "COUNT", "datatype": "number", "required": False, "datatype_description": "",
     "order": 4, "description": "大约几个摊贩？"},
    {"variable": False, "code": "NOTE", "datatype": "text", "required": False, "datatype_description": "",
     "order": 1, "description": "请勿在照片中拍摄人脸。"},
]


@pytest.fixture
def questioned_category(work_area):  # noqa: F811  the imported fixture
    """A second public leaf whose definition asks extra questions (metadata true)."""
    leaf, _created = Category.objects.get_or_create(
        code="T9902", defaults={"parent": work_area, "name": "流动摊贩（测试）", "time_limit": 4,
                                "time_limit_unit": "working_hours"})
    ServiceDefinition.objects.create(category=leaf, description="流动摊贩占道经营", keywords="摊贩,占道",
                                     attributes=QUESTIONS)
    return leaf


@pytest.fixture
def report_form(category, grid, api_key):  # noqa: F811  the imported fixture
    """A good POST: the home grid's centre, the test category, a reporter with a phone."""
    return {
        "api_key": api_key, "service_code": category.code, "lat": grid.centroid_lat, "long": grid.centroid_lng,
        "address_string": "学院路20号院东门", "description": "东门外人行道上有人摆摊卖菜\n每天早上七点开始",
        "first_name": "小明", "last_name": "王", "phone": "13912345678", "email": "wang@example.com",
        "device_id": "device-1", "account_id": "acct-42", "media_url": "https://img.example.com/1.jpg",
    }
