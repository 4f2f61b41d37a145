"""Discovery, the list of services and service definitions, in XML and JSON exactly as GeoReport v2
writes them: our public leaf categories are the services, their work area is the group, and a
category with extra questions has metadata and a definition with attributes."""

import re

import pytest
from django.core.exceptions import ValidationError

from dispatch.models import Category
from open311.models import ServiceDefinition
from tests.open311.conftest import (
    ATTRIBUTE_FIELDS,
    DEFINITION_FIELDS,
    DISCOVERY_FIELDS,
    ENDPOINT_FIELDS,
    QUESTIONS,
    SERVICE_FIELDS,
    W3C_BEIJING,
    children,
    errors_of,
)

pytestmark = pytest.mark.django_db


def test_discovery_in_xml_names_the_georeport_v2_endpoint_and_both_formats(georeport):
    root = georeport.xml("discovery.xml")
    assert root.tag == "discovery"
    assert children(root) == DISCOVERY_FIELDS
    (endpoint,) = root.find("endpoints")
    assert endpoint.tag == "endpoint" and children(endpoint) == ENDPOINT_FIELDS
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert endpoint.findtext("type") == "test"
    assert [f.tag for f in endpoint.find("formats")] == ["format", "format"]
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert re.match(W3C_BEIJING, root.findtext("changeset"))


def test_discovery_in_json_is_the_same_document(georeport):
    body = georeport.json("discovery.json")
    assert list(body) == DISCOVERY_FIELDS
    (endpoint,) = body["endpoints"]
    assert list(endpoint) == ENDPOINT_FIELDS
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert body["key_service"] and body["contact"]


def test_the_endpoint_root_serves_the_discovery_document(georeport):
    response = georeport.get("")
    assert response.status_code == 200 and b"<discovery>" in response.content


def test_services_are_our_public_leaf_categories_grouped_by_work_area(georeport, category):
    services = georeport.json("services.json")
    assert all(list(service) == SERVICE_FIELDS for service in services)
    ours = next(service for service in services if service["service_code"] == category.code)
    assert ours == {
        "service_code": "T9901", "service_name": "占道经营（测试）", "description": None, "metadata": False,
        "type": "realtime", "keywords": None, "group": "协调城市运行（测试）",
    }
    codes = {service["service_code"] for service in services}
    assert {"A05-01", "A02-04", "A06-01", "A09-01"} <= codes  # street vending, construction noise, noise, fire lanes
    assert "A05" not in codes  # a work area is not a service


def test_categories_about_people_are_never_services(georeport):
    codes = {service["service_code"] for service in georeport.json("services.json")}
    # missing door plates (basic data), pension needs, migrant registration, neighbour disputes,
    # community corrections, volunteer recruitment, suspicious persons
    assert not codes & {"A01-01", "A03-01", "A04-01", "A07-01", "A08-01", "A10-01", "A06-03"}
    assert georeport.get("services/A07-01.json").status_code == 404


def test_services_in_xml_wrap_each_service_in_services(georeport, questioned_category):
    root = georeport.xml("services.xml")
    assert root.tag == "services" and set(children(root)) == {"service"}
    service = next(s for s in root if s.findtext("service_code") == questioned_category.code)
    assert children(service) == SERVICE_FIELDS
    assert service.findtext("metadata") == "true"
    assert service.findtext("keywords") == "摊贩,占道"
    assert service.findtext("description") == "流动摊贩占道经营"
    assert service.find("description").text and service.find("group").text == "协调城市运行（测试）"


def test_a_withdrawn_category_is_no_longer_a_service(georeport, category):
    ServiceDefinition.objects.create(category=category, published=False)
    codes = {service["service_code"] for service in georeport.json("services.json")}
    assert category.code not in codes
    assert georeport.get(f"services/{category.code}.xml").status_code == 404


def test_a_service_with_questions_is_defined_with_its_attributes_in_order(georeport, questioned_category):
    definition = georeport.json(f"services/{questioned_category.code}.json")
    assert list(definition) == DEFINITION_FIELDS
    assert definition["service_code"] == "T9902"
    assert [attribute["code"] for attribute in definition["attributes"]] == ["NOTE", "SIZE", "TIMES", "COUNT"]
    note, size, times, count = definition["attributes"]
    assert list(note) == ATTRIBUTE_FIELDS and list(count) == ATTRIBUTE_FIELDS
    assert list(size) == [*ATTRIBUTE_FIELDS, "values"]
    assert size == {"variable": True, "code": "SIZE", "datatype": "singlevaluelist", "required": True,
                    "datatype_description": None, "order": 2, "description": "占道范围有多大？",
                    "values": [{"key": "S", "name": "一个摊位"}, {"key": "L", "name": "整段人行道"}]}
    assert note["variable"] is False and times["datatype_description"] == "可多选"


