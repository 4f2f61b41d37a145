"""Who schedules an agency, whose budget carries it, and what its leader's appointment needs."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from agencies.models import Agency, Department, ManagementMode
from appointments import services
from appointments.models import AgencyBudget, Holder, Position, Requirement
from haidian.errors import ActionConflict, ActionForbidden
from haidian.workflow import SYSTEM
from tests.dispatch.conftest import signed_in

pytestmark = pytest.mark.django_db
K = Agency.Kind


@pytest.mark.parametrize(("kind", "expected"), [
    (K.POLICE_STATION, Requirement.OPINION),
    (K.MARKET_OFFICE, Requirement.OPINION),
    (K.TRAFFIC_BRIGADE, Requirement.OPINION),
    (K.HOUSING_OFFICE, Requirement.CONSENT),
    (K.HEALTH_INSPECTION, Requirement.CONSENT),
    (K.URBAN_MANAGEMENT_SQUAD, Requirement.CONSENT),
    (K.JUSTICE_OFFICE, Requirement.STREET_APPOINTS),
    (K.STATISTICS_OFFICE, Requirement.STREET_APPOINTS),
])
def test_the_requirement_follows_the_agency_kind(kind, expected):
    assert services.requirement(Agency(kind=kind)) == expected


def test_the_urban_management_squad_needs_consent_for_the_executive_deputy_only():
    squad = Agency(kind=K.URBAN_MANAGEMENT_SQUAD, management_mode=ManagementMode.LOCAL_PRIMARY)
    assert services.requirement(squad, Position.EXECUTIVE_DEPUTY) == Requirement.CONSENT
    assert services.requirement(squad, Position.HEAD) == Requirement.OPINION


@pytest.mark.parametrize(("mode", "expected"), [
    (ManagementMode.LOCAL, Requirement.STREET_APPOINTS),
    (ManagementMode.LOCAL_PRIMARY, Requirement.OPINION),
    (ManagementMode.DUAL, Requirement.OPINION),
])
def test_another_kind_of_agency_goes_by_its_management_mode(mode, expected):
    assert services.requirement(Agency(kind=K.OTHER, management_mode=mode)) == expected


@pytest.mark.parametrize(("mode", "holder"), [
    (ManagementMode.LOCAL, Holder.STREET),
    (ManagementMode.LOCAL_PRIMARY, Holder.STREET),
    (ManagementMode.DUAL, Holder.DEPARTMENT),
])
def test_the_mode_decides_who_schedules_and_whose_budget_carries_the_agency(mode, holder):
    agency = Agency(management_mode=mode)
    assert services.who_schedules(agency) == holder
    assert services.budget_holder(agency) == holder


def test_a_budget_is_recorded_once_per_agency_and_year(agency, justice_office):
    budget = services.budget_record(actor=SYSTEM, agency=agency, year=2026, amount=Decimal("1200000"))
    assert budget.holder == Holder.DEPARTMENT  # the police station is dual-mode
    street_budget = services.budget_record(actor=SYSTEM, agency=justice_office, year=2026, amount=Decimal("300000"))
    assert street_budget.holder == Holder.STREET
    assert services.budget_record(actor=SYSTEM, agency=agency, year=2025, amount=Decimal("1100000")).year == 2025

    with pytest.raises(ActionConflict):
        services.budget_record(actor=SYSTEM, agency=agency, year=2026, amount=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyBudget.objects.create(agency=agency, year=2026, holder=Holder.STREET, amount=Decimal("1"))
    assert AgencyBudget.objects.filter(agency=agency).count() == 2


def test_seeded_agencies_carry_the_mode_of_their_kind(street):
    modes = dict(Agency.objects.filter(streets=street).values_list("kind", "management_mode"))
    assert modes[K.JUSTICE_OFFICE] == ManagementMode.LOCAL
    assert modes[K.POLICE_STATION] == ManagementMode.DUAL
    assert Department.objects.filter(agencies__streets=street).distinct().count() == 13  # every department


def test_the_budget_is_recorded_by_whoever_carries_it(agency, justice_office, street_staff, department_admin,
                                                      other_street_staff):
    # the police station (dual mode) is carried by its department; the justice office by the street
    with pytest.raises(ActionForbidden):
        services.budget_record(actor=street_staff, agency=agency, year=2026, amount=Decimal("1"))
    with pytest.raises(ActionForbidden):
        services.budget_record(actor=other_street_staff, agency=justice_office, year=2026, amount=Decimal("1"))
    assert services.budget_record(actor=department_admin, agency=agency, year=2026, amount=Decimal("9")).amount == 9
    assert services.budget_record(actor=street_staff, agency=justice_office, year=2026,
                                  amount=Decimal("3")).holder == Holder.STREET


def test_the_agency_page_shows_modes_and_records_a_budget(street_staff, justice_office, agency):
    client = signed_in(street_staff)
    page = client.get("/appointments/agencies/")
    rows = {row["agency"].code: row for row in page.context["rows"]}
    assert rows[justice_office.code]["holder"] == "street" and rows[agency.code]["holder"] == "department"
    assert set(page.context["form"].agencies) == {a.code for a in Agency.objects.filter(streets=agency.streets.first())
                                                  if a.management_mode != "dual"}

    done = client.post("/appointments/agencies/", {"agency": justice_office.code, "year": 2026, "amount": "300000"})
    again = client.post("/appointments/agencies/", {"agency": justice_office.code, "year": 2026, "amount": "1"})

    assert done.status_code == 302 and again.status_code == 409
    assert AgencyBudget.objects.get(agency=justice_office, year=2026).amount == Decimal("300000")
