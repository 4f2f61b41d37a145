"""Two people of one summoned agency report at the same moment, on real PostgreSQL connections: the
unit's row lock serves them one after the other; the second sees the first's check-in and gets a 409.

Transactional, so the data is committed where the other connection can see it; such tests run after
all others and seed the reference data themselves."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from grids.geometry import grid_index
from haidian.errors import ActionConflict
from tests.conftest import run_together
from tests.races import race_on_uncommitted_row
from tests.whistle.conftest import DUE, MINUTE, unit_of
from whistle import services
from whistle.models import Summons, SummonsEvent, UnitStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def haidian(transactional_db):
    call_command("seed_haidian", stdout=io.StringIO())
    grid_index.invalidate()


def test_two_check_ins_at_once_one_wins_and_the_other_is_a_conflict(summons, agency_head, agency_staff, agency):
    def check_in(person):
        return lambda: services.summons_check_in(summons=Summons.objects.get(pk=summons.pk), actor=person,
                                                 lat=39.99, lng=116.35, now=DUE - MINUTE)

    outcomes = race_on_uncommitted_row(check_in(agency_head), check_in(agency_staff))

    assert outcomes[0].status == UnitStatus.ON_TIME, outcomes
    assert isinstance(outcomes[1], ActionConflict), outcomes
    assert "has already reported" in str(outcomes[1])
    unit = unit_of(summons, agency)
    assert (unit.status, unit.checked_in_by) == (UnitStatus.ON_TIME, agency_head)
    assert SummonsEvent.objects.filter(summoned_unit=unit).count() == 1


def test_a_sweep_during_a_check_in_leaves_that_unit_to_the_check_in(summons, agency_head, agency, department):
    """The sweep skips a row a check-in holds (it does not wait for it): that unit ends late, never missing
    too; the other unit, free, is marked missing."""
    locked, release = threading.Event(), threading.Event()
    outcome: list = []

    def check_in_and_hold():
        try:
            with transaction.atomic():
                outcome.append(services.summons_check_in(summons=Summons.objects.get(pk=summons.pk),
                                                         actor=agency_head, lat=39.99, lng=116.35, now=DUE + MINUTE))
                locked.set()
                assert release.wait(timeout=20)
        except Exception as exc:  # the outcome under test
            outcome.append(exc)
            locked.set()
        finally:
            connection.close()

    thread = threading.Thread(target=check_in_and_hold)
    thread.start()
    assert locked.wait(timeout=20)
    try:
        swept = services.summons_sweep(now=DUE + MINUTE)
    finally:
        release.set()
        thread.join(timeout=30)
    assert swept.missing == 1, outcome
    assert outcome[0].status == UnitStatus.LATE, outcome
    assert (unit_of(summons, agency).status, unit_of(summons, department).status) == (
        UnitStatus.LATE, UnitStatus.MISSING)
    assert not SummonsEvent.objects.filter(summoned_unit=unit_of(summons, agency), action="mark_missing").exists()


def test_two_check_in_requests_at_once_get_one_200_and_one_409(api, summons, agency_head, agency_staff, agency):
    url, point = f"/api/v1/summons/{summons.pk}/check_in/", {"lat": 39.99, "lng": 116.35}
    clients = [api.as_user(agency_head), api.as_user(agency_staff)]

    outcomes = run_together(*(lambda client=client: client.post(url, point, format="json") for client in clients))

    assert sorted(response.status_code for response in outcomes) == [200, 409], outcomes
    assert SummonsEvent.objects.filter(summoned_unit=unit_of(summons, agency)).count() == 1
