"""GET requests and requests/{id}: the district's public cases as GeoReport v2 service requests,
in XML and JSON, with W3C datetimes at +08:00, our statuses mapped to open/closed, the 90-day
window, paging, and nothing of the reporter."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from dispatch import services as dispatch_services
from dispatch.models import Case, Category, Source
from open311.models import ServiceRequest
from tests.dispatch.conftest import REPORTER_PHONE, lead_task
from tests.open311.conftest import REQUEST_FIELDS, W3C_BEIJING, children, errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


@pytest.fixture
def filed(make_case, workflow):
    """A patrol report in the test category (filed, so it has its public category)."""

    def make(**fields):
        return workflow.file(make_case(**fields))

    return make


@pytest.fixture
def posted(georeport, report_form):
    """A request posted through Open311, as its Case."""
    response = georeport.post("requests.json", report_form)
    assert response.status_code == 200, response.content
    return Case.objects.get(number=response.json()[0]["service_request_id"])


def one(georeport, number: str) -> dict:
    (request,) = georeport.json(f"requests/{number}.json")
    return request


def test_a_request_in_json_has_the_georeport_fields_in_order(georeport, posted, category):
    request = one(georeport, posted.number)
    assert list(request) == REQUEST_FIELDS
    assert request["service_request_id"] == posted.number
    assert (request["status"], request["service_code"], request["service_name"]) == ("open", "T9901", category.name)
    assert request["status_notes"] == "Received; waiting to be filed by the street sub-center."
    assert request["agency_responsible"] == posted.street.name
    assert request["address"] == "学院路20号院东门" and request["address_id"] == posted.grid.code
    assert (request["lat"], request["long"]) == (posted.lat, posted.lng)
    assert request["zipcode"] is None and request["expected_datetime"] is None
    for name in ("requested_datetime", "updated_datetime"):
        assert re.match(W3C_BEIJING, request[name]), request[name]
    assert request["requested_datetime"] == timezone.localtime(posted.created_at).isoformat(timespec="seconds")


def test_a_request_in_xml_is_wrapped_in_service_requests(georeport, posted):
    root = georeport.xml(f"requests/{posted.number}.xml")
    assert root.tag == "service_requests" and children(root) == ["request"]
    request = root[0]
    assert children(request) == REQUEST_FIELDS
    assert request.findtext("status") == "open"
    assert re.match(W3C_BEIJING, request.findtext("requested_datetime"))
    assert request.find("zipcode").text is None and request.find("expected_datetime").text is None
    assert float(request.findtext("lat")) == posted.lat and float(request.findtext("long")) == posted.lng


def test_the_list_in_both_formats(georeport, posted, filed):
    other = filed()
    listed = georeport.json("requests.json")
    assert [request["service_request_id"] for request in listed] == [other.number, posted.number]
    assert all(list(request) == REQUEST_FIELDS for request in listed)
    root = georeport.xml("requests.xml")
    assert root.tag == "service_requests" and children(root) == ["request", "request"]
    assert [r.findtext("service_request_id") for r in root] == [other.number, posted.number]
    assert all(children(r) == REQUEST_FIELDS for r in root)


def test_a_dispatched_case_names_its_lead_agency_and_due_time(georeport, posted, workflow, agency):
    case = workflow.dispatch(posted)
    request = one(georeport, case.number)
    assert request["agency_responsible"] == agency.name
    assert request["expected_datetime"] == lead_task(case).due_at.astimezone(dt.timezone(dt.timedelta(hours=8))) \
        .isoformat(timespec="seconds")
    assert re.match(W3C_BEIJING, request["expected_datetime"])
    assert request["status"] == "open"


def test_closing_the_case_through_the_workflow_closes_the_request(georeport, posted, workflow, agency):
    case = workflow.close(posted)
    request = one(georeport, case.number)
    assert request["status"] == "closed"
    assert request["status_notes"] == "Resolved, and the result verified by the street sub-center."
    assert request["updated_datetime"] == timezone.localtime(case.closed_at).isoformat(timespec="seconds")
    assert request["agency_responsible"] == agency.name
    assert [r["service_request_id"] for r in georeport.json("requests.json", {"status": "closed"})] == [case.number]
    assert georeport.json("requests.json", {"status": "open"}) == []
    assert len(georeport.json("requests.json", {"status": "open,closed"})) == 1


def test_a_case_resolved_on_the_spot_is_closed(georeport, filed, grid_worker, make_case, workflow):
    case = dispatch_services.case_resolve_on_site(case=make_case(category=workflow.category), actor=grid_worker,
                                                  note="已劝离")
    request = one(georeport, case.number)
    assert (request["status"], request["status_notes"]) == ("closed", "Resolved on the spot by the grid worker.")


def test_a_rejected_report_is_closed_and_an_invalid_one_is_left_out_of_lists(georeport, posted, make_case, category,
                                                                             street_staff):
    duplicate = dispatch_services.case_reject(case=make_case(category=category), actor=street_staff, reason="重复",
                                              duplicate_of=posted)
    invalid = dispatch_services.case_reject(case=posted, actor=street_staff, reason="不属实")

    assert one(georeport, invalid.number)["status"] == "closed"
    assert one(georeport, invalid.number)["status_notes"] == "Not accepted as a case."
    assert one(georeport, duplicate.number)["status_notes"] == "Closed as a duplicate of another request."
    assert [r["service_request_id"] for r in georeport.json("requests.json")] == [duplicate.number]
    assert [r["service_request_id"] for r in georeport.json("requests.json", {"service_request_id": invalid.number})] \
        == [invalid.number]


def test_a_window_longer_than_90_days_is_400(georeport):
    response = georeport.get("requests.json", {"start_date": "2026-01-01T00:00:00+08:00",
                                               "end_date": "2026-04-02T00:00:00+08:00"})
    assert response.status_code == 400
    assert errors_of(response) == [(400, "start_date and end_date may not span more than 90 days.")]
    response = georeport.get("requests.xml", {"start_date": "2026-05-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"})
    assert errors_of(response) == [(400, "end_date is before start_date.")]


def test_the_default_window_is_the_last_90_days(georeport, filed):
    recent = filed()
    old = filed(now=timezone.now() - dt.timedelta(days=91))
    assert [r["service_request_id"] for r in georeport.json("requests.json")] == [recent.number]
    start = (old.created_at - dt.timedelta(hours=1)).isoformat()
    assert [r["service_request_id"] for r in georeport.json("requests.json", {"start_date": start})] == [old.number]
    end = (old.created_at + dt.timedelta(days=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [r["service_request_id"] for r in georeport.json("requests.json", {"end_date": end})] == [old.number]


def test_an_unencoded_plus_in_a_date_is_understood(georeport, filed):
    case = filed()
    start = timezone.localtime(case.created_at - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S 08:00")
    listed = georeport.json(f"requests.json?start_date={start.replace(' ', '+')}")
    assert [r["service_request_id"] for r in listed] == [case.number]


BAD_FILTERS = [
    {"start_date": "yesterday"}, {"end_date": "2026-13-01"}, {"status": "pending"}, {"page": "0"}, {"page": "x"},
    {"page_size": "101"}, {"page_size": "-1"}, {"page": "99999999999999999999999"},
    {"service_request_id": "HD1;DROP"}, {"service_code": "\x00"},
    {"service_request_id": ",".join(f"HD{n}" for n in range(101))},
    {"end_date": "0001-01-01T00:00:00"}, {"start_date": "9999-12-31T23:59:59-14:00"}, {"start_date": "2026"},
    {"start_date": "2026-11-26T10:00:00+25:00"}, {"status": "open,,closed,done"},
]


@pytest.mark.parametrize("params", BAD_FILTERS)
def test_bad_filters_are_400(georeport, params):
    for fmt in ("json", "xml"):
        response = georeport.get(f"requests.{fmt}", params)
        assert response.status_code == 400, params
        assert errors_of(response)[0][0] == 400


def test_paging(georeport, filed):
    cases = [filed() for _ in range(3)]
    numbers = [case.number for case in reversed(cases)]
    assert [r["service_request_id"] for r in georeport.json("requests.json", {"page_size": 2})] == numbers[:2]
    assert [r["service_request_id"] for r in georeport.json("requests.json", {"page_size": 2, "page": 2})] \
        == numbers[2:]
    assert georeport.json("requests.json", {"page_size": 2, "page": 3}) == []


def test_service_request_id_overrides_the_other_filters(georeport, filed):
    old = filed(now=timezone.now() - dt.timedelta(days=200))
    recent = filed()
    listed = georeport.json("requests.json", {"service_request_id": f"{old.number}, {recent.number},HD0",
                                              "status": "closed"})
    assert [r["service_request_id"] for r in listed] == [recent.number, old.number]


def test_service_code_filters_by_service(georeport, make_case, posted, questioned_category):
    other = make_case(category=questioned_category)
    assert [r["service_request_id"] for r in georeport.json("requests.json", {"service_code": "T9902"})] \
        == [other.number]
    assert len(georeport.json("requests.json", {"service_code": "T9901,T9902"})) == 2
    assert georeport.json("requests.json", {"service_code": "NOPE"}) == []


def test_cases_reported_another_way_show_only_their_grid_and_an_approximate_point(georeport, filed):
    case = filed(description="3号楼2单元501室暖气不热，家里有老人", address="学院路20号院3号楼2单元501")
    request = one(georeport, case.number)
    assert request["description"] is None and request["media_url"] is None
    assert request["address"] == f"{case.grid.name}, {case.community.name}, {case.street.name}"
    assert (request["lat"], request["long"]) == (round(case.lat, 3), round(case.lng, 3))
    assert b"501" not in georeport.get(f"requests/{case.number}.xml").content


def test_cases_without_a_category_or_in_a_category_about_people_are_not_public(georeport, make_case, street_staff):
    unfiled = make_case()
    dispute = dispatch_services.case_file(case=make_case(), actor=street_staff,
                                          category=Category.objects.get(code="A07-01"))
    assert georeport.json("requests.json") == []
    for case in (unfiled, dispute):
        response = georeport.get(f"requests/{case.number}.json")
        assert response.status_code == 404
        assert errors_of(response) == [(404, f"service_request_id {case.number} was not found.")]


def test_no_personal_data_of_the_reporter_in_any_answer(georeport, posted, filed, report_form):
    filed(reporter_name="李四", reporter_phone=REPORTER_PHONE)
    token = ServiceRequest.objects.get(case=posted).token
    secrets = [report_form["phone"], "王小明", "小明", report_form["email"], report_form["device_id"], REPORTER_PHONE,
               "李四", report_form["api_key"]]
    for path in ("requests.json", "requests.xml", f"requests/{posted.number}.json", f"requests/{posted.number}.xml",
                 f"tokens/{token}.json", f"tokens/{token}.xml"):
        content = georeport.get(path).content.decode()
        assert not [secret for secret in secrets if secret in content], path


@pytest.mark.parametrize("path", ["requests/HD20990101000001.json", "requests/HD20990101000001.xml",
                                  "tokens/nope.json", "tokens/nope.xml", "requests/%00.json", "tokens/a%2Fb.xml"])
def test_unknown_requests_and_tokens_are_404(georeport, path):
    response = georeport.get(path)
    assert response.status_code == 404
    assert errors_of(response)[0][0] == 404


@pytest.mark.parametrize("path", ["services.csv", "requests.html", "discovery.yaml", "requests/HD1.pdf",
                                  "tokens/abc.", "services", "requests.json/", "nothing/here.json", "v3/services.xml"])
def test_unknown_formats_and_paths_are_404_in_the_error_format(georeport, path):
    response = georeport.get(path)
    assert response.status_code == 404
    ((code, _description),) = errors_of(response)
    assert code == 404


def test_jurisdiction_id_is_accepted_on_every_read(georeport, posted):
    token = ServiceRequest.objects.get(case=posted).token
    for path in ("discovery.json", "services.json", "requests.json", f"requests/{posted.number}.json",
                 f"tokens/{token}.json", f"services/{posted.category.code}.json"):
        assert georeport.get(path, {"jurisdiction_id": "bjhd.gov.cn"}).status_code == 200, path
        assert georeport.get(path, {"jurisdiction_id": "elsewhere.gov"}).status_code == 404, path


def test_the_list_reads_a_constant_number_of_queries(georeport, filed, workflow, django_assert_max_num_queries):
    for _ in range(6):
        workflow.dispatch(filed())
    with django_assert_max_num_queries(2):
        listed = georeport.json("requests.json")
    assert len(listed) == 6 and all(r["agency_responsible"] == workflow.agency.name for r in listed)


def test_a_posted_requests_source_is_open311(posted):
    assert posted.source == Source.OPEN311
