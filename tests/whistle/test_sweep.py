"""The summons sweep: units still pending past their due time are marked missing once, and the
district command center and the street's staff are told once, however often it runs. Beat runs it
every minute; `manage.py sweep_summons --now` does the same."""

import io

from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from notifications.models import Notification
from tests.whistle.conftest import DUE, MINUTE, unit_of
from whistle import services, tasks
from whistle.models import SummonsEvent, UnitStatus


def test_nobody_is_missing_until_the_due_time_has_passed(summons):
    assert services.summons_sweep(now=DUE).missing == 0
    assert set(summons.units.values_list("status", flat=True)) == {UnitStatus.PENDING}


def test_a_unit_that_did_not_come_is_marked_missing_and_the_command_center_and_street_are_told(
        district_command, street_staff, summons, agency, agency_head):
    services.summons_check_in(summons=summons, actor=agency_head, lat=39.99, lng=116.35, now=DUE)
    result = services.summons_sweep(now=DUE + MINUTE)
    assert (result.missing, result.notifications) == (1, 2)
    assert unit_of(summons, agency).status == UnitStatus.ON_TIME
    [missing] = summons.units.filter(status=UnitStatus.MISSING)
    assert missing.department_id is not None
    told = Notification.objects.filter(kind="summons_missing")
    assert sorted(told.values_list("user__username", flat=True)) == ["district-command", "street-staff"]
    assert set(told.values_list("case_number", flat=True)) == {summons.case.number}


def test_sweeping_twice_marks_once_and_tells_once(district_command, street_staff, summons):
    first = services.summons_sweep(now=DUE + MINUTE)
    second = services.summons_sweep(now=DUE + 5 * MINUTE)
    assert (first.missing, second.missing) == (2, 0)
    assert second.notifications == 0
    assert SummonsEvent.objects.filter(summons=summons, action="mark_missing").count() == 2
    # one notification per person for each missing unit, not one more for the second sweep
    assert Notification.objects.filter(kind="summons_missing").count() == 2 * 2


def test_the_command_sweeps_as_of_the_given_time_and_says_what_it_did(summons):
    out = io.StringIO()
    call_command("sweep_summons", now="2026-10-12T09:31", stdout=out)
    # two units missing, each told to the street's one staff member
    assert out.getvalue().strip() == "swept summonses as of 2026-10-12 09:31: 2 missing, 2 notifications"
    assert summons.units.filter(status=UnitStatus.MISSING).count() == 2


def test_the_beat_task_runs_the_same_sweep(summons):
    assert tasks.sweep_summons() == {"missing": 2, "notifications": 2}  # now is long past 2026-10-12 09:30


def test_beat_runs_the_sweep_every_minute(db):
    task = PeriodicTask.objects.select_related("interval").get(task="whistle.sweep_summons")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 1, "minutes")
