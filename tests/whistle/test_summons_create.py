"""吹哨: the street's staff summon units serving the street, or district departments, to an open case."""

import pytest

from dispatch import services as dispatch_services
from dispatch.models import CaseEvent
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from notifications.models import Notification
from tests.whistle.conftest import DUE, MINUTES, WHISTLED, unit_of
from whistle import services
from whistle.models import SummonsEvent, UnitStatus


def test_a_whistle_summons_each_unit_with_the_same_due_time(summons, agency, department, street):
    assert summons.street == street
    assert (summons.minutes, summons.created_at, summons.due_at) == (MINUTES, WHISTLED, DUE)
    units = list(summons.units.order_by("id"))
    assert [(unit.code, unit.kind, unit.status, unit.due_at) for unit in units] == [
        (agency.code, "agency", UnitStatus.PENDING, DUE), (department.code, "department", UnitStatus.PENDING, DUE)]
    assert all(unit.checked_in_at is None for unit in units)


def test_the_whistle_is_on_the_summons_record_and_never_on_the_cases(summons, case, street_staff, street, agency,
                                                                     department):
    event = SummonsEvent.objects.get(summons=summons)
    assert (event.action, event.actor, event.actor_unit, event.at) == (
        "whistle", street_staff, f"{street.code} {street.name}", WHISTLED)
    assert event.data["units"] == [agency.code, department.code]
    assert event.note == "井盖塌陷，请派人到场维护秩序"
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["create"]


def test_each_summoned_units_people_are_told_at_once(agency_head, department_admin, cooperating_head, street_staff,
                                                     summons, case, agency):
    told = Notification.objects.filter(kind="summoned")
    assert sorted(told.values_list("user__username", flat=True)) == ["agency-head", "department-admin"]
    note = told.get(user=agency_head)
    assert (note.case_number, note.link, note.key) == (
        case.number, "/whistle/", f"summoned:{unit_of(summons, agency).pk}")


def test_only_the_street_staff_of_the_cases_street_may_whistle(case, agency, grid_worker, other_street_staff,
                                                               agency_head):
    for person in (grid_worker, other_street_staff, agency_head):
        with pytest.raises(ActionForbidden):
            services.summons_create(case=case, actor=person, units=[agency.code], minutes=30, now=WHISTLED)
    assert not case.summonses.exists()


def test_a_closed_or_rejected_case_cannot_be_whistled_on(make_case, workflow, street_staff, agency):
    closed = workflow.close(make_case())
    rejected = dispatch_services.case_reject(case=make_case(title="重复"), actor=street_staff, reason="重复上报")
    for case in (closed, rejected):
        with pytest.raises(ActionConflict, match="Cannot blow the whistle: the case is"):
            services.summons_create(case=case, actor=street_staff, units=[agency.code], minutes=30)
        assert not case.summonses.exists()


def test_unknown_units_and_units_not_serving_the_street_are_named(case, street_staff, other_agency, agency):
    with pytest.raises(InvalidInput) as refused:
        services.summons_create(case=case, actor=street_staff, units=[agency.code, other_agency.code, "nope"],
                                minutes=30)
    assert refused.value.errors == {"units": [
        f"{other_agency.code} is neither an agency serving this street nor a department of its district.",
        "nope is neither an agency serving this street nor a department of its district."]}
    assert not case.summonses.exists()


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_minutes_must_lie_between_one_and_a_day(case, street_staff, agency, minutes):
    with pytest.raises(InvalidInput) as refused:
        services.summons_create(case=case, actor=street_staff, units=[agency.code], minutes=minutes)
    assert list(refused.value.errors) == ["minutes"]


def test_a_whistle_needs_at_least_one_unit_and_counts_a_repeated_one_once(case, street_staff, agency):
    with pytest.raises(InvalidInput) as refused:
        services.summons_create(case=case, actor=street_staff, units=[], minutes=30)
    assert list(refused.value.errors) == ["units"]
    summons = services.summons_create(case=case, actor=street_staff, units=[agency.code, agency.code], minutes=1)
    assert summons.units.count() == 1
