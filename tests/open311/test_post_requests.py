"""POST requests: form-encoded, with an application's api_key; the request becomes an ordinary
reported case (source open311) in the grid of its point, answered at once with its number, and
refused in the specification's error format otherwise (403 key, 404 unknown service, 400 the rest)."""

import json
import re

import pytest
from django.core.cache import cache

from dispatch.models import Case, CaseEvent, CaseStatus, Source
from grids.models import GridCell
from open311.models import ServiceRequest
from tests.open311.conftest import CREATED_FIELDS, TOKEN_FIELDS, GeoReportClient, children, errors_of, parse_xml

pytestmark = pytest.mark.django_db

SHANGHAI_PEOPLES_SQUARE = {"lat": "31.2304", "long": "121.4737"}


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


def created_number(response) -> str:
    assert response.status_code == 200, response.content.decode()
    (created,) = json.loads(response.content)
    assert list(created) == CREATED_FIELDS
    return created["service_request_id"]


def test_a_good_post_becomes_a_reported_case_from_open311(georeport, report_form, category, grid,
                                                          api_client_and_key):
    response = georeport.post("requests.json", report_form)
    number = created_number(response)
    assert re.match(r"^HD\d{14}$", number)
    (created,) = json.loads(response.content)
    assert created["account_id"] == "acct-42"
    assert "3 working days" in created["service_notice"]

    case = Case.objects.get(number=number)
    assert (case.source, case.status, case.category, case.grid) == (Source.OPEN311, CaseStatus.REPORTED, category, grid)
    assert case.reported_by is None
    assert (case.reporter_name, case.reporter_phone) == ("王小明", "13912345678")
    assert case.title == "东门外人行道上有人摆摊卖菜"
    assert case.address == "学院路20号院东门"
    assert CaseEvent.objects.get(case=case).action == "create"
    posted = ServiceRequest.objects.get(case=case)
    assert posted.client == api_client_and_key[0]
    assert (posted.email, posted.device_id, posted.account_id) == ("wang@example.com", "device-1", "acct-42")
    assert posted.media_url == "https://img.example.com/1.jpg"


def test_a_posted_request_is_found_by_its_number_and_by_its_token(georeport, report_form):
    number = created_number(georeport.post("requests.json", report_form))
    token = ServiceRequest.objects.get(case__number=number).token

    (shown,) = georeport.json(f"requests/{number}.json")
    assert shown["service_request_id"] == number and shown["status"] == "open"
    assert shown["description"] == report_form["description"]
    assert shown["media_url"] == report_form["media_url"]

    assert georeport.json(f"tokens/{token}.json") == [{"service_request_id": number, "token": token}]
    root = georeport.xml(f"tokens/{token}.xml")
    assert root.tag == "service_requests" and children(root) == ["request"]
    assert children(root[0]) == TOKEN_FIELDS and root[0].findtext("service_request_id") == number


def test_the_xml_answer_wraps_the_new_request_in_service_requests(georeport, report_form):
    response = georeport.post("requests.xml", {**report_form, "account_id": ""})
    assert response.status_code == 200
    root = parse_xml(response)
    assert root.tag == "service_requests" and children(root) == ["request"]
    assert children(root[0]) == CREATED_FIELDS
    assert re.match(r"^HD\d{14}$", root[0].findtext("service_request_id"))
    assert root[0].find("account_id").text is None


def test_posting_needs_no_csrf_token(report_form):
    machine = GeoReportClient(enforce_csrf_checks=True)
    assert machine.post("requests.json", report_form).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_posting_without_an_api_key_is_403(georeport, report_form, fmt):
    del report_form["api_key"]
    response = georeport.post(f"requests.{fmt}", report_form)
    assert response.status_code == 403
    assert errors_of(response) == [(403, "Missing api_key: cannot create the request.")]
    assert not Case.objects.filter(source=Source.OPEN311).exists()


@pytest.mark.parametrize("key", ["not-a-key", "x" * 43, "   "])
def test_posting_with_a_wrong_api_key_is_403(georeport, report_form, api_key, key):
    response = georeport.post("requests.json", {**report_form, "api_key": key})
    assert response.status_code == 403
    assert errors_of(response)[0][0] == 403


