"""The 12345 三率 on the dashboard, and what issue 15 adds to it, on the week of loop_story.py (computed by
hand there): the roll-ups the triggers keep equal `rebuild`'s after every transition (returns asked,
refused and approved, an alarm acknowledged, the sweep's red card and escalation); the tiles read the
response, resolution and satisfaction rates; a case late once is never closed on time; the alarm panel
lists the critical case nobody acknowledged and not the acknowledged one; the cases returned twice are
counted and listed; and the figures are the assessment's."""

from __future__ import annotations

import importlib
import re

import pytest
from django.core.cache import cache
from django.db import connection

from assessment.indicators import case_satisfaction, compute, three_rates
from dashboard import rollups
from dispatch import services
from dispatch.models import Case
from haidian import reform
from tests.dashboard.loop_story import H1, MARCH, build_loop
from tests.dispatch.conftest import signed_in

pytestmark = pytest.mark.django_db


def _disagreement(step: str) -> str | None:
    """Where the triggers' roll-ups and the Python definition differ now, if they do (PostgreSQL)."""
    if not rollups.maintained_by_triggers():
        return None
    stored, computed = rollups.stored(), rollups.computed()
    if stored == computed:
        return None
    return "; ".join(f"{table} {key}: stored {stored[table].get(key)} computed {computed[table].get(key)}"
                     for table in computed for key in set(stored[table]) | set(computed[table])
                     if stored[table].get(key) != computed[table].get(key))


@pytest.fixture(scope="module")
def loop(django_db_setup, django_db_blocker):
    yield from build_loop(django_db_blocker, check=_disagreement)


def fresh_summary(**window) -> dict:
    """The summary of March 2026; on SQLite (no triggers) from roll-ups rebuilt for this test."""
    if not rollups.maintained_by_triggers():
        cache.delete("dashboard:rebuilt")
    since, until = MARCH
    return rollups.summary(since=since, until=until, **window)


