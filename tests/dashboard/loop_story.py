"""A week of the home street under issue 15's rules ("the loop that bites"), computed by hand and built
once per module through `dispatch.services` with explicit times; tests/dashboard/test_three_rates.py
and tests/assessment/test_loop_indicators.py both read it.

The cast: the home street's staff (S), its grid worker (GW), the police station (A, of department GA),
the urban-management squad (B), the district command center and GA's administrator. Asia/Shanghai;
working hours 08:30–12:00 and 13:00–17:30; the category allows 3 working days to answer and 2 working
hours to accept (签收), so a task dispatched on Monday 03-02 10:00 must be accepted by 12:00 and
answered by Thursday 03-05 10:00. Every case is reported by GW at 09:00 on Monday 03-02 with a
reporter's phone on file, so a closed case has a rating link for its reporter.

    K1  filed 09:30; lead A + coop B 10:00. A accepts 11:00 (on time), B 14:00 (late). A answers
        14:00, B 15:00; S verifies 16:00; the reporter rates "satisfied"
    K2  filed; lead A 10:00. Nobody accepts; A answers 15:00 (so accepted late); S verifies 16:00;
        the reporter rates "dissatisfied"; the street's call-back hears "satisfied" (a call-back:
        not the public's rating)
    K3  filed; lead A 10:00, never accepted nor answered. The sweep of Thu 03-05 12:00 cards it red
        (K3 overdue, ever overdue); the sweep of Fri 03-06 12:00 sends it to the district (A's task
        cancelled). The command center dispatches it to GA at 14:00 (due Wed 03-11 14:00, accept by
        16:00); GA accepts 15:00, answers Mon 03-09 10:00 — on time —, GW verifies 11:00. Closed,
        unrated, and NOT closed on time: it was late once.
    K4  filed; lead B 10:00. B asks to return it 10:30, S refuses 10:45 (back to pending); B asks
        again 11:00, S approves 11:15 (B's task returned, K4 filed again). Lead A 11:30 (accept by
        14:30); A accepts 12:30, answers Tue 03-03 10:00. Open (responded), returned twice.
    K5  filed 09:30 as critical: its alarm rings
    K6  filed 09:30 as critical; the command center acknowledges the alarm at 17:00
    K7  reported, never filed

Tasks (all given on 03-02 but GA's, given 03-06):
    t1 K1 lead A    due, accepted on time, answered on time
    t2 K1 coop B    due, accepted late, answered on time
    t3 K2 lead A    due, accepted late (by its answer), answered on time
    t4 K3 lead A    due (ever overdue, escalated away), not accepted, never answered, overdue
    t5 K4 lead B    returned after 2 requests (1 refused, 1 approved): not due
    t6 K4 lead A    due, accepted on time, answered on time
    t7 K3 lead GA   due, accepted on time, answered on time

So, for the street (and the district) over March 2026:
    tasks received 7, due 6, accept due 6, accepted on time 3 (t1 t6 t7)   响应率 3/6 = 0.5
    cases accepted 6 (all but K7), closed 3 (K1 K2 K3), closed on time 2 (not K3),
          resolved 2 (K1, K3: K2's reporter is dissatisfied)                解决率 2/6 = 0.3333
    rated by their reporters 2 (K1 satisfied, K2 dissatisfied)             满意率 1/2 = 0.5
    return requests 2, approved 1, refused 1 (all B's)
    open 4 (K4 K5 K6 K7), alarms 1 (K5), returned twice or more 1 (K4)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction

from agencies.models import Agency, Department, Street
from assessment import satisfaction
from assessment.models import RatingInvitation
from dispatch import services, sweep
from dispatch.models import Case, Category, Source, Task, TaskRole, TaskStatus
from grids.models import GridCell
from haidian.permissions import Role
from tests.conftest import HOME_STREET, make_user
from tests.dispatch.conftest import CATEGORY_CODE, REPORTER_PHONE, WORK_AREA_CODE, shanghai

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))  # the dashboard's window, days
H1 = (shanghai(2026, 1, 1), shanghai(2026, 7, 1))  # the assessment's half


@dataclass
class Loop:
    street: Street
    agency: Agency  # A
    cooperating_agency: Agency  # B
    department: Department  # GA, A's department
    staff: object
    command: object
    head_a: object = None
    head_b: object = None
    cases: dict[str, Case] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)  # each transition, in order
    problems: list[tuple[str, object]] = field(default_factory=list)  # (step, what `check` found wrong)


class _Builder:
    def __init__(self, loop: Loop, *, grid_worker, head_a, head_b, department_admin, grid, category,
                 check: Callable[[str], object]):
        self.loop, self.grid_worker, self.head_a, self.head_b = loop, grid_worker, head_a, head_b
        loop.head_a, loop.head_b = head_a, head_b
        self.department_admin, self.grid, self.category, self.check = department_admin, grid, category, check

    def step(self, name: str) -> None:
        self.loop.steps.append(name)
        problem = self.check(name)
        if problem:
            self.loop.problems.append((name, problem))

    def case(self, name: str) -> Case:
        return Case.objects.get(pk=self.loop.cases[name].pk)

    def task(self, name: str, unit: Agency | Department) -> Task:
        unit_field = "department" if isinstance(unit, Department) else "agency"
        return Task.objects.get(case=self.loop.cases[name], status__in=TaskStatus.active_values(),
                                **{unit_field: unit})

    def head(self, agency: Agency):
        return self.head_a if agency == self.loop.agency else self.head_b

    def build(self) -> Loop:
        loop, d = self.loop, shanghai
        a, b, staff, command = loop.agency, loop.cooperating_agency, loop.staff, loop.command

        for name in ("K1", "K2", "K3", "K4", "K5", "K6", "K7"):
            loop.cases[name] = services.case_create(
                actor=self.grid_worker, title=name, lat=self.grid.centroid_lat, lng=self.grid.centroid_lng,
                source=Source.GRID_PATROL, reporter_phone=REPORTER_PHONE, now=d(2026, 3, 2, 9))
        self.step("report")
        for name, priority in (("K1", "normal"), ("K2", "normal"), ("K3", "normal"), ("K4", "normal"),
                               ("K5", "critical"), ("K6", "critical")):
            services.case_file(case=self.case(name), actor=staff, category=self.category, priority=priority,
                               now=d(2026, 3, 2, 9, 30))
        self.step("file")
        services.case_dispatch(case=self.case("K1"), actor=staff, lead=a.code, cooperating=[b.code],
                               now=d(2026, 3, 2, 10))
        for name, lead in (("K2", a), ("K3", a), ("K4", b)):
            services.case_dispatch(case=self.case(name), actor=staff, lead=lead.code, now=d(2026, 3, 2, 10))
        self.step("dispatch")

        services.task_return(task=self.task("K4", b), actor=self.head_b, reason="不属本单位职责",
                             now=d(2026, 3, 2, 10, 30))
        self.step("return requested")
        services.task_refuse_return(task=self.task("K4", b), actor=staff, reason="属于本单位职责，请处理",
                                    now=d(2026, 3, 2, 10, 45))
        self.step("return refused")
        services.task_accept(task=self.task("K1", a), actor=self.head_a, now=d(2026, 3, 2, 11))
        self.step("accept on time")
        services.task_return(task=self.task("K4", b), actor=self.head_b, reason="确属派出所职责",
                             now=d(2026, 3, 2, 11))
        services.task_approve_return(task=self.task("K4", b), actor=staff, note="改派派出所",
                                     now=d(2026, 3, 2, 11, 15))
        self.step("return approved")
        services.case_dispatch(case=self.case("K4"), actor=staff, lead=a.code, now=d(2026, 3, 2, 11, 30))
        services.task_accept(task=self.task("K4", a), actor=self.head_a, now=d(2026, 3, 2, 12, 30))
        services.task_accept(task=self.task("K1", b), actor=self.head_b, now=d(2026, 3, 2, 14))
        self.step("accept late")

        services.task_respond(task=self.task("K1", a), actor=self.head_a, result="已清理", now=d(2026, 3, 2, 14))
        services.task_respond(task=self.task("K1", b), actor=self.head_b, result="已配合", now=d(2026, 3, 2, 15))
        services.task_respond(task=self.task("K2", a), actor=self.head_a, result="已清理", now=d(2026, 3, 2, 15))
        self.step("respond")
        for name in ("K1", "K2"):
            services.case_verify(case=self.case(name), actor=staff, passed=True, now=d(2026, 3, 2, 16))
        self.step("verify")
        for name, answer in (("K1", "satisfied"), ("K2", "dissatisfied")):
            satisfaction.invitation_rate(invitation=RatingInvitation.objects.get(case=loop.cases[name]),
                                         satisfaction=answer, now=d(2026, 3, 2, 16, 30))
        self.step("rate")
        services.case_rate(case=self.case("K2"), actor=staff, satisfaction="satisfied", comment="回访：满意",
                           now=d(2026, 3, 2, 17))
        self.step("call back")
        services.case_acknowledge_alarm(case=self.case("K6"), actor=command, now=d(2026, 3, 2, 17))
        self.step("acknowledge alarm")
        services.task_respond(task=self.task("K4", a), actor=self.head_a, result="已处理", now=d(2026, 3, 3, 10))
        self.step("respond after the returns")

        sweep.sweep_deadlines(now=d(2026, 3, 5, 12))
        self.step("red card")
        sweep.sweep_deadlines(now=d(2026, 3, 6, 12))
        self.step("escalation")
        services.case_dispatch(case=self.case("K3"), actor=command, lead=loop.department.code,
                               now=d(2026, 3, 6, 14))
        self.step("district dispatch")
        ga = Task.objects.get(case=loop.cases["K3"], role=TaskRole.LEAD, department=loop.department)
        services.task_accept(task=ga, actor=self.department_admin, now=d(2026, 3, 6, 15))
        services.task_respond(task=ga, actor=self.department_admin, result="已处理", now=d(2026, 3, 9, 10))
        self.step("district respond")
        services.case_verify(case=self.case("K3"), actor=self.grid_worker, passed=True, now=d(2026, 3, 9, 11))
        self.step("district verify")
        return loop


def build_loop(django_db_blocker, check: Callable[[str], object] = lambda step: None):
    """The week above, inside a transaction that is rolled back after the module (a generator for a
    module-scoped fixture). `check(step)` runs after every transition; what it returns, if anything,
    is kept in `Loop.problems`."""
    with django_db_blocker.unblock(), transaction.atomic():
        street = Street.objects.get(code=HOME_STREET)
        grid = GridCell.objects.filter(community__street=street).order_by("code").first()
        agency = Agency.objects.get(code=f"{HOME_STREET}-pcs")
        cooperating = Agency.objects.get(code=f"{HOME_STREET}-cgfd")
        work_area, _created = Category.objects.get_or_create(code=WORK_AREA_CODE,
                                                             defaults={"name": "协调城市运行（测试）"})
        category, _created = Category.objects.get_or_create(
            code=CATEGORY_CODE, defaults={"parent": work_area, "name": "占道经营（测试）", "time_limit": 3,
                                          "time_limit_unit": "working_days"})
        assert category.accept_limit_hours == 2  # the default 签收 time the story counts with
        loop = Loop(street=street, agency=agency, cooperating_agency=cooperating, department=agency.department,
                    staff=make_user("loop-street-staff", Role.STREET_STAFF, [street]),
                    command=make_user("loop-command", Role.DISTRICT_COMMAND, [street.district]))
        builder = _Builder(
            loop, grid=grid, category=category, check=check,
            grid_worker=make_user("loop-grid-worker", Role.GRID_WORKER, [grid]),
            head_a=make_user("loop-head-a", Role.AGENCY_HEAD, [agency]),
            head_b=make_user("loop-head-b", Role.AGENCY_HEAD, [cooperating]),
            department_admin=make_user("loop-department-admin", Role.DEPARTMENT_ADMIN, [agency.department]),
        )
        yield builder.build()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def loop(django_db_setup, django_db_blocker) -> Loop:
    yield from build_loop(django_db_blocker)
