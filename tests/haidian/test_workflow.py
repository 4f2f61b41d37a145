"""The one state-machine helper (haidian.workflow): a step the status forbids is a 409 and leaves no
trace; a step taken leaves exactly one event; nobody acts as "no actor"; and two people racing for a
unique key get one success and one 409, never a 500 — shown on real PostgreSQL connections, the
second one waiting on the first's uncommitted row exactly where only the constraint can stop it."""

import datetime as dt
from decimal import Decimal

import pytest

from agencies.models import Agency, Department, District, ManagementMode, Street
from appointments import services as appointment_services
from appointments.models import AgencyBudget
from assessment import services as assessment_services
from assessment.models import Round, RoundEvent, RoundStatus
from dispatch import services as case_services
from dispatch.letters.services import LETTERS
from dispatch.models import Case, Source
from grids.models import Community, GridCell
from grids.services import grids_import
from haidian.errors import ActionConflict
from haidian.permissions import Role
from haidian.workflow import PUBLIC, SYSTEM, user_or_none
from tests.conftest import make_user
from tests.races import race_on_uncommitted_row

NOW = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_step_the_status_forbids_is_a_409_and_writes_no_event(district_command):
    round_ = assessment_services.round_create(actor=district_command, period="2030H1", now=NOW)
    events = RoundEvent.objects.filter(round=round_).count()

    with pytest.raises(ActionConflict, match="2030H1"):
        assessment_services.round_close(round=round_, actor=district_command, now=NOW)

    assert RoundEvent.objects.filter(round=round_).count() == events
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.DRAFT


@pytest.mark.django_db
def test_a_step_taken_writes_one_event_with_who_where_and_the_move(district_command, district):
    round_ = assessment_services.round_create(actor=district_command, period="2030H1", now=NOW)

    assessment_services.round_open(round=round_, actor=district_command, now=NOW)

    created, opened = RoundEvent.objects.filter(round=round_).order_by("id")
    assert (created.action, created.from_status, created.to_status) == ("create", "", RoundStatus.DRAFT)
    assert (opened.action, opened.from_status, opened.to_status) == ("open", RoundStatus.DRAFT, RoundStatus.OPEN)
    assert opened.actor == district_command and opened.actor_unit == f"{district.code} {district.name}"
    assert opened.at == NOW


@pytest.mark.django_db
def test_the_system_is_an_explicit_actor_and_no_actor_is_refused(district_command):
    round_ = assessment_services.round_create(actor=district_command, period="2030H1", now=NOW)

    with pytest.raises(TypeError, match="actor is required"):
        assessment_services.round_open(round=round_, actor=None, now=NOW)
    assessment_services.round_open(round=round_, actor=SYSTEM, now=NOW)

    opened = RoundEvent.objects.get(round=round_, action="open")
    assert (opened.actor, opened.actor_unit) == (None, "system")
    with pytest.raises(TypeError):
        user_or_none(None)
    assert user_or_none(PUBLIC) is None and user_or_none(district_command) == district_command


@pytest.mark.django_db
def test_a_services_actor_is_required_where_none_used_to_skip_the_checks(agency, reported_case_in_home_grid):
    with pytest.raises(TypeError):
        appointment_services.budget_record(agency=agency, year=2026, amount=Decimal("1"))  # no actor at all
    with pytest.raises(TypeError, match="actor is required"):
        case_services.case_escalate(case=reported_case_in_home_grid, actor=None, reason="…")
    with pytest.raises(TypeError, match="actor is required"):
        case_services.case_create(actor=None, title="井盖缺失", lat=reported_case_in_home_grid.lat,
                                  lng=reported_case_in_home_grid.lng, source=Source.RESIDENT)
    assert appointment_services.budget_record(actor=SYSTEM, agency=agency, year=2026, amount=Decimal("1")).pk


@pytest.mark.django_db
def test_the_machines_say_which_steps_are_open_now():
    letter = type("Letter", (), {"status": "answered"})()
    assert LETTERS.steps_open(letter, ("acknowledge", "answer", "feedback", "close")) == {"feedback", "close"}


@pytest.fixture
def reported_case_in_home_grid(grid, grid_worker):
    return case_services.case_create(actor=grid_worker, title="井盖缺失", lat=grid.centroid_lat,
                                     lng=grid.centroid_lng, source=Source.GRID_PATROL)


# --- racing for a unique key, on real connections --------------------------------------------------

@pytest.fixture
def district_row(transactional_db):
    # The session's reference data may or may not still be there (transactional tests empty it).
    return District.objects.get_or_create(code="110108", defaults={"name": "海淀区"})[0]


@pytest.mark.django_db(transaction=True)
def test_two_rounds_created_at_once_for_one_period_give_one_round_and_a_409(district_row):
    command = make_user("command", Role.DISTRICT_COMMAND, [district_row])

    def create():
        return assessment_services.round_create(actor=command, period="2031H1")

    outcomes = race_on_uncommitted_row(create, create)

    assert isinstance(outcomes[0], Round) and isinstance(outcomes[1], ActionConflict), outcomes
    assert "2031H1" in str(outcomes[1])
    assert Round.objects.filter(period="2031H1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_budgets_recorded_at_once_for_one_year_give_one_row_and_a_409(district_row):
    department = Department.objects.create(district=district_row, code="110108-tst", name="测试分局")
    agency = Agency.objects.create(department=department, code="110108097-pcs", name="测试派出所",
                                   kind=Agency.Kind.POLICE_STATION, management_mode=ManagementMode.DUAL)
    admin = make_user("admin", Role.DEPARTMENT_ADMIN, [department])

    def record(amount):
        return lambda: appointment_services.budget_record(actor=admin, agency=agency, year=2026,
                                                          amount=Decimal(amount))

    outcomes = race_on_uncommitted_row(record("100"), record("200"))

    assert isinstance(outcomes[0], AgencyBudget) and isinstance(outcomes[1], ActionConflict), outcomes
    assert list(AgencyBudget.objects.values_list("amount", flat=True)) == [Decimal("100")]


@pytest.mark.django_db(transaction=True)
def test_one_work_order_reported_twice_at_once_gives_one_case_and_a_409(district_row):
    street = Street.objects.create(district=district_row, code="110108097", name="测试街道", short_name="测试")
    Community.objects.create(street=street, code="110108097001", name="测试社区")
    square = [[117.50, 40.50], [117.51, 40.50], [117.51, 40.51], [117.50, 40.51], [117.50, 40.50]]  # off the map
    properties = {"code": "110108097001001", "name": "一号网格", "community": "110108097001"}
    grids_import(features=[{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]},
                            "properties": properties}])
    grid = GridCell.objects.get(code="110108097001001")

    def first_import():  # the row as another import writes it, not yet committed (no number taken here)
        return Case.objects.create(number="HD20260701999999", title="12345来电：井盖缺失", lat=grid.centroid_lat,
                                   lng=grid.centroid_lng, street=street, community=grid.community, grid=grid,
                                   source=Source.HOTLINE_12345, external_id="BJ-0001", created_at=NOW)

    def second_import():
        return case_services.case_create(actor=SYSTEM, title="12345来电：井盖缺失", lat=grid.centroid_lat,
                                         lng=grid.centroid_lng, source=Source.HOTLINE_12345, external_id="BJ-0001")

    outcomes = race_on_uncommitted_row(first_import, second_import)

    assert isinstance(outcomes[0], Case) and isinstance(outcomes[1], ActionConflict), outcomes
    assert "BJ-0001" in str(outcomes[1])
    assert Case.objects.filter(external_id="BJ-0001").count() == 1
