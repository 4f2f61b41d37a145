"""The OpenAPI schema tells the truth (issue 17): every refusal an operation can answer is documented
with its error body, and the fields say what the code takes and gives. haidian.schema derives the
refusals from each view; tests/haidian/test_api_fuzz.py holds the schema to the running API, these
hold it to its own rules (and to OpenAPI 3.0) without sending a request."""

import io

import jsonschema_rs
import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}
REFUSALS = {"400": "FieldErrors", **{code: "ErrorDetail" for code in ("401", "403", "404", "409", "413", "415",
                                                                        "429")}}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _query(operation) -> set[str]:
    return {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"}


def _in_path(operation) -> bool:
    return any(parameter["in"] == "path" for parameter in operation.get("parameters", []))


def test_the_schema_is_valid_openapi_and_builds_without_a_warning():
    # drf-spectacular's own check (`manage.py spectacular --validate --fail-on-warn`): the OpenAPI 3.0
    # JSON schema, and any warning of the generator is a failure.
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        validate_schema(SchemaGenerator().get_schema(request=None, public=True))
    warnings = sorted(GENERATOR_STATS._warn_cache)
    GENERATOR_STATS.reset()
    assert warnings == []
    call_command("spectacular", validate=True, fail_on_warn=True, stdout=io.StringIO())


def test_the_api_serves_it(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert "/api/v1/cases/{number}/dispatch/" in response.json()["paths"]


def test_every_operation_that_needs_a_sign_in_documents_401_and_403(schema):
    public = {("/api/v1/auth/token/", "post")}
    for path, method, operation in operations(schema):
        if (path, method) in public:
            assert "401" not in operation["responses"], path
            continue
        assert operation.get("security"), f"{method} {path}"
        assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"


def test_a_path_naming_an_object_documents_404_and_a_list_without_pages_does_not(schema):
    for path, method, operation in operations(schema):
        responses = set(operation["responses"])
        if _in_path(operation):
            assert "404" in responses, f"{method} {path}"
        elif "404" in responses:
            # A cursor or page that does not exist, or a refusal the operation declares itself.
            declared = {"/api/v1/grids/locate/", "/api/v1/dashboard/summary/", "/api/v1/comanager-rewards/",
                        "/api/v1/cases/export/"}
            assert _query(operation) & {"cursor", "page"} or path in declared, f"{method} {path}"
    assert "404" not in schema["paths"]["/api/v1/categories/"]["get"]["responses"]  # one page, no path


def test_writes_document_409_and_reads_do_not(schema):
    never = {("/api/v1/auth/token/", "post"), ("/api/v1/auth/token/revoke/", "post"),
             ("/api/v1/notifications/{id}/read/", "post")}
    for path, method, operation in operations(schema):
        conflicts = "409" in operation["responses"]
        if method == "get" or (path, method) in never:
            assert not conflicts, f"{method} {path}"
        else:
            assert conflicts, f"{method} {path}"


def test_bodies_and_query_parameters_document_400_and_bodies_413_and_415(schema):
    for path, method, operation in operations(schema):
        responses = set(operation["responses"])
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= responses, f"{method} {path}"
        elif _query(operation):
            assert "400" in responses and "415" not in responses, f"{method} {path}"
        else:
            assert not {"400", "413", "415"} & responses, f"{method} {path}"


def test_writes_document_429_as_the_write_throttle_counts_them(schema, settings):
    assert "haidian.throttling.WriteThrottle" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    for path, method, operation in operations(schema):
        assert ("429" in operation["responses"]) == (method != "get"), f"{method} {path}"
        if method != "get":
            assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_every_refusal_has_its_error_body_in_json(schema):
    components = schema["components"]["schemas"]
    assert components["ErrorDetail"]["required"] == ["detail"]
    assert "additionalProperties" in components["FieldErrors"]
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code in REFUSALS:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == f"#/components/schemas/{REFUSALS[code]}", f"{method} {path} {code}"


def test_request_bodies_are_json_or_multipart_for_files_and_say_every_field(schema):
    components = schema["components"]["schemas"]
    for path, method, operation in operations(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        media_types = set(body["content"])
        assert media_types in ({"application/json"}, {"multipart/form-data"}), f"{method} {path}"
        name = body["content"].popitem()[1]["schema"]["$ref"].rsplit("/", 1)[1]
        properties = components[name]["properties"]
        sends_file = any(field.get("format") == "binary" for field in properties.values())
        assert sends_file == (media_types == {"multipart/form-data"}), f"{method} {path}"
        assert components[name]["additionalProperties"] is False, name


def _patterns(node):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_every_pattern_compiles_in_another_languages_regex_engine(schema):
    # jsonschema_rs (Rust, what schemathesis validates with): a tool that cannot compile a pattern
    # ignores it, so a range of lone surrogates or Python's \Z would leave a field unchecked.
    patterns = set(_patterns(schema))
    assert len(patterns) > 3
    for pattern in patterns:
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})  # raises if it does not compile


def test_answers_that_can_be_null_or_blank_say_so(schema):
    components = schema["components"]["schemas"]
    assert components["Case"]["properties"]["category"]["nullable"]  # a case reported, not yet filed
    assert components["Category"]["properties"]["parent"]["nullable"]  # a work area
    assert components["Award"]["properties"]["round"]["nullable"]  # an award for a year, not a round
    assert components["CoManager"]["properties"]["placement_approver"]["nullable"]
    verdict = components["Appointment"]["properties"]["verdict"]["oneOf"]  # "" until a document is attached
    assert {"$ref": "#/components/schemas/BlankEnum"} in verdict
    assert "nullable" not in components["CaseDetail"]["properties"]["events"]  # a list is never null


def test_custom_actions_document_the_shapes_they_answer(schema):
    paths = schema["paths"]
    awards = paths["/api/v1/rounds/{period}/awards/"]
    assert awards["get"]["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "201" in awards["post"]["responses"] and "201" not in awards["get"]["responses"]
    summary = paths["/api/v1/awards/summary/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert summary == {"type": "array", "items": {"$ref": "#/components/schemas/AwardTotalRow"}}
    for path in ("/api/v1/rounds/{period}/evaluations/", "/api/v1/rounds/{period}/results/"):
        answer = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert answer.rsplit("/", 1)[1].startswith("Paginated"), path  # they answer a page, not a list
    scores = schema["components"]["schemas"]["SubmitInputRequest"]["properties"]["scores"]
    assert set(scores["required"]) == {"duty", "response", "cooperation", "conduct"}
    assert "/api/v1/rounds/{period}/results.xlsx/" not in paths  # the same view as results.xlsx


def test_what_a_field_takes_is_what_the_code_takes(schema):
    components = schema["components"]["schemas"]
    amount = jsonschema_rs.validator_for(components["AwardInputRequest"]["properties"]["amount"])
    assert [amount.is_valid(value) for value in ("5000", "0.5", "", "0", "-3", "1.234")] == [
        True, True, False, False, False, False]
    phone = jsonschema_rs.validator_for(components["HireInputRequest"]["properties"]["phone"])
    assert [phone.is_valid(value) for value in ("139 0000 1111", " 2-2 ", "13900001111 ")] == [True, False, False]
    period = jsonschema_rs.validator_for(components["RoundInputRequest"]["properties"]["period"])
    assert [period.is_valid(value) for value in ("2026H1", "0000H1", "2101H2")] == [True, False, False]
    letter = components["LetterInputRequest"]["properties"]["cases"]
    assert letter["minItems"] == 1
    title = jsonschema_rs.validator_for(components["CaseCreateRequest"]["properties"]["title"])
    assert [title.is_valid(value) for value in ("井盖丢失", "\u200b\u200b", "a\x07b", "a\u202eb")] == [
        True, False, False, False]
    moment = jsonschema_rs.validator_for(components["DispatchInputRequest"]["properties"]["due_at"])
    assert moment.is_valid("2027-01-05T10:00:00+08:00") and not moment.is_valid("0250-08-31T02:35:43-13:30")


def test_a_moment_outside_the_years_the_schema_names_is_refused(api, street_staff):
    # Before 1901 Beijing kept local mean time (+08:05:43): such a moment would come back unparsable.
    client = api.as_user(street_staff)
    body = {"street": "110108007", "kind": "joint_meeting", "title": "联席会", "agencies": ["110108007-pcs"]}
    for held_at in ("0250-08-31T02:35:43-13:30", "1900-06-01T10:00:00+08:00", "2101-01-05T10:00:00+08:00"):
        response = client.post("/api/v1/meetings/", {**body, "held_at": held_at}, format="json")
        assert response.status_code == 400 and "held_at" in response.json(), held_at
    accepted = client.post("/api/v1/meetings/", {**body, "held_at": "2027-01-05T10:00:00+08:00"}, format="json")
    assert accepted.status_code == 201
    assert accepted.json()["held_at"].endswith("+08:00")


def test_a_path_no_api_route_matches_is_a_json_404(api, street_staff):
    for path in ("/api/v1/rounds/2026H1/results/street/abc/", "/api/v1/no-such-thing/", "/api/v1/cases/%00/"):
        response = api.as_user(street_staff).get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json" and "detail" in response.json(), path
    assert b"<html" in api.get("/no-such-page/").content.lower()  # pages keep their page
