"""报到: a summoned unit's person reports on site, on time up to the due time and late after it; a unit
the sweep marked missing that comes at last is late. Time is injected (`now=`), never waited for."""

import pytest

from haidian.errors import ActionConflict, ActionForbidden
from notifications.models import Notification
from tests.whistle.conftest import DUE, MINUTE, unit_of
from whistle import services
from whistle.models import SummonsEvent, UnitStatus

POINT = {"lat": 39.99, "lng": 116.35}


def test_a_check_in_by_the_due_time_is_on_time(summons, agency_head, agency):
    unit = services.summons_check_in(summons=summons, actor=agency_head, now=DUE, **POINT)
    unit.refresh_from_db()
    assert unit == unit_of(summons, agency)
    assert (unit.status, unit.checked_in_at, unit.checked_in_by, unit.lat, unit.lng) == (
        UnitStatus.ON_TIME, DUE, agency_head, 39.99, 116.35)
    event = SummonsEvent.objects.get(summons=summons, summoned_unit=unit)
    assert (event.action, event.from_status, event.to_status, event.actor_unit) == (
        "check_in_on_time", "pending", "on_time", f"{agency.code} {agency.name}")


def test_a_check_in_after_the_due_time_is_late_and_the_command_center_hears_of_it(district_command, summons,
                                                                                   agency_head, agency):
    unit = services.summons_check_in(summons=summons, actor=agency_head, now=DUE + MINUTE, **POINT)
    assert unit.status == UnitStatus.LATE
    assert list(Notification.objects.filter(kind="summons_late").values_list("user", "key")) == [
        (district_command.pk, f"summons_late:{unit.pk}")]


def test_a_unit_marked_missing_that_comes_at_last_is_late(district_command, summons, agency_head, agency):
    services.summons_sweep(now=DUE + MINUTE)
    assert unit_of(summons, agency).status == UnitStatus.MISSING
    unit = services.summons_check_in(summons=summons, actor=agency_head, now=DUE + 10 * MINUTE, **POINT)
    assert unit.status == UnitStatus.LATE
    assert list(SummonsEvent.objects.filter(summoned_unit=unit).values_list("action", "from_status", "to_status")) == [
        ("mark_missing", "pending", "missing"), ("check_in_late", "missing", "late")]


def test_a_department_admin_reports_for_a_summoned_department(summons, department_admin, department):
    unit = services.summons_check_in(summons=summons, actor=department_admin, now=DUE - MINUTE, **POINT)
    assert (unit, unit.status) == (unit_of(summons, department), UnitStatus.ON_TIME)


def test_a_second_check_in_for_the_same_unit_is_a_conflict(summons, agency_head, agency_staff, agency):
    services.summons_check_in(summons=summons, actor=agency_head, now=DUE - MINUTE, **POINT)
    with pytest.raises(ActionConflict, match="has already reported"):
        services.summons_check_in(summons=summons, actor=agency_staff, now=DUE, **POINT)
    assert SummonsEvent.objects.filter(summoned_unit=unit_of(summons, agency)).count() == 1


def test_only_a_summoned_units_people_may_report(summons, street_staff, cooperating_head, other_agency_head,
                                                 grid_worker):
    for person in (street_staff, cooperating_head, other_agency_head, grid_worker):
        with pytest.raises(ActionForbidden):
            services.summons_check_in(summons=summons, actor=person, now=DUE, **POINT)
    assert set(summons.units.values_list("status", flat=True)) == {UnitStatus.PENDING}


def test_the_case_itself_is_not_touched(summons, case, agency_head):
    before = (case.status, case.updated_at)
    services.summons_check_in(summons=summons, actor=agency_head, now=DUE, **POINT)
    case.refresh_from_db()
    assert (case.status, case.updated_at) == before
