"""Issue 15's indicators ("the loop that bites") on the week of tests/dashboard/loop_story.py, computed by
hand there: the response rate (响应率), returns that count against the agency — asked, approved and
refused — and lower its objective score, on-time figures that read the ever-overdue facts (a case late
once and closed on time by the district's new task is still not closed on time), the streets' 解决率 and
满意率 from the reporters' own ratings (never the street's call-backs), and 报到及时率 from whistle/.

Marked `sweep`: the sweep's red card and escalation make K3 late, so `make test` runs these on SQLite too."""

from __future__ import annotations

import datetime as dt

import pytest

from assessment import scoring
from assessment.indicators import case_satisfaction, compute
from dispatch.models import Case, Task, TaskStatus
from tests.dashboard.loop_story import H1, loop  # noqa: F401  the week, built once for the module
from whistle import services as whistle

pytestmark = [pytest.mark.django_db, pytest.mark.sweep]


@pytest.fixture(scope="module")
def found(loop, django_db_blocker):  # noqa: F811 (the imported fixture)
    with django_db_blocker.unblock():
        return compute(*H1)


def pick(row: dict, *keys: str) -> dict:
    return {key: row[key] for key in keys}


def test_the_week_went_as_told(loop):  # noqa: F811
    k3, k4 = (Case.objects.get(pk=loop.cases[name].pk) for name in ("K3", "K4"))
    assert (k3.status, k3.tier, k3.overdue, k3.ever_overdue) == ("closed", "district", False, True)
    assert (k4.status, k4.return_count) == ("responded", 2)
    returned = Task.objects.get(case=k4, agency=loop.cooperating_agency)
    assert (returned.status, returned.return_requests) == (TaskStatus.RETURNED, 2)
    a_on_k3 = Task.objects.get(case=k3, agency=loop.agency)
    assert (a_on_k3.status, a_on_k3.ever_overdue, a_on_k3.accepted_at) == (TaskStatus.CANCELLED, True, None)
    # K2 was answered without being accepted: the answer accepted it, late
    a_on_k2 = Task.objects.get(case=loop.cases["K2"])
    assert (a_on_k2.accepted_at, a_on_k2.accepted_late) == (a_on_k2.responded_at, True)


def test_the_agency_answers_for_its_acceptance_and_its_late_task(loop, found):  # noqa: F811
    assert pick(found["agency"][loop.agency.pk], "received", "due", "handled", "handled_on_time", "overdue",
                "accept_due", "accepted_on_time", "response_rate", "on_time_rate", "return_requests",
                "return_rate") == {
        "received": 4,          # t1 t3 t4 t6
        "due": 4,               # t4 too: late once, then escalated away
        "handled": 3,           # t1 t3 t6
        "handled_on_time": 3,
        "overdue": 1,           # t4, ever overdue
        "accept_due": 4,
        "accepted_on_time": 2,  # t1 (11:00, by 12:00), t6 (12:30, by 14:30); t3 accepted by its answer, t4 never
        "response_rate": 0.5,
        "on_time_rate": 0.75,
        "return_requests": 0,
        "return_rate": 0.0,
    }


def test_returns_asked_approved_and_refused_count_against_the_agency(loop, found, settings):  # noqa: F811
    b = found["agency"][loop.cooperating_agency.pk]

    assert pick(b, "received", "due", "handled", "handled_on_time", "return_requests", "returns_approved",
                "returns_refused", "return_rate", "accept_due", "accepted_on_time", "response_rate") == {
        "received": 2,          # t2 (K1's co-operation) and t5 (K4's lead)
        "due": 1,               # t2: the approved return t5 is the next unit's to answer, not B's
        "handled": 1,
        "handled_on_time": 1,
        "return_requests": 2,   # asked twice on K4
        "returns_approved": 1,
        "returns_refused": 1,
        "return_rate": 1.0,     # 2 requests / 2 tasks received
        "accept_due": 1,
        "accepted_on_time": 0,  # t2 accepted at 14:00, due by 12:00
        "response_rate": 0.0,
    }
    # Giving work back costs the return rate's whole weight: B asked back as many tasks as it got.
    settings.ASSESSMENT_MIN_SAMPLE = 1  # the rates as they are, no shrinkage toward the district
    weights = scoring.DEFAULT_INDICATOR_WEIGHTS["agency"]
    means = scoring.pooled_means("agency", found["agency"].values())
    asked, rows = scoring.objective("agency", b, means, weights)
    kept, _rows = scoring.objective("agency", b | {"return_requests": 0, "return_rate": 0.0}, means, weights)
    used = sum(row["weight"] for row in rows)
    assert next(row for row in rows if row["indicator"] == "return_rate")["points"] == 0.0
    assert kept - asked == pytest.approx(100 * weights["return_rate"] / used, abs=0.01)


