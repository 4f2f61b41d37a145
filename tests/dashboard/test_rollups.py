"""The roll-ups the database keeps (triggers) agree with a direct count after every kind of
transition, including rework, escalation, returns, extensions, the sweep's overdue flag, ratings
and rejection; and their figures are the assessment's for the same window."""

import datetime as dt

import pytest
from django.db import transaction

from assessment.indicators import compute
from dashboard import rollups
from dispatch import services, sweep
from tests.dispatch.conftest import lead_task, shanghai

pytestmark = pytest.mark.django_db
MONDAY = shanghai(2026, 3, 2, 10, 0)


def agree() -> None:
    assert rollups.stored() == rollups.computed()


def test_the_rollups_follow_every_transition(make_case, workflow, street_staff, agency_head, cooperating_head,
                                             grid_worker, district_command, department):
    at = MONDAY
    case = make_case(now=at)
    agree()
    case = workflow.file(case, now=at)
    agree()
    case = workflow.dispatch(case, now=at)
    agree()
    services.task_accept(task=lead_task(case), actor=agency_head, now=at)
    services.task_request_extension(task=lead_task(case), actor=agency_head, until=at + dt.timedelta(days=9),
                                    reason="需协调", now=at)
    services.task_approve_extension(task=lead_task(case), actor=street_staff, now=at)
    agree()
    services.task_respond(task=lead_task(case), actor=agency_head, result="已处理", now=at + dt.timedelta(days=1))
    agree()
    services.case_verify(case=case, actor=grid_worker, passed=False, note="未解决", now=at + dt.timedelta(days=1))
    agree()  # rework
    services.task_respond(task=lead_task(case), actor=agency_head, result="已彻底处理", now=at + dt.timedelta(days=2))
    services.case_verify(case=case, actor=grid_worker, passed=True, now=at + dt.timedelta(days=2))
    agree()  # closed after rework; the co-operating task cancelled
    services.case_rate(case=case, actor=street_staff, satisfaction="basically_satisfied", now=at + dt.timedelta(days=3))
    agree()

    late = workflow.dispatch(make_case(now=at), cooperating=False, now=at)
    sweep.sweep_deadlines(now=shanghai(2026, 3, 5, 12, 0))  # overdue flag
    agree()
    sweep.sweep_deadlines(now=shanghai(2026, 3, 6, 12, 0))  # escalation: the overdue lead task cancelled
    late.refresh_from_db()
    assert late.tier == "district"
    agree()
    services.case_dispatch(case=late, actor=district_command, lead=department.code, now=shanghai(2026, 3, 6, 14))
    agree()

    returned = workflow.dispatch(make_case(now=at), cooperating=False, now=at)
    services.task_return(task=lead_task(returned), actor=agency_head, reason="不属本单位", now=at)
    agree()
    services.case_reject(case=make_case(now=at), actor=street_staff, reason="重复", duplicate_of=returned, now=at)
    services.case_resolve_on_site(case=make_case(now=at), actor=grid_worker, note="已当场处理", now=at)
    agree()


def test_a_rolled_back_transition_leaves_the_rollups_as_they_were(make_case, workflow):
    case = workflow.file(make_case(now=MONDAY), now=MONDAY)
    before = rollups.stored()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.dispatch(case, now=MONDAY)
        raise RuntimeError
    assert rollups.stored() == before


def test_rebuild_gives_the_same_rows_as_the_triggers(make_case, workflow):
    workflow.close(make_case(now=MONDAY), now=MONDAY)
    workflow.dispatch(make_case(now=MONDAY), now=MONDAY)
    kept = rollups.stored()

    rollups.rebuild()

    assert rollups.stored() == kept


@pytest.mark.sweep  # on SQLite too: the summary rebuilds the roll-ups there
def test_the_summary_gives_the_assessments_figures_for_the_same_window(make_case, workflow, street, agency,
                                                                       street_staff, agency_head):
    at = MONDAY
    workflow.close(make_case(now=at), now=at)                                  # closed on time
    late = workflow.dispatch(make_case(now=at), cooperating=False, now=at)
    sweep.sweep_deadlines(now=shanghai(2026, 3, 5, 12, 0))
    services.task_respond(task=lead_task(late), actor=agency_head, result="晚了", now=shanghai(2026, 3, 5, 13))
    workflow.file(make_case(now=at), now=at)

    mine = rollups.summary(street_id=street.pk, since=dt.date(2026, 1, 1), until=dt.date(2026, 7, 1))
    theirs = compute(shanghai(2026, 1, 1), shanghai(2026, 7, 1))
    agency_figures, street_figures = theirs["agency"][agency.pk], theirs["street"][street.pk]

    assert mine["closure_rate"] == street_figures["closure_rate"] == 0.3333  # 1 of 3 accepted
    assert mine["reported"] == street_figures["volume"] == 3
    assert mine["open"] == 2 and mine["overdue"] == 1
    agencies = rollups.rankings(street_id=street.pk, since=dt.date(2026, 1, 1), until=dt.date(2026, 7, 1))
    police = next(row for row in agencies["agencies"] if row["name"] == agency.name)
    assert police["rate"] == agency_figures["on_time_rate"] == 0.5  # one on time, one late
