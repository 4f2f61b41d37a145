"""Organisation reads (streets, departments, agencies) through the permission gate, and tokens."""

import pytest

from agencies.models import Agency, Street


def test_token_is_issued_for_valid_credentials(api, street_staff):
    response = api.post(
        "/api/v1/auth/token/", {"username": "street-staff", "password": "pw-street-staff"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/streets/").status_code == 200


def test_token_with_wrong_password_is_400(api, street_staff):
    response = api.post("/api/v1/auth/token/", {"username": "street-staff", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.parametrize("endpoint", ["streets", "communities", "grids", "departments", "agencies"])
def test_anonymous_reads_are_401(api, db, endpoint):
    assert api.get(f"/api/v1/{endpoint}/").status_code == 401


@pytest.mark.parametrize("endpoint", ["streets", "communities", "grids", "departments", "agencies"])
def test_user_without_units_sees_nothing(api, db, endpoint):
    from tests.conftest import make_user

    response = api.as_user(make_user("nobody")).get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_street_staff_see_their_street_and_not_others(api, street, other_street, street_staff):
    client = api.as_user(street_staff)
    assert [row["code"] for row in client.get("/api/v1/streets/").json()["results"]] == [street.code]
    assert client.get(f"/api/v1/streets/{street.code}/").json()["name"] == street.name
    assert client.get(f"/api/v1/streets/{other_street.code}/").status_code == 404


def test_street_staff_see_the_agencies_covering_their_street(api, street, other_street, street_staff):
    client = api.as_user(street_staff)
    codes = {row["code"] for row in client.get("/api/v1/agencies/").json()["results"]}
    assert codes == set(Agency.objects.filter(streets=street).values_list("code", flat=True))
    assert len(codes) == 13  # one unit of each of the 13 departments: ten of the street's own, three shared
    assert client.get(f"/api/v1/agencies/{other_street.code}-pcs/").status_code == 404


def test_street_staff_see_the_districts_departments(api, street_staff):
    rows = api.as_user(street_staff).get("/api/v1/departments/").json()["results"]
    assert len(rows) == 13


def test_agency_head_sees_own_agency_and_the_streets_it_covers(api, agency, street, other_street, agency_head):
    client = api.as_user(agency_head)
    agency_row = client.get(f"/api/v1/agencies/{agency.code}/").json()
    assert agency_row["management_mode"] == "dual"
    assert agency_row["department"] == "110108-ga"
    assert agency_row["streets"] == [street.code]
    assert [row["code"] for row in client.get("/api/v1/streets/").json()["results"]] == [street.code]
    assert client.get(f"/api/v1/streets/{other_street.code}/").status_code == 404


def test_department_admin_sees_the_whole_district(api, department_admin):
    client = api.as_user(department_admin)
    assert len(client.get("/api/v1/streets/").json()["results"]) == 29


def test_district_command_sees_all_29_streets(api, district_command):
    rows = api.as_user(district_command).get("/api/v1/streets/").json()["results"]
    assert len(rows) == Street.objects.count() == 29


def test_street_list_pages_with_cursor(api, district_command):
    client = api.as_user(district_command)
    first = client.get("/api/v1/streets/?page_size=10").json()
    assert len(first["results"]) == 10 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert second["results"][0]["code"] > first["results"][-1]["code"]


def test_agency_list_query_count_is_constant(api, district_command, django_assert_max_num_queries):
    client = api.as_user(district_command)
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/v1/agencies/?page_size=5").json()["results"]) == 5
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/v1/agencies/?page_size=200").json()["results"]) == 200


def test_openapi_schema_and_offline_docs(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/grids/locate/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger UI comes from drf-spectacular-sidecar's static files, not a CDN.
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html