def test_a_service_definition_in_xml_wraps_attributes_and_values(georeport, questioned_category):
    root = georeport.xml(f"services/{questioned_category.code}.xml")
    assert root.tag == "service_definition" and children(root) == DEFINITION_FIELDS
    attributes = root.find("attributes")
    assert set(children(attributes)) == {"attribute"} and len(attributes) == 4
    size = attributes[1]
    assert children(size) == [*ATTRIBUTE_FIELDS, "values"]
    assert size.findtext("variable") == "true" and size.findtext("required") == "true"
    assert size.find("datatype_description").text is None
    values = size.find("values")
    assert set(children(values)) == {"value"}
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [("S", "一个摊位"), ("L", "整段人行道")]


def test_a_service_without_questions_has_an_empty_definition(georeport, category):
    assert georeport.json(f"services/{category.code}.json") == {"service_code": "T9901", "attributes": []}
    root = georeport.xml(f"services/{category.code}.xml")
    assert children(root) == DEFINITION_FIELDS and len(root.find("attributes")) == 0


@pytest.mark.parametrize("path", ["services/NOPE.json", "services/NOPE.xml", "services/A05.json",
                                  "services/%00.xml", "services/" + "x" * 300 + ".json"])
def test_an_unknown_service_code_is_404_in_the_error_format(georeport, path):
    response = georeport.get(path)
    assert response.status_code == 404
    ((code, description),) = errors_of(response)
    assert code == 404 and "was not found" in description


def test_jurisdiction_id_is_accepted_when_it_is_ours_and_404_otherwise(georeport, category):
    for ours in ("bjhd.gov.cn", "www.bjhd.gov.cn", "BJHD.gov.cn", ""):
        assert georeport.get("services.json", {"jurisdiction_id": ours}).status_code == 200
    response = georeport.get("services.xml", {"jurisdiction_id": "sfgov.org"})
    assert response.status_code == 404
    assert errors_of(response) == [(404, "jurisdiction_id sfgov.org was not found: this endpoint serves bjhd.gov.cn.")]


def test_any_jurisdiction_id_is_accepted_when_none_is_configured(georeport, category, settings):
    settings.OPEN311_JURISDICTION_ID = ""
    assert georeport.get("services.json", {"jurisdiction_id": "anything.example"}).status_code == 200


def test_a_definition_with_malformed_attributes_is_refused(category):
    broken = [{"variable": True, "code": "SIZE", "datatype": "singlevaluelist", "required": "yes",
               "order": 1, "description": "大小", "values": []},
              {"variable": True, "code": "SIZE", "datatype": "colour", "required": False, "order": 1,
               "description": ""}]
    with pytest.raises(ValidationError) as raised:
        ServiceDefinition(category=category, attributes=broken).full_clean()
    problems = raised.value.message_dict["attributes"]
    assert any("required: true or false" in p for p in problems)
    assert any("needs values" in p for p in problems)
    assert any("repeats the code SIZE" in p for p in problems)
    assert any("repeats the order 1" in p for p in problems)
    assert any("needs a datatype" in p for p in problems)
    ServiceDefinition(category=category, attributes=QUESTIONS).full_clean()


def test_a_work_area_cannot_have_a_definition(work_area):
    with pytest.raises(ValidationError) as raised:
        ServiceDefinition(category=Category.objects.get(pk=work_area.pk)).clean()
    assert "category" in raised.value.message_dict


def test_head_is_answered_like_get(georeport):
    assert georeport.client.head("/open311/v2/services.json").status_code == 200


def test_an_unexpected_failure_is_the_specifications_general_service_error(georeport, monkeypatch, caplog):
    from open311 import selectors

    def broken():
        raise RuntimeError("database went away")

    monkeypatch.setattr(selectors, "service_list", broken)
    response = georeport.client.get("/open311/v2/services.json")
    assert response.status_code == 400
    ((code, description),) = errors_of(response)
    assert code == 400 and description.startswith("General service error")
    assert "database went away" in caplog.text
