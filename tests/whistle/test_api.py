"""The 吹哨报到 API: its contract's shapes, and every endpoint answering the cast — anonymous 401, outside
your scope 404, the wrong role 403, the wrong moment 409, bad input 400 with field messages; never a 500
(the `api` client fails the test on one)."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import resolve

from dispatch.models import CaseEvent
from tests.whistle.conftest import DUE, unit_of
from whistle.models import Summons, UnitStatus

SUMMONS = "/api/v1/summons/"


def whistle_url(case) -> str:
    return f"/api/v1/cases/{case.number}/whistle/"


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# --- the contract --------------------------------------------------------------------------------

def test_a_whistle_answers_201_with_the_summons_and_each_units_due_time(api, street_staff, case, agency,
                                                                        department):
    response = api.as_user(street_staff).post(whistle_url(case), {
        "units": [agency.code, department.code], "minutes": 20, "note": "请到场"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    summons = Summons.objects.get()
    assert body["id"] == summons.pk
    assert (body["case"], body["minutes"], body["note"]) == (case.number, 20, "请到场")
    assert [(unit["code"], unit["kind"], unit["name"], unit["status"], unit["checked_in_at"])
            for unit in body["units"]] == [(agency.code, "agency", agency.name, "pending", None),
                                          (department.code, "department", department.name, "pending", None)]
    due = summons.created_at + dt.timedelta(minutes=20)
    assert {_instant(unit["due_at"]) for unit in body["units"]} == {due}


@override_settings(WHISTLE_MINUTES=45)
def test_without_minutes_the_units_get_the_default_from_the_settings(api, street_staff, case, agency):
    body = api.as_user(street_staff).post(whistle_url(case), {"units": [agency.code]}, format="json").json()
    assert body["minutes"] == 45
    assert _instant(body["units"][0]["due_at"]) - _instant(body["created_at"]) == dt.timedelta(minutes=45)


def test_a_check_in_answers_200_with_the_summons_and_the_units_time(api, summons, agency_head, agency):
    response = api.as_user(agency_head).post(f"{SUMMONS}{summons.pk}/check_in/", {"lat": 39.99, "lng": 116.35},
                                             format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == summons.pk
    units = {unit["code"]: unit for unit in body["units"]}
    assert units[agency.code]["checked_in_at"] is not None
    assert (units[agency.code]["status"], units[agency.code]["lat"], units[agency.code]["lng"]) == (
        "late", 39.99, 116.35)  # the summons was for 09:30 on 12 October 2026, long past
    assert set(units[agency.code]) >= {"code", "due_at", "checked_in_at"}


def test_the_list_and_the_detail_show_the_same_summons(api, summons, street_staff):
    client = api.as_user(street_staff)
    listed = client.get(SUMMONS).json()
    assert [row["id"] for row in listed["results"]] == [summons.pk]
    assert client.get(f"{SUMMONS}{summons.pk}/").json() == listed["results"][0]


# --- the paths -----------------------------------------------------------------------------------

def test_the_whistle_path_is_ours_and_the_cases_own_paths_stay_the_routers(api, street_staff, case, agency):
    assert resolve(whistle_url(case)).url_name == "case-whistle"
    assert resolve(f"/api/v1/cases/{case.number}/").url_name == "case-detail"
    assert resolve(f"/api/v1/cases/{case.number}/file/").url_name == "case-file"
    client = api.as_user(street_staff)
    assert client.get(f"/api/v1/cases/{case.number}/").json()["number"] == case.number
    assert client.get(whistle_url(case)).status_code == 405
    assert client.post(whistle_url(case), {"units": [agency.code]}, format="json").status_code == 201


def test_the_openapi_schema_documents_the_endpoints(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    for path in (b"/api/v1/cases/{number}/whistle/", b"/api/v1/summons/", b"/api/v1/summons/{id}/",
                 b"/api/v1/summons/{id}/check_in/"):
        assert path in schema.content


# --- the permission matrix -----------------------------------------------------------------------

def test_the_whistle_answers_the_cast(api, case, agency, street_staff, other_street_staff, grid_worker, nobody):
    url, data = whistle_url(case), {"units": [agency.code]}
    assert api.post(url, data, format="json").status_code == 401
    assert api.as_user(nobody).post(url, data, format="json").status_code == 404
    assert api.as_user(other_street_staff).post(url, data, format="json").status_code == 404
    # the grid worker sees the case (their grid's), but only the street's staff whistle
    assert api.as_user(grid_worker).post(url, data, format="json").status_code == 403
    assert not Summons.objects.exists()
    assert api.as_user(street_staff).post(url, data, format="json").status_code == 201


def test_a_whistle_on_a_closed_case_is_a_conflict(api, make_case, workflow, street_staff, agency):
    closed = workflow.close(make_case())
    assert api.as_user(street_staff).post(whistle_url(closed), {"units": [agency.code]},
                                          format="json").status_code == 409


@pytest.mark.parametrize(("data", "field"), [
    ({"units": []}, "units"),
    ({"units": ["110108010-pcs"]}, "units"),  # another street's police station
    ({"units": ["110108007-pcs"], "minutes": 0}, "minutes"),
    ({"units": ["110108007-pcs"], "minutes": 24 * 60 + 1}, "minutes"),
    ({"units": ["110108007-pcs"], "minutes": "soon"}, "minutes"),
])
def test_bad_whistles_are_refused_with_the_fields_message(api, case, street_staff, data, field):
    response = api.as_user(street_staff).post(whistle_url(case), data, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field] and response.json()[field]
    assert not Summons.objects.exists()


def test_who_sees_a_summons(api, summons, street_staff, agency_head, department_admin, district_command,
                            other_street_staff, other_agency_head, cooperating_head, nobody):
    url = f"{SUMMONS}{summons.pk}/"
    assert api.get(url).status_code == 401
    for person in (street_staff, agency_head, department_admin, district_command):
        assert api.as_user(person).get(url).status_code == 200
        assert [row["id"] for row in api.as_user(person).get(SUMMONS).json()["results"]] == [summons.pk]
    for person in (other_street_staff, other_agency_head, cooperating_head, nobody):
        assert api.as_user(person).get(url).status_code == 404
        assert api.as_user(person).get(SUMMONS).json()["results"] == []


def test_the_check_in_answers_the_cast(api, summons, agency_head, street_staff, cooperating_head,
                                       other_agency_head, agency):
    url, point = f"{SUMMONS}{summons.pk}/check_in/", {"lat": 39.99, "lng": 116.35}
    assert api.post(url, point, format="json").status_code == 401
    # not summoned: the summons does not exist for them
    assert api.as_user(cooperating_head).post(url, point, format="json").status_code == 404
    assert api.as_user(other_agency_head).post(url, point, format="json").status_code == 404
    # the street's staff see the summons but do not report for a unit
    assert api.as_user(street_staff).post(url, point, format="json").status_code == 403
    assert unit_of(summons, agency).status == UnitStatus.PENDING
    assert api.as_user(agency_head).post(url, point, format="json").status_code == 200
    assert api.as_user(agency_head).post(url, point, format="json").status_code == 409


@pytest.mark.parametrize(("point", "fields"), [
    ({}, ["lat", "lng"]),
    ({"lat": 91, "lng": 116.35}, ["lat"]),
    ({"lat": 39.99, "lng": -181}, ["lng"]),
    ({"lat": "north", "lng": 116.35}, ["lat"]),
])
def test_a_check_in_needs_a_real_point(api, summons, agency_head, agency, point, fields):
    response = api.as_user(agency_head).post(f"{SUMMONS}{summons.pk}/check_in/", point, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == fields and all(response.json()[field] for field in fields)
    assert unit_of(summons, agency).status == UnitStatus.PENDING


def test_the_api_never_writes_on_the_cases_timeline(api, summons, agency_head, case, agency):
    api.as_user(agency_head).post(f"{SUMMONS}{summons.pk}/check_in/", {"lat": 39.99, "lng": 116.35}, format="json")
    assert unit_of(summons, agency).checked_in_at > DUE
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["create"]
