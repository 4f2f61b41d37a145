"""Delegated enforcement (委托管理执法): the district's catalogue, and a street's action that names the
entry it relied on — refused when the entry is not in force that day."""

import datetime as dt

import pytest

from dispatch import services as dispatch_services
from dispatch.models import Source
from haidian.calendar import SHANGHAI
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from workaccess import services
from workaccess.models import DelegatedAction

MATTERS = "/api/v1/delegated-matters/"
ACTIONS = "/api/v1/delegated-actions/"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def matter(department, district_command):
    return services.matter_create(
        actor=district_command, department=department, code="WT-2026-001", title="对占道经营的劝导与查处",
        legal_basis="《北京市城市管理综合行政执法条例》第十二条", valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31))


def test_within_validity_the_action_is_recorded_with_its_entry(matter, street, street_staff):
    done = services.action_record(actor=street_staff, matter=matter, street=street, description="劝离流动摊贩三处",
                                  at=at(2026, 6, 15, 10))
    assert DelegatedAction.objects.get(pk=done.pk).matter == matter


@pytest.mark.parametrize("when", [at(2025, 12, 31, 23, 30), at(2027, 1, 1, 0, 30)])
def test_outside_validity_the_action_is_refused(matter, street, street_staff, when):
    with pytest.raises(ActionConflict):
        services.action_record(actor=street_staff, matter=matter, street=street, description="x", at=when)
    assert not DelegatedAction.objects.exists()


def test_the_first_and_last_day_are_valid(matter, street, street_staff):
    for when in (at(2026, 1, 1, 0, 5), at(2026, 12, 31, 23, 55)):
        services.action_record(actor=street_staff, matter=matter, street=street, description="x", at=when)
    assert DelegatedAction.objects.count() == 2


def test_a_withdrawn_entry_is_refused(matter, street, street_staff, district_command):
    services.matter_update(matter=matter, actor=district_command, active=False)
    with pytest.raises(ActionConflict):
        services.action_record(actor=street_staff, matter=matter, street=street, description="x",
                               at=at(2026, 6, 15, 10))


def test_only_the_streets_staff_record(matter, street, other_street_staff, department_admin):
    for someone in (other_street_staff, department_admin):
        with pytest.raises(ActionForbidden):
            services.action_record(actor=someone, matter=matter, street=street, description="x",
                                   at=at(2026, 6, 15, 10))


def test_only_the_district_command_maintains_the_catalogue(department, department_admin, matter):
    with pytest.raises(ActionForbidden):
        services.matter_create(actor=department_admin, department=department, code="WT-X", title="t",
                               legal_basis="b", valid_from=dt.date(2026, 1, 1))
    with pytest.raises(ActionForbidden):
        services.matter_update(matter=matter, actor=department_admin, active=False)


def test_validity_must_be_ordered(department, district_command):
    with pytest.raises(InvalidInput):
        services.matter_create(actor=district_command, department=department, code="WT-Y", title="t",
                               legal_basis="b", valid_from=dt.date(2026, 2, 1), valid_until=dt.date(2026, 1, 1))


def test_an_action_links_a_case_of_its_own_street_only(matter, street, street_staff, grid, grid_worker, other_street):
    case = dispatch_services.case_create(actor=grid_worker, title="占道经营", lat=grid.centroid_lat,
                                         lng=grid.centroid_lng, source=Source.GRID_PATROL)
    done = services.action_record(actor=street_staff, matter=matter, street=street, description="x",
                                  at=at(2026, 6, 15, 10), case_number=case.number)
    assert done.case == case
    with pytest.raises(InvalidInput):
        services.action_record(actor=street_staff, matter=matter, street=street, description="x",
                               at=at(2026, 6, 15, 10), case_number="HD00000000000000")


def test_the_api_records_and_refuses(api, matter, street, street_staff, other_street_staff, district_command):
    client = api.as_user(street_staff)
    body = {"matter": matter.code, "street": street.code, "description": "劝离", "at": "2026-06-15T10:00:00+08:00"}
    recorded = client.post(ACTIONS, body, format="json")
    assert recorded.status_code == 201 and recorded.data["matter"] == matter.code
    assert client.post(ACTIONS, {**body, "at": "2027-03-01T10:00:00+08:00"}, format="json").status_code == 409
    assert client.post(ACTIONS, {**body, "description": ""}, format="json").status_code == 400
    assert api.as_user(other_street_staff).post(ACTIONS, body, format="json").status_code == 403
    assert api.as_user(other_street_staff).get(f"{ACTIONS}{recorded.data['id']}/").status_code == 404
    assert api.as_user(district_command).patch(f"{MATTERS}{matter.pk}/", {"active": False},
                                               format="json").status_code == 200
    assert client.post(ACTIONS, body, format="json").status_code == 409


def test_the_catalogue_api_permissions(api, department_admin, district_command, street_staff, matter):
    new = {"department": "110108-ga", "code": "WT-2026-002", "title": "t", "legal_basis": "b",
           "valid_from": "2026-01-01"}
    assert api.get(MATTERS).status_code in (401, 403)
    assert api.as_user(street_staff).get(MATTERS).data["results"][0]["code"] == matter.code
    assert api.as_user(street_staff).post(MATTERS, new, format="json").status_code == 403
    assert api.as_user(department_admin).patch(f"{MATTERS}{matter.pk}/", {"active": False},
                                               format="json").status_code == 403
    assert api.as_user(district_command).post(MATTERS, new, format="json").status_code == 201
    assert api.as_user(district_command).post(MATTERS, new, format="json").status_code == 400
    assert api.as_user(district_command).post(MATTERS, {**new, "code": "WT-Z", "valid_until": "2025-01-01"},
                                              format="json").status_code == 400