def test_an_inactive_clients_key_is_refused(georeport, report_form, api_client_and_key):
    client, _key = api_client_and_key
    client.active = False
    client.save()
    response = georeport.post("requests.xml", report_form)
    assert errors_of(response) == [(403, "Invalid api_key received: cannot create the request.")]


def test_a_missing_service_code_is_400(georeport, report_form):
    del report_form["service_code"]
    response = georeport.post("requests.json", report_form)
    assert response.status_code == 400
    assert errors_of(response) == [(400, "service_code was not provided.")]


@pytest.mark.parametrize("code", ["NOPE", "A05", "A07-01", "A06-03", "../x"])
def test_an_unknown_or_unpublished_service_code_is_not_found(georeport, report_form, code):
    # The specification's POST errors: "404 - service_code or jurisdiction_id was not found".
    response = georeport.post("requests.json", {**report_form, "service_code": code})
    assert response.status_code == 404
    assert errors_of(response) == [(404, f"service_code {code} was not found.")]
    assert not Case.objects.filter(source=Source.OPEN311).exists()


def test_a_request_without_a_location_is_400(georeport, report_form):
    for name in ("lat", "long", "address_string"):
        del report_form[name]
    response = georeport.post("requests.json", report_form)
    assert response.status_code == 400
    ((code, description),) = errors_of(response)
    assert code == 400 and description.startswith("A location is required")


def test_lat_without_long_is_400(georeport, report_form):
    del report_form["long"]
    response = georeport.post("requests.json", report_form)
    assert errors_of(response) == [(400, "lat and long must be sent together.")]


def test_a_point_outside_haidian_is_400(georeport, report_form):
    response = georeport.post("requests.xml", {**report_form, **SHANGHAI_PEOPLES_SQUARE})
    assert response.status_code == 400
    ((code, description),) = errors_of(response)
    assert code == 400 and "outside every grid of the district" in description
    assert not Case.objects.filter(source=Source.OPEN311).exists()
    assert not ServiceRequest.objects.exists()


def test_every_bad_field_is_named_at_once(georeport, report_form):
    response = georeport.post("requests.json", {**report_form, "lat": "north", "email": "not-an-email",
                                                "phone": "call me", "media_url": "ftp://x", "description": "x" * 4001})
    assert response.status_code == 400
    descriptions = [description for _code, description in errors_of(response)]
    assert len(descriptions) == 5
    assert any(d.startswith("lat must be") for d in descriptions)
    assert "email is not an email address." in descriptions
    assert "description is longer than 4000 characters." in descriptions


def test_address_id_is_a_grid_code_and_places_the_request_in_that_grid(georeport, report_form, other_grid_cell):
    for name in ("lat", "long", "address_string"):
        del report_form[name]
    number = created_number(georeport.post("requests.json", {**report_form, "address_id": other_grid_cell.code}))
    case = Case.objects.get(number=number)
    assert case.grid == other_grid_cell and case.address == other_grid_cell.name


def test_an_address_string_that_names_a_grid_places_the_request_there(georeport, report_form, other_grid_cell):
    for name in ("lat", "long"):
        del report_form[name]
    number = created_number(georeport.post("requests.json", {**report_form, "address_string": other_grid_cell.name}))
    assert Case.objects.get(number=number).grid == other_grid_cell


def test_a_free_text_address_alone_is_not_geocoded(georeport, report_form):
    for name in ("lat", "long"):
        del report_form[name]
    response = georeport.post("requests.json", report_form)
    ((code, description),) = errors_of(response)
    assert code == 400 and "not geocoded" in description


