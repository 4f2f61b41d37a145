"""Patrol log: a grid worker starts and ends patrols of their own grids, one at a time."""

import datetime as dt
import threading

import pytest
from django.db import connection

from grids import services
from grids.models import GridCell, Patrol
from haidian.errors import ActionConflict, ActionForbidden

pytestmark = pytest.mark.django_db


def test_a_patrol_is_started_and_ended_with_notes(grid_worker, grid):
    started = services.patrol_start(worker=grid_worker, grid=grid)
    ended = services.patrol_end(worker=grid_worker, notes="发现两处暴露垃圾，已上报。",
                                now=started.started_at + dt.timedelta(hours=2))

    assert ended.pk == started.pk
    assert ended.ended_at - ended.started_at == dt.timedelta(hours=2)
    assert Patrol.objects.get().notes == "发现两处暴露垃圾，已上报。"


def test_one_patrol_at_a_time(grid_worker, grid):
    services.patrol_start(worker=grid_worker, grid=grid)

    with pytest.raises(ActionConflict):
        services.patrol_start(worker=grid_worker, grid=grid)
    assert Patrol.objects.count() == 1


def test_ending_without_a_patrol_under_way_is_a_conflict(grid_worker):
    with pytest.raises(ActionConflict):
        services.patrol_end(worker=grid_worker)


def test_only_the_grids_own_worker_patrols_it(grid_worker, grid):
    elsewhere = GridCell.objects.exclude(pk=grid.pk).order_by("code").first()

    with pytest.raises(ActionForbidden):
        services.patrol_start(worker=grid_worker, grid=elsewhere)


def test_the_grid_page_starts_and_ends_a_patrol(client, grid_worker, grid):
    client.force_login(grid_worker)

    client.post("/grid/patrol/start/", {"grid": grid.code})
    assert Patrol.objects.filter(worker=grid_worker, ended_at=None).exists()
    client.post("/grid/patrol/end/", {"notes": "一切正常"})
    assert Patrol.objects.get().notes == "一切正常"
    again = client.post("/grid/patrol/end/", follow=True)
    assert again.status_code == 200 and Patrol.objects.filter(ended_at=None).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_open_one_patrol():
    from django.core.management import call_command

    from agencies.models import Street
    from haidian.permissions import Role
    from tests.conftest import make_user

    call_command("seed_haidian", verbosity=0)
    grid = GridCell.objects.filter(community__street=Street.objects.get(code="110108007")).order_by("code").first()
    worker = make_user("racing-worker", Role.GRID_WORKER, [grid])
    barrier, outcomes = threading.Barrier(2), []

    def start():
        try:
            barrier.wait()
            outcomes.append(services.patrol_start(worker=worker, grid=grid))
        except ActionConflict as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["ActionConflict", "Patrol"]
    assert Patrol.objects.filter(worker=worker).count() == 1
