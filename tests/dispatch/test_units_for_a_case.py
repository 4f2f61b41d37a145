"""`GET /api/v1/cases/{number}/units/`: the units that may lead the case now, the default first."""

from __future__ import annotations

import pytest

from agencies.models import Agency
from dispatch import services
from tests.dispatch.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_a_street_tier_case_offers_the_agencies_serving_its_street_the_default_first(api, filed_case, street_staff,
                                                                                    street, category):
    response = api.as_user(street_staff).get(f"/api/v1/cases/{filed_case.number}/units/")

    assert response.status_code == 200
    units = response.json()
    assert set(units[0]) == {"code", "name", "kind", "default"}
    assert [unit["default"] for unit in units].count(True) == 1 and units[0]["default"]
    assert units[0]["code"].startswith(street.code)
    assert Agency.objects.get(code=units[0]["code"]).department_id == category.default_department_id
    serving = set(Agency.objects.filter(streets=street).values_list("code", flat=True))
    assert {unit["code"] for unit in units} == serving


def test_a_district_tier_case_offers_the_departments_of_its_district(api, filed_case, street_staff,
                                                                     district_command, category):
    services.case_escalate(case=filed_case, actor=street_staff, reason="需区级协调")
    units = api.as_user(district_command).get(f"/api/v1/cases/{filed_case.number}/units/").json()
    assert units[0] == {"code": category.default_department.code, "name": category.default_department.name,
                        "kind": "department", "default": True}
    assert all(unit["kind"] == "department" for unit in units)


def test_the_dispatch_form_preselects_the_default_unit(filed_case, street_staff, api):
    default = api.as_user(street_staff).get(f"/api/v1/cases/{filed_case.number}/units/").json()[0]
    page = signed_in(street_staff).get(f"/cases/{filed_case.number}/").content.decode()
    assert f'<option value="{default["code"]}" selected>' in page


def test_another_streets_case_is_not_found(api, filed_case, other_street_staff):
    assert api.as_user(other_street_staff).get(f"/api/v1/cases/{filed_case.number}/units/").status_code == 404