def test_a_late_case_closed_on_time_by_the_districts_new_task_is_not_closed_on_time(loop, found):  # noqa: F811
    street = found["street"][loop.street.pk]
    department = found["department"][loop.department.pk]

    assert pick(street, "accepted", "closed", "closed_on_time", "on_time_closure_rate") == {
        "accepted": 6, "closed": 3, "closed_on_time": 2, "on_time_closure_rate": 0.3333}  # K1 K2, not K3
    # GA's own task t7 was on time, and A's t4 stays late: GA = A's figures and t7
    assert pick(department, "received", "due", "handled", "handled_on_time", "overdue", "accept_due",
                "accepted_on_time", "response_rate") == {
        "received": 5, "due": 5, "handled": 4, "handled_on_time": 4, "overdue": 1, "accept_due": 5,
        "accepted_on_time": 3, "response_rate": 0.6}


def test_the_streets_resolution_and_satisfaction_read_only_the_reporters_ratings(loop, found):  # noqa: F811
    street = found["street"][loop.street.pk]

    assert pick(street, "resolved", "satisfied", "basically_satisfied", "dissatisfied", "resolution_rate",
                "satisfaction_rate") == {
        "resolved": 2,          # K1, K3 (unrated); K2's reporter is dissatisfied
        "satisfied": 1, "basically_satisfied": 0,
        "dissatisfied": 1,      # K2: the street's call-back heard "satisfied", which is not the reporter's word
        "resolution_rate": 0.3333,
        "satisfaction_rate": 0.5,
    }
    rated = case_satisfaction(*H1)
    assert rated["street"][loop.street.pk] == (1, 0, 1)
    assert rated["agency"][loop.agency.pk] == (1, 0, 1)  # K1 and K2 were A's
    assert Case.objects.get(pk=loop.cases["K2"].pk).callback_satisfaction == "satisfied"


def test_check_ins_count_in_the_agencys_indicators(loop):  # noqa: F811
    k7 = loop.cases["K7"]  # still open: the street whistles for A and B on it
    summons = whistle.summons_create(case=k7, actor=loop.staff, units=[loop.agency.code, loop.cooperating_agency.code],
                                     minutes=30, note="请到场", now=k7.created_at)
    for head, minutes in ((loop.head_a, 20), (loop.head_b, 45)):
        whistle.summons_check_in(summons=summons, actor=head, lat=k7.lat, lng=k7.lng,
                                 now=k7.created_at + dt.timedelta(minutes=minutes))

    with_check_ins = compute(*H1)

    check_ins = ("summoned", "check_ins_on_time", "check_ins_late", "check_ins_missing", "check_in_rate")
    assert pick(with_check_ins["agency"][loop.agency.pk], *check_ins) == {
        "summoned": 1, "check_ins_on_time": 1, "check_ins_late": 0, "check_ins_missing": 0, "check_in_rate": 1.0}
    assert pick(with_check_ins["agency"][loop.cooperating_agency.pk], *check_ins) == {
        "summoned": 1, "check_ins_on_time": 0, "check_ins_late": 1, "check_ins_missing": 0, "check_in_rate": 0.0}
    assert with_check_ins["department"][loop.department.pk]["check_in_rate"] == 1.0  # A's (B's is CG's)
