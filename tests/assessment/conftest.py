"""A small half-year (2026H1) of the home street, built once per module through the real services with
explicit times, never `objects.create`: every case has its tasks, events, letters and patrols as
production would write them.

The cast: the home street's staff (S), its grid worker (GW) of the home grid, the police station
(A, department 公安分局 GA) and the urban-management squad (B, department 城管 CG) serving the street,
the district command center and GA's administrator. All times are Asia/Shanghai; the category has a
3-working-day limit, so a task dispatched on a Monday at 10:00 is due on the Thursday at 10:00
(March–June 2026 below avoid the holidays wherever a due time matters).

    case  reported              what happens                                                   (task of A / B)
    C1    03-02 09:00 GW        lead A + coop B at 10:00 (due 03-05 10:00); A responds 03-03    A on time,
                                10:00, B 03-03 11:00; GW verifies 03-03 15:00; rated satisfied; B on time
                                the street's call-back hears "dissatisfied" (does not count)
    C2    03-09 09:00 GW        lead A + coop B at 10:00 (due 03-12 10:00); the sweep at 03-12  A late, B late
                                11:00 marks it overdue; A responds 03-16 10:00, B 03-17 11:00;
                                GW verifies 03-18 10:00; rated dissatisfied
    C3    03-23 09:00 GW        lead A at 10:00 (due 03-26 10:00); never answered               A open past due
    C4    03-30 09:00 GW        lead A at 10:00 (due 04-02 10:00), extension to 04-10 10:00     A extended,
                                approved 03-31; A responds 04-08 10:00; S verifies 04-08 11:00;  on time
                                not rated; the street's call-back hears "satisfied" (does not count)
    C5    04-13 09:00 GW        lead A at 10:00; A responds 04-14 10:00; GW fails it 04-14      A reworked,
                                12:00 (new due 04-17 12:00); A responds 04-15 10:00; GW passes   on time
                                it 04-16 11:00; rated basically satisfied
    C6    04-20 09:00 GW        lead B + coop A at 10:00; B asks to return it 11:00, S approves  B returned,
                                11:10 (A's coop task is cancelled); lead A at 14:00; A responds A coop cancelled,
                                04-21 10:00; S verifies 04-21 11:00; rated satisfied             A on time
    C7    2025-12-29 09:00 GW   lead A at 10:00 (task before the half); A responds 2025-12-31    outside the half
                                16:00; GW verifies 2026-01-01 10:00 (18 h later, in the half);
                                rated dissatisfied
    C8    06-29 09:00 GW        lead A at 10:00, due 07-02 10:00 (after the half); not answered A open, not late
    C9    04-27 09:00 GW        rejected (not a case)
    C10   05-06 09:00 GW        rejected as a duplicate of C3
    C11   05-11 09:00 GW        resolved on site 09:30; rated satisfied
    C12   05-18 09:00 resident  lead A at 10:00; A responds 05-19 10:00; S verifies 11:00;      A on time
                                rated satisfied
    C13   05-25 09:00 12345     filed, not dispatched
    C14   06-01 09:00 S         in another community of the street (grid 2); filed
    C15   06-08 09:00 GW        filed, escalated; the district dispatches it to department GA at D(GA) on time
                                14:00 (due 06-11 14:00); GA responds 06-09 10:00; GW verifies
                                06-10 09:00
    C16   06-30 16:00 GW        still reported at the end of the half
    C17   07-01 00:00 GW        the first moment after the half

    letters  L1 to A 05-20, deadline 05-27, answered 05-26 (on time); L2 to A 06-01, deadline 06-05,
             answered 06-08 (late); L3 to A 06-15, deadline 06-22, unanswered; L4 to A 2025-12-30
             (outside); L5 to B 04-22, deadline 04-29, answered 04-28 (on time)
    patrols  GW: 2025-12-31 23:00–01-01 00:30 (started before the half); 03-02 08:00–08:45;
             06-30 08:00–10:00; 06-30 22:00 never ended

"Rated" is the reporter's own rating, through the case's rating link (every case here has a
reporter's phone on file, so each closed case has one); the street's call-backs (回访) are kept apart
and never count as the public's satisfaction. No task is accepted before it is answered: each answer
accepts its task, late (the response rate, 响应率).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import transaction

from agencies.models import Agency, Department, Street
from assessment import satisfaction
from assessment.models import RatingInvitation
from dispatch import services, sweep
from dispatch.letters import services as letters
from dispatch.models import Case, Category, Source, Task, TaskRole, TaskStatus
from grids import services as grid_services
from grids.models import Community, GridCell
from haidian.permissions import Role
from haidian.workflow import PUBLIC, SYSTEM
from tests.conftest import HOME_STREET, OTHER_STREET, make_user
from tests.dispatch.conftest import (  # noqa: F401  the case workflow's fixtures, for these tests too
    CATEGORY_CODE,
    REPORTER_PHONE,
    WORK_AREA_CODE,
    category,
    cooperating_agency,
    dispatched_case,
    make_case,
    reported_case,
    shanghai,
    work_area,
    workflow,
)

H1_START = shanghai(2026, 1, 1)
H1_END = shanghai(2026, 7, 1)


@dataclass
class Half:
    street: Street
    other_street: Street
    community: Community  # the home grid's
    community_2: Community  # grid 2's, in the same street
    agency: Agency  # A: the home street's police station
    cooperating_agency: Agency  # B: its urban-management squad
    department: Department  # GA, A's department
    cooperating_department: Department  # CG, B's department
    grid_worker: object
    idle_grid_worker: object  # holds a grid of another street and did nothing
    cases: dict[str, Case] = field(default_factory=dict)


class _Builder:
    def __init__(self, half: Half, *, staff, head_a, head_b, command, department_admin, grid, grid_2, leaf):
        self.half, self.staff, self.head_a, self.head_b = half, staff, head_a, head_b
        self.command, self.department_admin = command, department_admin
        self.grid, self.grid_2, self.category = grid, grid_2, leaf

    def report(self, name: str, at: dt.datetime, *, actor="worker", where=None, source=Source.GRID_PATROL,
               **fields) -> Case:
        where = where or self.grid
        actor = self.half.grid_worker if actor == "worker" else actor
        case = services.case_create(actor=actor, title=name, lat=where.centroid_lat, lng=where.centroid_lng,
                                    source=source, reporter_phone=REPORTER_PHONE, now=at, **fields)
        self.half.cases[name] = case
        return case

    def file(self, case: Case, at: dt.datetime) -> Case:
        return services.case_file(case=case, actor=self.staff, category=self.category, now=at)

    def dispatch(self, case: Case, at: dt.datetime, lead: Agency, cooperating: Agency | None = None) -> Case:
        return services.case_dispatch(case=case, actor=self.staff, lead=lead.code,
                                      cooperating=[cooperating.code] if cooperating else [], now=at)

    def task(self, case: Case, agency: Agency) -> Task:
        return Task.objects.get(case=case, agency=agency, status__in=TaskStatus.active_values())

    def respond(self, case: Case, agency: Agency, at: dt.datetime) -> None:
        head = self.head_a if agency == self.half.agency else self.head_b
        services.task_respond(task=self.task(case, agency), actor=head, result="已处理", now=at)

    def verify(self, case: Case, at: dt.datetime, *, by=None, passed: bool = True) -> Case:
        return services.case_verify(case=case, actor=by or self.staff, passed=passed, now=at)

    def rate(self, case: Case, answer: str, at: dt.datetime) -> None:
        """The reporter's own rating, through the case's rating link."""
        satisfaction.invitation_rate(invitation=RatingInvitation.objects.get(case=case), satisfaction=answer, now=at)

    def call_back(self, case: Case, answer: str, at: dt.datetime) -> None:
        """回访: what the street's staff heard on the phone (a call-back, not the public's rating)."""
        services.case_rate(case=case, actor=self.staff, satisfaction=answer, now=at)

    def letter(self, agency: Agency, cases: list[Case], issued: dt.datetime, deadline: dt.datetime,
               answered: dt.datetime | None = None) -> None:
        letter = letters.letter_issue(actor=self.staff, agency=agency, cases=cases, requirement="限期处理并书面答复。",
                                      deadline=deadline, now=issued)
        if answered:
            head = self.head_a if agency == self.half.agency else self.head_b
            letters.letter_answer(letter=letter, actor=head, answer="已处理。", now=answered)

    def patrol(self, started: dt.datetime, ended: dt.datetime | None) -> None:
        grid_services.patrol_start(worker=self.half.grid_worker, grid=self.grid, now=started)
        if ended:
            grid_services.patrol_end(worker=self.half.grid_worker, notes="巡查正常", now=ended)

    def build(self) -> Half:
        a, b, gw = self.half.agency, self.half.cooperating_agency, self.half.grid_worker
        d = shanghai

        c7 = self.report("C7", d(2025, 12, 29, 9))
        self.file(c7, d(2025, 12, 29, 9, 30))
        self.dispatch(c7, d(2025, 12, 29, 10), a)
        self.letter(a, [c7], d(2025, 12, 30, 10), d(2026, 1, 6, 10), answered=d(2026, 1, 5, 9))
        self.respond(c7, a, d(2025, 12, 31, 16))
        self.verify(c7, d(2026, 1, 1, 10), by=gw)
        self.rate(c7, "dissatisfied", d(2026, 1, 2, 10))
        self.patrol(d(2025, 12, 31, 23), d(2026, 1, 1, 0, 30))

        c1 = self.report("C1", d(2026, 3, 2, 9))
        self.patrol(d(2026, 3, 2, 8), d(2026, 3, 2, 8, 45))
        self.file(c1, d(2026, 3, 2, 9, 30))
        self.dispatch(c1, d(2026, 3, 2, 10), a, b)
        self.respond(c1, a, d(2026, 3, 3, 10))
        self.respond(c1, b, d(2026, 3, 3, 11))
        self.verify(c1, d(2026, 3, 3, 15), by=gw)
        self.rate(c1, "satisfied", d(2026, 3, 4, 10))
        self.call_back(c1, "dissatisfied", d(2026, 3, 4, 15))

        c2 = self.report("C2", d(2026, 3, 9, 9))
        self.file(c2, d(2026, 3, 9, 9, 30))
        self.dispatch(c2, d(2026, 3, 9, 10), a, b)
        sweep.sweep_deadlines(now=d(2026, 3, 12, 11))  # red cards: C2 becomes overdue
        self.respond(c2, a, d(2026, 3, 16, 10))
        self.respond(c2, b, d(2026, 3, 17, 11))  # a co-operating answer does not restart the check clock
        self.verify(c2, d(2026, 3, 18, 10), by=gw)
        self.rate(c2, "dissatisfied", d(2026, 3, 18, 11))

        c3 = self.report("C3", d(2026, 3, 23, 9))
        self.file(c3, d(2026, 3, 23, 9, 30))
        self.dispatch(c3, d(2026, 3, 23, 10), a)

        c4 = self.report("C4", d(2026, 3, 30, 9))
        self.file(c4, d(2026, 3, 30, 9, 30))
        self.dispatch(c4, d(2026, 3, 30, 10), a)
        services.task_request_extension(task=self.task(c4, a), actor=self.head_a, until=d(2026, 4, 10, 10),
                                        reason="需协调产权单位", now=d(2026, 3, 31, 10))
        services.task_approve_extension(task=self.task(c4, a), actor=self.staff, now=d(2026, 3, 31, 11))
        self.respond(c4, a, d(2026, 4, 8, 10))
        self.verify(c4, d(2026, 4, 8, 11))
        self.call_back(c4, "satisfied", d(2026, 4, 9, 10))

        c5 = self.report("C5", d(2026, 4, 13, 9))
        self.file(c5, d(2026, 4, 13, 9, 30))
        self.dispatch(c5, d(2026, 4, 13, 10), a)
        self.respond(c5, a, d(2026, 4, 14, 10))
        self.verify(c5, d(2026, 4, 14, 12), by=gw, passed=False)
        self.respond(c5, a, d(2026, 4, 15, 10))
        self.verify(c5, d(2026, 4, 16, 11), by=gw)
        self.rate(c5, "basically_satisfied", d(2026, 4, 16, 12))

        c6 = self.report("C6", d(2026, 4, 20, 9))
        self.file(c6, d(2026, 4, 20, 9, 30))
        self.dispatch(c6, d(2026, 4, 20, 10), b, a)
        services.task_return(task=self.task(c6, b), actor=self.head_b, reason="不属于本单位职责",
                             now=d(2026, 4, 20, 11))
        services.task_approve_return(task=self.task(c6, b), actor=self.staff, note="改派派出所",
                                     now=d(2026, 4, 20, 11, 10))
        self.dispatch(Case.objects.get(pk=c6.pk), d(2026, 4, 20, 14), a)
        self.letter(b, [c6], d(2026, 4, 22, 10), d(2026, 4, 29, 10), answered=d(2026, 4, 28, 10))
        self.respond(c6, a, d(2026, 4, 21, 10))
        self.verify(c6, d(2026, 4, 21, 11))
        self.rate(c6, "satisfied", d(2026, 4, 21, 12))

        c9 = self.report("C9", d(2026, 4, 27, 9))
        services.case_reject(case=c9, actor=self.staff, reason="不属实", now=d(2026, 4, 27, 10))

        c10 = self.report("C10", d(2026, 5, 6, 9))
        services.case_reject(case=c10, actor=self.staff, reason="重复上报", duplicate_of=c3, now=d(2026, 5, 6, 10))

        c11 = self.report("C11", d(2026, 5, 11, 9))
        services.case_resolve_on_site(case=c11, actor=gw, note="已现场劝离", now=d(2026, 5, 11, 9, 30))
        self.rate(c11, "satisfied", d(2026, 5, 11, 10))

        c12 = self.report("C12", d(2026, 5, 18, 9), actor=PUBLIC, source=Source.RESIDENT)
        self.file(c12, d(2026, 5, 18, 9, 30))
        self.dispatch(c12, d(2026, 5, 18, 10), a)
        self.respond(c12, a, d(2026, 5, 19, 10))
        self.verify(c12, d(2026, 5, 19, 11))
        self.rate(c12, "satisfied", d(2026, 5, 19, 12))

        self.letter(a, [c3], d(2026, 5, 20, 10), d(2026, 5, 27, 10), answered=d(2026, 5, 26, 10))

        c13 = self.report("C13", d(2026, 5, 25, 9), actor=SYSTEM, source=Source.HOTLINE_12345,
                          external_id="12345-2026-0001")
        self.file(c13, d(2026, 5, 25, 9, 30))

        c14 = self.report("C14", d(2026, 6, 1, 9), actor=self.staff, source=Source.STAFF, where=self.grid_2)
        self.file(c14, d(2026, 6, 1, 9, 30))
        self.letter(a, [c3], d(2026, 6, 1, 10), d(2026, 6, 5, 10), answered=d(2026, 6, 8, 10))

        c15 = self.report("C15", d(2026, 6, 8, 9))
        self.file(c15, d(2026, 6, 8, 9, 30))
        services.case_escalate(case=c15, actor=self.staff, reason="涉及多个部门", now=d(2026, 6, 8, 10))
        services.case_dispatch(case=c15, actor=self.command, lead=self.half.department.code, now=d(2026, 6, 8, 14))
        services.task_respond(task=Task.objects.get(case=c15, role=TaskRole.LEAD), actor=self.department_admin,
                              result="已处理", now=d(2026, 6, 9, 10))
        self.verify(c15, d(2026, 6, 10, 9), by=gw)

        self.letter(a, [c3], d(2026, 6, 15, 10), d(2026, 6, 22, 10))

        c8 = self.report("C8", d(2026, 6, 29, 9))
        self.file(c8, d(2026, 6, 29, 9, 30))
        self.dispatch(c8, d(2026, 6, 29, 10), a)

        self.patrol(d(2026, 6, 30, 8), d(2026, 6, 30, 10))
        self.report("C16", d(2026, 6, 30, 16))
        self.patrol(d(2026, 6, 30, 22), None)
        self.report("C17", H1_END)
        return self.half


@pytest.fixture(scope="module")
def half(django_db_setup, django_db_blocker) -> Half:
    """2026H1 of the home street, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        street = Street.objects.get(code=HOME_STREET)
        other_street = Street.objects.get(code=OTHER_STREET)
        grids = GridCell.objects.filter(community__street=street).select_related("community").order_by("code")
        grid = grids[0]
        grid_2 = grids.exclude(community=grid.community)[0]
        agency = Agency.objects.get(code=f"{HOME_STREET}-pcs")
        cooperating = Agency.objects.get(code=f"{HOME_STREET}-cgfd")
        work_area, _created = Category.objects.get_or_create(code=WORK_AREA_CODE,
                                                             defaults={"name": "协调城市运行（测试）"})
        leaf, _created = Category.objects.get_or_create(
            code=CATEGORY_CODE, defaults={"parent": work_area, "name": "占道经营（测试）", "time_limit": 3,
                                          "time_limit_unit": "working_days"})
        other_grid = GridCell.objects.filter(community__street=other_street).order_by("code")[0]
        half = Half(
            street=street, other_street=other_street, community=grid.community, community_2=grid_2.community,
            agency=agency, cooperating_agency=cooperating, department=agency.department,
            cooperating_department=cooperating.department,
            grid_worker=make_user("h1-grid-worker", Role.GRID_WORKER, [grid]),
            idle_grid_worker=make_user("h1-idle-grid-worker", Role.GRID_WORKER, [other_grid]),
        )
        builder = _Builder(
            half, grid=grid, grid_2=grid_2, leaf=leaf,
            staff=make_user("h1-street-staff", Role.STREET_STAFF, [street]),
            head_a=make_user("h1-head-a", Role.AGENCY_HEAD, [agency]),
            head_b=make_user("h1-head-b", Role.AGENCY_HEAD, [cooperating]),
            command=make_user("h1-command", Role.DISTRICT_COMMAND, [street.district]),
            department_admin=make_user("h1-department-admin", Role.DEPARTMENT_ADMIN, [agency.department]),
        )
        yield builder.build()
        transaction.set_rollback(True)
