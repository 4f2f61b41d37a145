"""seed_scale: generated history that agrees with itself, the same for the same seed, resumable."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bench import scale
from bench.models import ScaleRun
from dispatch.models import Case, CaseEvent, CaseStatus, Task, TaskRole, TaskStatus, Tier
from dispatch.workflow import Action
from haidian.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

UNTIL = dt.date(2026, 10, 12)  # the history ends on a Monday, after the National Day holiday
DAYS, PER_DAY = 3, 200


def seed_scale(**options):
    call_command("seed_scale", days=DAYS, per_day=PER_DAY, until=UNTIL, no_progress=True, stdout=None,
                 **options)


def db_history() -> dict[str, tuple]:
    """Every generated case as (status, tier, rework, overdue, satisfaction, events, tasks), by number."""
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("at", "id").values_list("case__number", "action", "at", "from_status",
                                                                     "to_status", "actor_unit", "note"):
        events[event[0]].append(event[1:])
    tasks = defaultdict(list)
    for task in Task.objects.order_by("id").values_list("case__number", "agency__code", "department__code", "role",
                                                         "status", "due_at"):
        tasks[task[0]].append((task[1] or task[2], *task[3:]))
    return {
        number: (status, tier, rework, overdue, satisfaction, events[number], tasks[number])
        for number, status, tier, rework, overdue, satisfaction in Case.objects.values_list(
            "number", "status", "tier", "rework_count", "overdue", "satisfaction")
    }


def memory_history(cases: list[scale.GenCase]) -> dict[str, tuple]:
    """The same view of generated cases before they were written."""
    history = {}
    for case in cases:
        events = sorted(((e.action, e.at, e.from_status, e.to_status, e.unit, e.note) for e in case.events),
                        key=lambda e: e[1])
        tasks = [(t.unit.code, t.role, t.status, t.due_at) for t in case.tasks]
        history[case.number] = (case.status, case.tier, case.rework_count, case.overdue, case.satisfaction,
                                events, tasks)
    return history


def test_small_history_is_consistent():
    seed_scale()

    cases = list(Case.objects.all())
    assert len(cases) == DAYS * PER_DAY
    assert len({case.number for case in cases}) == len(cases)
    assert all(case.external_id == f"{scale.GENERATED_PREFIX}{case.number}" for case in cases)
    history = db_history()
    statuses = Counter(case.status for case in cases)
    assert set(statuses) == set(CaseStatus.values), statuses  # every step is represented
    oldest, newest = (UNTIL - dt.timedelta(days=DAYS)), (UNTIL - dt.timedelta(days=1))
    closed = Counter(case.created_at.astimezone(SHANGHAI).date() for case in cases
                     if case.status in CaseStatus.terminal_values())
    assert closed[oldest] > closed[newest]  # older reports are more often done
    tasks_by_case = defaultdict(list)
    for task in Task.objects.all():
        tasks_by_case[task.case_id].append(task)

    for case in cases:
        status, tier, _rework, _overdue, satisfaction, events, _tasks = history[case.number]
        actions = [event[0] for event in events]
        # The log replays to the case's status: each event starts where the previous one ended.
        assert actions[0] == Action.CREATE and events[0][3] == CaseStatus.REPORTED
        for before, after in zip(events, events[1:], strict=False):
            assert after[2] == before[3], (case.number, actions)
        assert events[-1][3] == case.status, (case.number, actions)
        assert case.updated_at == events[-1][1]
        if case.status == CaseStatus.CLOSED:
            # Closed by verification, or on the spot by the grid worker (the micro-cycle).
            assert Action.VERIFY_PASSED in actions or (
                tier == Tier.GRID and actions[-1] == Action.RESOLVE_ON_SITE), actions
            assert case.closed_at is not None
        if case.status == CaseStatus.REJECTED:
            assert Action.REJECT in actions and case.rejected_at is not None
        if tier == Tier.DISTRICT:
            assert Action.ESCALATE in actions and case.escalated_at is not None
        if satisfaction:
            assert actions[-1] == Action.RATE and case.status == CaseStatus.CLOSED
        assert case.rework_count == actions.count(Action.VERIFY_FAILED)

        tasks = tasks_by_case[case.id]
        live_leads = [t for t in tasks if t.role == TaskRole.LEAD and t.status in TaskStatus.active_values()]
        if case.status in (CaseStatus.DISPATCHED, CaseStatus.RESPONDED):
            assert len(live_leads) == 1, (case.number, actions)
            expected = TaskStatus.RESPONDED if case.status == CaseStatus.RESPONDED else None
            assert expected is None or live_leads[0].status == expected
        if case.status in (CaseStatus.CLOSED, CaseStatus.REPORTED, CaseStatus.REJECTED):
            assert not [t for t in tasks if t.status in (TaskStatus.PENDING, TaskStatus.ACCEPTED)]
        assert len(tasks) == sum(
            1 + len(e.data["cooperating"]) for e in case.events.all() if e.action == Action.DISPATCH)

    # Each task's status is the last one its own events recorded (or it was cancelled with the case).
    for event in CaseEvent.objects.filter(task__isnull=False).select_related("task").order_by("at", "id"):
        assert event.data["task"] == event.task_id
    last_seen = {}
    for event in CaseEvent.objects.filter(data__has_key="task").order_by("at", "id"):
        # A failed verification reopens the lead task for rework: a case event naming the task.
        reopened = event.action == Action.VERIFY_FAILED
        last_seen[event.data["task"]] = TaskStatus.ACCEPTED if reopened else event.data["task_status"]
    for task in Task.objects.all():
        assert task.status in (last_seen.get(task.id, TaskStatus.PENDING), TaskStatus.CANCELLED), task.pk

    # The plausible mix the benchmarks need: rework, returns, escalations, extensions, overdue, ratings.
    events = Counter(CaseEvent.objects.values_list("action", flat=True))
    for action in (Action.VERIFY_FAILED, Action.RETURN, Action.ESCALATE, Action.APPROVE_EXTENSION,
                   Action.RESOLVE_ON_SITE, Action.RATE):
        assert events[action] > 0, action
    assert Case.objects.filter(overdue=True).exists()
    assert Case.objects.filter(duplicate_of__isnull=False).exists()
    run = ScaleRun.objects.get()
    assert run.complete and run.cases == DAYS * PER_DAY and run.events == sum(events.values())


def test_same_seed_same_history():
    world = scale.World.load(2013)
    end = dt.datetime.combine(UNTIL, dt.time.min, tzinfo=SHANGHAI)
    day = UNTIL - dt.timedelta(days=2)

    first = memory_history(scale.generate_day(world, seed=7, day=day, count=PER_DAY, end=end))
    again = memory_history(scale.generate_day(scale.World.load(2013), seed=7, day=day, count=PER_DAY, end=end))
    other = memory_history(scale.generate_day(world, seed=8, day=day, count=PER_DAY, end=end))

    assert first == again
    assert first != other


def test_resumes_where_it_stopped_with_the_same_data():
    seed_scale(seed=11, max_days=1)
    run = ScaleRun.objects.get()
    assert (run.days_done, run.finished_at) == (1, None)
    assert Case.objects.count() == PER_DAY

    seed_scale(seed=11)
    seed_scale(seed=11)  # a finished load is not written twice

    assert Case.objects.count() == DAYS * PER_DAY
    world = scale.World.load(11)
    end = dt.datetime.combine(UNTIL, dt.time.min, tzinfo=SHANGHAI)
    expected = {}
    for offset in range(DAYS, 0, -1):
        day = UNTIL - dt.timedelta(days=offset)
        expected |= memory_history(scale.generate_day(world, seed=11, day=day, count=PER_DAY, end=end))
    assert db_history() == expected


def test_numbers_continue_after_cases_already_reported_that_day(make_case):
    day = UNTIL - dt.timedelta(days=1)
    make_case(now=dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI))  # takes number 1 of the day

    seed_scale(force=True)

    numbers = Case.objects.filter(created_at__date=day, external_id__startswith="GEN-").values_list("number",
                                                                                                      flat=True)
    assert min(numbers) == f"HD{day:%Y%m%d}000002"


def test_refuses_a_database_with_real_cases(make_case):
    make_case()

    with pytest.raises(CommandError, match="real cases"):
        seed_scale()

    assert not Case.objects.filter(external_id__startswith="GEN-").exists()