def test_attribute_answers_are_checked_against_the_service_definition(georeport, report_form, questioned_category):
    form = {**report_form, "service_code": questioned_category.code}
    response = georeport.post("requests.json", form)
    assert errors_of(response) == [(400, "attribute[SIZE] is required: 占道范围有多大？")]

    response = georeport.post("requests.json", {**form, "attribute[SIZE]": "XL", "attribute[COLOUR]": "red",
                                                "attribute[COUNT]": "many", "attribute[TIMES][]": ["AM", "NIGHT"]})
    assert sorted(description for _code, description in errors_of(response)) == [
        "This service has no attribute COLOUR.",
        "attribute[COUNT] must be a number.",
        "attribute[SIZE] must be one of L, S, not XL.",
        "attribute[TIMES] must be one of AM, PM, not NIGHT.",
    ]
    assert not Case.objects.filter(source=Source.OPEN311).exists()


def test_good_answers_are_kept_and_shown_to_the_street_with_the_description(georeport, report_form,
                                                                            questioned_category):
    form = {**report_form, "service_code": questioned_category.code, "attribute[SIZE]": "L",
            "attribute[TIMES][]": ["AM", "PM"], "attribute[COUNT]": "6"}
    number = created_number(georeport.post("requests.json", form))
    posted = ServiceRequest.objects.select_related("case").get(case__number=number)
    assert posted.attributes == {"SIZE": "L", "TIMES": ["AM", "PM"], "COUNT": "6"}
    assert posted.case.description.endswith(
        "占道范围有多大？: 整段人行道\n什么时候出现？: 早上、傍晚\n大约几个摊贩？: 6")
    assert posted.case.category == questioned_category


def test_jurisdiction_id_on_a_post_must_be_ours(georeport, report_form):
    assert georeport.post("requests.json", {**report_form, "jurisdiction_id": "bjhd.gov.cn"}).status_code == 200
    response = georeport.post("requests.json", {**report_form, "jurisdiction_id": "city.gov"})
    assert response.status_code == 404 and errors_of(response)[0][0] == 404


def test_a_client_posting_too_fast_is_slowed_down(georeport, report_form, settings):
    settings.OPEN311_POSTS_PER_MINUTE = 2
    assert [georeport.post("requests.json", report_form).status_code for _ in range(3)] == [200, 200, 429]
    assert errors_of(georeport.post("requests.json", report_form))[0][0] == 429


def test_other_methods_are_refused_in_the_error_format(georeport, report_form):
    response = georeport.client.put("/open311/v2/requests.json")
    assert response.status_code == 405 and response["Allow"] == "GET, POST, HEAD"
    assert errors_of(response)[0][0] == 405
    assert georeport.post("services.xml", report_form).status_code == 405


FUZZ = [
    {"lat": "nan", "long": "inf"},
    {"lat": "1e400", "long": "-1e400"},
    {"lat": "91", "long": "181"},
    {"description": "nul\x00byte"},
    {"service_code": "T99\x0001"},
    {"first_name": "王" * 60},
    {"phone": "1" * 40},
    {"address_id": "\x00"},
    {"address_string": "地" * 300},
    {"media_url": "javascript:alert(1)"},
    {"email": "a@" + "b" * 300 + ".com"},
    {"attribute[": "x", "attribute[]": "y", "attribute[[x]]": "z"},
    {"account_id": "a" * 200, "device_id": "d" * 200},
    {"lat": "", "long": "", "address_string": "", "address_id": ""},
    {"jurisdiction_id": "\x00"},
]


@pytest.mark.parametrize("changes", FUZZ)
def test_malformed_posts_are_refused_never_a_server_error(georeport, report_form, changes):
    for fmt in ("json", "xml"):
        response = georeport.post(f"requests.{fmt}", {**report_form, **changes})
        assert response.status_code in (400, 404), response.content.decode()
        assert errors_of(response)
    assert not ServiceRequest.objects.exists()


@pytest.fixture
def other_grid_cell(grid):
    return GridCell.objects.filter(community__street=grid.community.street).exclude(pk=grid.pk).order_by("code").last()


def test_an_unreadable_body_is_400(georeport, settings):
    response = georeport.client.post("/open311/v2/requests.json", b"--x\r\nbroken", content_type="multipart/form-data")
    assert response.status_code == 400 and errors_of(response)[0][0] == 400
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = georeport.post("requests.xml", {f"f{n}": "v" for n in range(10)})
    assert response.status_code == 400 and errors_of(response)[0][0] == 400