def section(html: str, element_id: str) -> str:
    """The inner HTML of the element with this id: a list (<ul>) or a tile's value (<span>)."""
    match = re.search(rf'<(ul|span)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"#{element_id} is not on the page"
    return match.group(2)


# --- the definition ------------------------------------------------------------------------------

def test_the_three_rates_come_from_counts_rounded_half_up():
    assert three_rates(accept_due=6, accepted_on_time=3, accepted=6, resolved=2, satisfied=1,
                       basically_satisfied=0, dissatisfied=1) == {
        "response_rate": 0.5, "resolution_rate": 0.3333, "satisfaction_rate": 0.5}
    # 满意率 counts "basically satisfied" as satisfied; 6667 / 20000 = 0.33335 rounds up
    assert three_rates(accept_due=20000, accepted_on_time=6667, accepted=3, resolved=2, satisfied=1,
                       basically_satisfied=1, dissatisfied=1) == {
        "response_rate": 0.3334, "resolution_rate": 0.6667, "satisfaction_rate": 0.6667}
    assert three_rates(accept_due=0, accepted_on_time=0, accepted=0, resolved=0, satisfied=0,
                       basically_satisfied=0, dissatisfied=0) == {
        "response_rate": None, "resolution_rate": None, "satisfaction_rate": None}


def test_the_triggers_flag_returns_at_the_reforms_threshold():
    migration = importlib.import_module("dashboard.migrations.0003_three_rates")
    assert migration.RETURNS_FLAGGED == rollups.RETURNS_FLAGGED == reform.RETURNS_FLAGGED


# --- the roll-ups --------------------------------------------------------------------------------

def test_the_triggers_equal_rebuild_after_every_transition_of_the_week(loop):
    assert loop.steps == [
        "report", "file", "dispatch", "return requested", "return refused", "accept on time", "return approved",
        "accept late", "respond", "verify", "rate", "call back", "acknowledge alarm", "respond after the returns",
        "red card", "escalation", "district dispatch", "district respond", "district verify"]
    assert loop.problems == []
    kept = rollups.stored()
    rollups.rebuild()
    assert rollups.stored() == kept


def test_the_migrations_own_recount_gives_the_same_rows(loop):
    """0003 recounts in SQL of its own (not today's Python, which later migrations may outgrow)."""
    migration = importlib.import_module("dashboard.migrations.0003_three_rates")
    with connection.cursor() as cursor:
        cursor.execute(migration.REBUILD)
    assert rollups.stored() == rollups.computed()
    assert rollups.stored()["task"]  # something was counted


@pytest.mark.sweep  # on SQLite too: the summary rebuilds the roll-ups there
def test_the_tiles_read_the_three_rates_of_the_week(loop):
    mine = fresh_summary(street_id=loop.street.pk)

    assert mine["response_rate"] == 0.5  # t1 t6 t7 accepted on time of 6 with a 签收 time
    assert mine["resolution_rate"] == 0.3333  # K1 K3 of 6 accepted: K2's reporter is dissatisfied
    assert mine["satisfaction_rate"] == 0.5  # K1 of K1 K2; K2's call-back "satisfied" is not a rating
    assert {key: mine[key] for key in (
        "tasks_received", "tasks_due", "tasks_to_accept", "tasks_accepted_on_time", "accepted", "resolved", "rated",
        "return_requests", "returns_approved", "returns_refused", "open", "alarms", "returned_repeatedly")} == {
        "tasks_received": 7, "tasks_due": 6, "tasks_to_accept": 6, "tasks_accepted_on_time": 3, "accepted": 6,
        "resolved": 2, "rated": 2, "return_requests": 2, "returns_approved": 1, "returns_refused": 1, "open": 4,
        "alarms": 1, "returned_repeatedly": 1}
    assert mine["return_rate"] == 0.2857  # 2 requests / 7 tasks received
    assert fresh_summary() == mine | {"street": None}  # nothing else happened in the district


@pytest.mark.sweep
def test_a_case_late_once_and_closed_on_time_by_the_district_is_not_closed_on_time(loop):
    k3 = Case.objects.get(pk=loop.cases["K3"].pk)
    assert (k3.status, k3.tier, k3.overdue, k3.ever_overdue) == ("closed", "district", False, True)

    mine = fresh_summary(street_id=loop.street.pk)

    assert (mine["closed"], mine["on_time_closure_rate"]) == (3, 0.3333)  # K1 K2 of 6; not K3
    assert mine["tasks_on_time"] == 5  # t1 t2 t3 t6 and the district's own t7, which was on time


@pytest.mark.sweep
def test_the_dashboard_and_the_assessment_agree_on_the_week(loop):
    mine = fresh_summary(street_id=loop.street.pk)
    theirs = compute(*H1)
    street, a, b = (theirs["street"][loop.street.pk], theirs["agency"][loop.agency.pk],
                    theirs["agency"][loop.cooperating_agency.pk])
    department = theirs["department"][loop.department.pk]

    assert mine["resolution_rate"] == street["resolution_rate"] == 0.3333
    assert mine["satisfaction_rate"] == street["satisfaction_rate"] == 0.5
    assert mine["on_time_closure_rate"] == street["on_time_closure_rate"] == 0.3333
    # the street's 响应率 is that of every task of its cases: B's, and GA's, whose figures hold its
    # agency A's and its own district task t7
    assert (b["accepted_on_time"] + department["accepted_on_time"], b["accept_due"] + department["accept_due"]) \
        == (3, 6)
    assert mine["response_rate"] == a["response_rate"] == 0.5  # A: t1 t6 of t1 t3 t4 t6
    assert (mine["return_requests"], mine["returns_approved"]) == (b["return_requests"], b["returns_approved"]) \
        == (2, 1)
    assert case_satisfaction(*H1)["street"][loop.street.pk] == (1, 0, 1)  # the reporters' ratings only


# --- the page ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/panels/"])
def test_the_alarm_panel_lists_the_unacknowledged_critical_case_and_not_the_acknowledged_one(loop, path):
    html = signed_in(loop.command).get(path).content.decode()

    alarms = section(html, "feed-alarms")
    k5, k6 = loop.cases["K5"].number, loop.cases["K6"].number
    assert f'href="/cases/{k5}/"' in alarms  # to the case page, where the alarm is acknowledged
    assert k6 not in alarms
    assert section(html, "alarm-count").strip() == "1"
    assert 'class="card alarm" id="alarms"' in html  # visibly red while one rings (site.css .card.alarm)


def test_the_tiles_show_the_three_rates_and_the_cases_returned_twice(loop):
    html = signed_in(loop.staff).get("/dashboard/?since=2026-03-01&until=2026-04-01").content.decode()

    assert (section(html, "kpi-response"), section(html, "kpi-resolution"), section(html, "kpi-satisfaction")) \
        == ("50%", "33%", "50%")
    assert section(html, "kpi-returned").strip() == "1"
    returned = section(html, "feed-returned")
    assert loop.cases["K4"].number in returned and "returned 2 times" in returned
    assert loop.cases["K1"].number not in returned


def test_an_acknowledged_alarm_leaves_the_panel_empty(loop):
    services.case_acknowledge_alarm(case=Case.objects.get(pk=loop.cases["K5"].pk), actor=loop.command)

    html = signed_in(loop.command).get("/dashboard/panels/").content.decode()
    assert "No alarm is waiting." in section(html, "feed-alarms")
    assert 'id="alarm-count"' not in html
    assert _disagreement("acknowledge K5") is None


def test_the_summary_api_carries_the_three_rates(loop, api):
    body = api.as_user(loop.command).get("/api/v1/dashboard/summary/", {
        "street": loop.street.code, "since": "2026-03-01", "until": "2026-04-01"}).json()

    assert (body["response_rate"], body["resolution_rate"], body["satisfaction_rate"]) == (0.5, 0.3333, 0.5)
    assert (body["return_requests"], body["returns_approved"], body["returns_refused"]) == (2, 1, 1)
    assert (body["alarms"], body["returned_repeatedly"]) == (1, 1)
