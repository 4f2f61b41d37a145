"""Scores a district can publish (issue 16): a small district inside the seeded Haidian, built once for
the module through the real services, and rounds played on it — forms in every direction, survey
answers, the computation, publication — with every expected number worked out by hand in the
comments (never by calling the code under test).

The district, 2026H1 (Asia/Shanghai). The category has a 3-working-day limit and 2 working hours to
accept: a task dispatched on a Monday at 10:00 must be accepted by 12:00 and is due on the Thursday
at 10:00.

    street S (the home street): community S1 (grid g1, grid worker G1) and S2 (grid g2, G2); served
        by A (its police station, department 公安分局 GA) and B (its urban-management squad,
        department 城管大队 CG; B's head is the squad's executive deputy)
    street T (another street): community T1 (grid t1, G3); served by D (police, GA) and E (squad, CG;
        E's head is T's deputy)
    S's supervision committee (地区民主管理和监督委员会) with its secretary; two co-managers of S, one
        held centrally, one sunk to g1

Each case is reported by its grid's worker on a Monday at 09:00 (one case per unit in each of the
five weeks from 2 March), filed at 09:30 and dispatched at 10:00 with a lead task only. "On time"
means answered on the Tuesday at 10:00, "late" on the Friday at 10:00 (after Thursday's due time);
"accepted" means accepted at 10:30; a check (核查) passes an hour after the answer unless said
otherwise; then the reporter rates through the rating link (s satisfied, b basically, d dissatisfied).

    A   a1 accepted, answered LATE, checked by G1, d │ a2 a3 a4 accepted, on time, G1, s │ a5 same, b
    B   b1 accepted, on time; S's staff fail it at 11:00; answered again Wednesday 10:00; G2 passes it
        at 11:00 (rework); d │ b2 accepted, on time, G2, s │ b3 accepted, on time, G2 checks 30 h after
        the answer (late check), b │ b4 NOT accepted (the answer accepts it, late), on time, G2, s │
        b5 not accepted, on time, G2, d
    D   d1 … d5 accepted, on time, checked by G3: s s b b d
    E   e1 (week 1) accepted, on time, checked by G3, s — E's only task

So the counts are (every rate over 5 unless said):

    A  due 5, handled 5, on time 4, overdue 1, accepted on time 5, closed 5, reworked 0, returns 0
    B  due 5, handled 5, on time 5, overdue 0, accepted on time 3, closed 5, reworked 1, returns 0
    D  due 5, handled 5, on time 5, overdue 0, accepted on time 5, closed 5, reworked 0, returns 0
    E  due 1, handled 1, on time 1, overdue 0, accepted on time 1, closed 1, reworked 0, returns 0
    S  accepted 10, closed 10, closed on time 9 (not a1), resolved 7 (not a1 b1 b5)
    T  accepted 6, closed 6, closed on time 6, resolved 5 (not d5)
    S1 5 / 5 / 4 / 4    S2 5 / 5 / 5 / 3    T1 6 / 6 / 6 / 5
    G1 reported 5, valid 5, checks 5, on time 5;  G2 5, 5, 5, 4 (b3);  G3 6, 6, 6, 6
    the reporters' ratings (satisfied, basically, dissatisfied): A (3,1,1) B (2,1,2) D (2,2,1) E (1,0,0);
    S (5,2,3) T (3,2,1); S1 (3,1,1) S2 (2,1,2) T1 (3,2,1); G1 (3,1,1) G2 (2,1,2) G3 (3,2,1)

Nothing else happens in the half: no letters, meetings, whistles or inquiries (tests below add a
meeting or inquiries of their own, rolled back with them), so those indicators are left out and the
other weights scaled up. The round's default weights are objective 40, upward 20, downward 15,
satisfaction 20, oversight 5; nobody submits an oversight form in the golden round, so oversight is
left out too: agencies and streets divide by 40 + 20 + 15 + 20 = 95, communities and grid workers
(objective, downward, satisfaction) by 40 + 15 + 20 = 75.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from openpyxl import load_workbook

from agencies.models import Agency, Department, District, Street
from assessment import compute, drilldown, indicators, satisfaction, services
from assessment.models import Evaluation, RatingInvitation, Result, Round, UnitKind
from comanagers import services as comanagers
from comanagers.models import CoManager, Deployment
from committees import services as committees
from dispatch import services as dispatch
from dispatch.models import Case, Category, Source, Task, TaskStatus
from grids.models import Community, GridCell
from haidian.errors import ActionForbidden, InvalidInput
from haidian.permissions import Role
from haidian.privacy import mask_phone
from supervision import services as supervision
from supervision.models import BodyKind, Inquiry, SupervisoryBody
from tests.comanagers.conftest import seeded_post
from tests.conftest import HOME_STREET, OTHER_STREET, make_user
from tests.dispatch.conftest import CATEGORY_CODE, REPORTER_PHONE, WORK_AREA_CODE, shanghai, signed_in

pytestmark = pytest.mark.django_db
K = UnitKind

H1_START, H1_END = shanghai(2026, 1, 1), shanghai(2026, 7, 1)
OPENED_AT = shanghai(2026, 7, 1, 9)
FILLED_AT = shanghai(2026, 7, 2, 9)
MONDAYS = [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16), dt.date(2026, 3, 23),
           dt.date(2026, 3, 30)]


def at(day: dt.date, hour: int, minute: int = 0, *, days: int = 0) -> dt.datetime:
    return shanghai(day.year, day.month, day.day, hour, minute) + dt.timedelta(days=days)


# --- the district ----------------------------------------------------------------------------------

@dataclass
class SmallDistrict:
    """The units of the story, its cases by name (g.cases["a1"]) and its people by key (g.s_staff, g.g1 …)."""

    district: District
    s: Street
    t: Street
    s1: Community
    s2: Community
    t1: Community
    g1_grid: GridCell
    a: Agency
    b: Agency
    d: Agency
    e: Agency
    ga: Department
    cg: Department
    body: SupervisoryBody
    central: CoManager  # held centrally by S
    sunk: CoManager  # sunk to g1, in S1
    people: dict[str, object] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


# Who is who: username, role, unit attribute, and the full name a person kind is shown by.
CAST = [
    ("command", Role.DISTRICT_COMMAND, "district", ""),
    ("surveyor", Role.SURVEY_OPERATOR, "district", ""),
    ("s_staff", Role.STREET_STAFF, "s", ""),
    ("t_staff", Role.STREET_STAFF, "t", ""),
    ("s1_staff", Role.COMMUNITY_STAFF, "s1", ""),
    ("t1_staff", Role.COMMUNITY_STAFF, "t1", ""),
    ("ga_admin", Role.DEPARTMENT_ADMIN, "ga", ""),
    ("cg_admin", Role.DEPARTMENT_ADMIN, "cg", ""),
    ("head_a", Role.AGENCY_HEAD, "a", ""),
    ("head_b", Role.AGENCY_HEAD, "b", "副队长钱铁柱"),  # S's squad deputy
    ("head_d", Role.AGENCY_HEAD, "d", ""),
    ("head_e", Role.AGENCY_HEAD, "e", "副队长孙铜锁"),  # T's squad deputy
]
GRID_WORKER_NAMES = {"g1": "网格员赵金花", "g2": "网格员李银凤", "g3": "网格员周玉兰"}
COMANAGER_NAMES = {"central": ("协管员吴德胜", "13900001111"), "sunk": ("协管员郑福来", "13900002222")}


class _Story:
    def __init__(self, g: SmallDistrict, leaf: Category):
        self.g, self.leaf = g, leaf

    def case(self, name: str, grid: GridCell, worker, lead: Agency, head, staff, week: int, *, accept: bool = True,
             late: bool = False, checker=None, check_hours: int = 1, rework: bool = False, rating: str) -> Case:
        monday = MONDAYS[week - 1]
        case = dispatch.case_create(actor=worker, title=f"占道经营 {name}", lat=grid.centroid_lat,
                                    lng=grid.centroid_lng, source=Source.GRID_PATROL, reporter_phone=REPORTER_PHONE,
                                    now=at(monday, 9))
        dispatch.case_file(case=case, actor=staff, category=self.leaf, now=at(monday, 9, 30))
        dispatch.case_dispatch(case=case, actor=staff, lead=lead.code, now=at(monday, 10))
        if accept:
            dispatch.task_accept(task=self.task(case), actor=head, now=at(monday, 10, 30))
        answered = at(monday, 10, days=4 if late else 1)
        dispatch.task_respond(task=self.task(case), actor=head, result="已处理", now=answered)
        if rework:
            dispatch.case_verify(case=case, actor=staff, passed=False, note="仍有摊点",
                                 now=answered + dt.timedelta(hours=1))
            answered = at(monday, 10, days=2)
            dispatch.task_respond(task=self.task(case), actor=head, result="已彻底清理", now=answered)
        checked = answered + dt.timedelta(hours=check_hours)
        dispatch.case_verify(case=case, actor=checker or worker, passed=True, now=checked)
        satisfaction.invitation_rate(invitation=RatingInvitation.objects.get(case=case), satisfaction=rating,
                                     now=checked + dt.timedelta(hours=1))
        self.g.cases[name] = case
        return case

    @staticmethod
    def task(case: Case) -> Task:
        return Task.objects.get(case=case, status__in=TaskStatus.active_values())

    def build(self) -> SmallDistrict:
        g = self.g
        s, d = "satisfied", "dissatisfied"
        basically = "basically_satisfied"
        grid_2 = GridCell.objects.get(pk=g.people["g2"].memberships.get().grid_id)
        grid_3 = GridCell.objects.get(pk=g.people["g3"].memberships.get().grid_id)
        on_a = {"grid": g.g1_grid, "worker": g.g1, "lead": g.a, "head": g.head_a, "staff": g.s_staff}
        on_b = {"grid": grid_2, "worker": g.g2, "lead": g.b, "head": g.head_b, "staff": g.s_staff}
        on_d = {"grid": grid_3, "worker": g.g3, "lead": g.d, "head": g.head_d, "staff": g.t_staff}
        self.case("a1", **on_a, week=1, late=True, rating=d)
        for week, (name, rating) in enumerate([("a2", s), ("a3", s), ("a4", s), ("a5", basically)], start=2):
            self.case(name, **on_a, week=week, rating=rating)
        self.case("b1", **on_b, week=1, rework=True, rating=d)
        self.case("b2", **on_b, week=2, rating=s)
        self.case("b3", **on_b, week=3, check_hours=30, rating=basically)
        self.case("b4", **on_b, week=4, accept=False, rating=s)
        self.case("b5", **on_b, week=5, accept=False, rating=d)
        for week, rating in enumerate([s, s, basically, basically, d], start=1):
            self.case(f"d{week}", **on_d, week=week, rating=rating)
        self.case("e1", **{**on_d, "lead": g.e, "head": g.head_e}, week=1, rating=s)
        return g


@pytest.fixture(scope="module")
def small_district(django_db_setup, django_db_blocker) -> SmallDistrict:
    """The small district, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        s, t = Street.objects.get(code=HOME_STREET), Street.objects.get(code=OTHER_STREET)
        grids = GridCell.objects.filter(community__street=s).select_related("community").order_by("code")
        g1_grid = grids[0]
        g2_grid = grids.exclude(community=g1_grid.community)[0]
        t1_grid = GridCell.objects.filter(community__street=t).select_related("community").order_by("code")[0]
        a, b = Agency.objects.get(code=f"{HOME_STREET}-pcs"), Agency.objects.get(code=f"{HOME_STREET}-cgfd")
        d, e = Agency.objects.get(code=f"{OTHER_STREET}-pcs"), Agency.objects.get(code=f"{OTHER_STREET}-cgfd")
        units = {"district": s.district, "s": s, "t": t, "s1": g1_grid.community, "t1": t1_grid.community,
                 "ga": a.department, "cg": b.department, "a": a, "b": b, "d": d, "e": e}
        people = {}
        for key, role, unit, full_name in CAST:
            people[key] = make_user(f"gold-{key.replace('_', '-')}", role, [units[unit]])
            if full_name:
                people[key].first_name = full_name
                people[key].save(update_fields=["first_name"])
        for key, grid in (("g1", g1_grid), ("g2", g2_grid), ("g3", t1_grid)):
            people[key] = make_user(f"gold-grid-{key}", Role.GRID_WORKER, [grid])
            people[key].first_name = GRID_WORKER_NAMES[key]
            people[key].save(update_fields=["first_name"])
        people["secretary"] = make_user("gold-secretary")
        body = supervision.body_create(actor=people["s_staff"], street=s, kind=BodyKind.DEMOCRATIC_COMMITTEE,
                                       now=shanghai(2026, 1, 5, 9))
        supervision.member_add(body=body, actor=people["s_staff"], name="王秘书", user=people["secretary"],
                               is_secretary=True, joined_on=dt.date(2026, 1, 5))
        comanagers.quota_set(actor=people["command"], street=s, year=2026, count=2)
        post = seeded_post("public-security")
        central = comanagers.comanager_hire(
            actor=people["s_staff"], street=s, post=post, name=COMANAGER_NAMES["central"][0],
            phone=COMANAGER_NAMES["central"][1], deployment=Deployment.CENTRAL, central_reason="联合调解室调解员",
            hired_at=dt.date(2026, 3, 2))
        sunk = comanagers.comanager_hire(
            actor=people["s_staff"], street=s, post=post, name=COMANAGER_NAMES["sunk"][0],
            phone=COMANAGER_NAMES["sunk"][1], deployment=Deployment.GRIDS, grids=[g1_grid],
            hired_at=dt.date(2026, 3, 2))
        work_area, _created = Category.objects.get_or_create(code=WORK_AREA_CODE,
                                                             defaults={"name": "协调城市运行（测试）"})
        leaf, _created = Category.objects.get_or_create(
            code=CATEGORY_CODE, defaults={"parent": work_area, "name": "占道经营（测试）", "time_limit": 3,
                                          "time_limit_unit": "working_days"})
        g = SmallDistrict(district=s.district, s=s, t=t, s1=g1_grid.community, s2=g2_grid.community,
                      t1=t1_grid.community, g1_grid=g1_grid, a=a, b=b, d=d, e=e, ga=a.department, cg=b.department,
                      body=body, central=central, sunk=sunk, people=people)
        yield _Story(g, leaf).build()
        transaction.set_rollback(True)


# --- playing a round -------------------------------------------------------------------------------

def scores(value: int | dict) -> dict[str, int]:
    return dict.fromkeys(services.CRITERIA, value) if isinstance(value, int) else value


def golden_forms(g: SmallDistrict) -> list[tuple]:
    """(who fills it, rater kind, rater id, ratee kind, ratee id, scores): each form's mean is in the comment."""
    return [
        # downward
        (g.command, K.DISTRICT, g.district.pk, K.STREET, g.s.pk,
         {"duty": 90, "response": 80, "cooperation": 85, "conduct": 95}),  # (90 + 80 + 85 + 95) / 4 = 87.5
        (g.command, K.DISTRICT, g.district.pk, K.STREET, g.t.pk, 80),
        (g.ga_admin, K.DEPARTMENT, g.ga.pk, K.AGENCY, g.a.pk, 80),
        (g.cg_admin, K.DEPARTMENT, g.cg.pk, K.AGENCY, g.b.pk, 90),
        (g.ga_admin, K.DEPARTMENT, g.ga.pk, K.AGENCY, g.d.pk, 70),
        (g.s_staff, K.STREET, g.s.pk, K.COMMUNITY, g.s1.pk, 80),
        (g.s_staff, K.STREET, g.s.pk, K.COMMUNITY, g.s2.pk, 60),
        (g.t_staff, K.STREET, g.t.pk, K.COMMUNITY, g.t1.pk, 70),
        (g.s_staff, K.STREET, g.s.pk, K.GRID_WORKER, g.g1.pk, 90),
        (g.s_staff, K.STREET, g.s.pk, K.GRID_WORKER, g.g2.pk, 70),
        (g.t_staff, K.STREET, g.t.pk, K.GRID_WORKER, g.g3.pk, 85),
        (g.s_staff, K.STREET, g.s.pk, K.SQUAD_DEPUTY, g.head_b.pk, 80),
        (g.cg_admin, K.DEPARTMENT, g.cg.pk, K.SQUAD_DEPUTY, g.head_b.pk, 90),
        (g.s_staff, K.STREET, g.s.pk, K.CO_MANAGER, g.central.pk, 75),
        (g.s1_staff, K.COMMUNITY, g.s1.pk, K.CO_MANAGER, g.sunk.pk, 95),
        # upward
        (g.g1, K.GRID_WORKER, g.g1.pk, K.STREET, g.s.pk, 70),
        (g.s1_staff, K.COMMUNITY, g.s1.pk, K.STREET, g.s.pk, 90),  # S: (70 + 90) / 2 = 80
        (g.t1_staff, K.COMMUNITY, g.t1.pk, K.STREET, g.t.pk, 60),
        (g.s_staff, K.STREET, g.s.pk, K.AGENCY, g.a.pk, 90),
        (g.s1_staff, K.COMMUNITY, g.s1.pk, K.AGENCY, g.a.pk, 80),  # A: (90 + 80) / 2 = 85
        (g.s_staff, K.STREET, g.s.pk, K.AGENCY, g.b.pk, 60),
        (g.t_staff, K.STREET, g.t.pk, K.AGENCY, g.d.pk, 75),
    ]


HEADER = "单位类型,单位编码,受访者编号,满意度"


def survey_csv(rows: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8-sig")


def golden_survey(g: SmallDistrict) -> list[str]:
    """The survey firm's answers: S 6 satisfied, 3 basically, 1 dissatisfied; T 4 satisfied."""
    answers = ["满意"] * 6 + ["基本满意"] * 3 + ["不满意"]
    return ([f"街道,{g.s.code},S{n},{answer}" for n, answer in enumerate(answers, start=1)]
            + [f"街道,{g.t.code},T{n},满意" for n in range(1, 5)])


def submit(round_: Round, forms: list[tuple]) -> None:
    for user, rater_kind, rater_id, ratee_kind, ratee_id, value in forms:
        form = Evaluation.objects.get(round=round_, rater_kind=rater_kind, rater_id=rater_id, ratee_kind=ratee_kind,
                                      ratee_id=ratee_id)
        services.evaluation_submit(evaluation=form, actor=user, scores=scores(value), now=FILLED_AT)


def open_round(g: SmallDistrict, *, weights: dict | None = None, **settings) -> Round:
    round_ = services.round_create(actor=g.command, period="2026H1", **settings)
    if weights:
        round_ = services.round_set_weights(round=round_, actor=g.command, **weights)
    return services.round_open(round=round_, actor=g.command, now=OPENED_AT)


def play(g: SmallDistrict, *, forms: list[tuple] | None = None, survey: bool = True, publish: bool = False,
         weights: dict | None = None, **settings) -> Round:
    """A round of 2026H1 from draft to computed (and published): the golden forms and survey answers."""
    round_ = open_round(g, weights=weights, **settings)
    submit(round_, golden_forms(g) if forms is None else forms)
    if survey:
        satisfaction.import_survey(round=round_, actor=g.surveyor, filename="survey.csv",
                                   data=survey_csv(golden_survey(g)))
    services.round_close(round=round_, actor=g.command, now=OPENED_AT + dt.timedelta(days=15))
    compute.compute_round(Round.objects.get(pk=round_.pk))
    if publish:
        services.round_publish(round=Round.objects.get(pk=round_.pk), actor=g.command)
    return Round.objects.get(pk=round_.pk)


def result(round_: Round, kind: str, unit_id: int) -> Result:
    return Result.objects.get(round=round_, version=round_.version, kind=kind, unit_id=unit_id)


def summary(round_: Round, kind: str, unit_id: int) -> tuple:
    row = result(round_, kind, unit_id)
    return row.total, row.grade, row.rank


def row_of(result_: Result, indicator: str) -> dict:
    return next(row for row in result_.breakdown["indicators"] if row["indicator"] == indicator)


approx = pytest.approx


# --- 1. the golden round ---------------------------------------------------------------------------

def test_the_round_gives_each_unit_the_total_grade_and_rank_computed_by_hand(small_district):
    g = small_district
    round_ = play(g)

    # Agencies. Default indicator weights (on time 20, handled 15, response 15, rework 10 ↓, returns 10 ↓,
    # overdue 10 ↓; letters, meetings, check-ins and inquiries 5 each have no sample anywhere: left out),
    # so the objective is 100 × Σ weight × score / 80. A, B and D have 5 of everything: no shrinkage.
    # A: on time 4/5 = 0.8, handled 1, response 1, rework 0 → 1, returns 0 → 1, overdue 1/5 → 0.8
    #    100 × (20·0.8 + 15 + 15 + 10 + 10 + 10·0.8) / 80 = 100 × 74 / 80 = 92.5
    # B: on time 1, handled 1, response 3/5 = 0.6, rework 1/5 → 0.8, returns → 1, overdue 0 → 1
    #    100 × (20 + 15 + 15·0.6 + 10·0.8 + 10 + 10) / 80 = 100 × 72 / 80 = 90
    # D: every rate perfect → 100
    assert [result(round_, K.AGENCY, unit.pk).objective for unit in (g.a, g.b, g.d)] == approx(
        [92.5, 90.0, 100.0], abs=0.01)
    # Upward: A (90 + 80) / 2 = 85, B 60, D 75; downward: A 80, B 90, D 70.
    # Satisfaction (the reporters' ratings, 5 each): A 4/5 = 80, B 3/5 = 60, D 4/5 = 80.
    # A (40·92.5 + 20·85 + 15·80 + 20·80) / 95 = (3700 + 1700 + 1200 + 1600) / 95 = 8200 / 95 = 86.32 → B
    # D (40·100 + 20·75 + 15·70 + 20·80) / 95 = (4000 + 1500 + 1050 + 1600) / 95 = 8150 / 95 = 85.79 → B
    # B (40·90 + 20·60 + 15·90 + 20·60) / 95 = (3600 + 1200 + 1350 + 1200) / 95 = 7350 / 95 = 77.37 → B
    assert summary(round_, K.AGENCY, g.a.pk) == (approx(86.32, abs=0.01), "B", 1)
    assert summary(round_, K.AGENCY, g.d.pk) == (approx(85.79, abs=0.01), "B", 2)
    assert summary(round_, K.AGENCY, g.b.pk) == (approx(77.37, abs=0.01), "B", 3)
    # E has one task: shrunk toward the district (worked out in the shrinkage test below), 样本不足.
    e = result(round_, K.AGENCY, g.e.pk)
    assert (e.sample, e.sample_ok, e.grade, e.rank) == (1, False, "", None)
    # Its missing ratings are the kind's means: upward (85 + 60 + 75) / 3 = 73.33, downward (80 + 90 + 70) / 3 = 80.
    assert (e.upward, e.downward) == (approx(73.33, abs=0.01), 80.0)

    # Streets. Weights on time 30, closed 20, resolved 35 (inquiries 15: none anywhere, left out) → / 85.
    # S: 100 × (30·9/10 + 20·10/10 + 35·7/10) / 85 = 100 × (27 + 20 + 24.5) / 85 = 7150 / 85 = 84.12
    # T: 100 × (30·6/6 + 20·6/6 + 35·0.8333) / 85 = 100 × (30 + 20 + 29.1655) / 85 = 7916.55 / 85 = 93.14
    assert [result(round_, K.STREET, unit.pk).objective for unit in (g.s, g.t)] == approx([84.12, 93.14], abs=0.01)
    # Upward S (70 + 90) / 2 = 80, T 60; downward S (90 + 80 + 85 + 95) / 4 = 87.5, T 80.
    # Satisfaction: the reporters' and the survey's answers together:
    #   S (5,2,3) + (6,3,1) = (11,5,4): 16/20 = 80;  T (3,2,1) + (4,0,0) = (7,2,1): 9/10 = 90
    assert [result(round_, K.STREET, unit.pk).satisfaction for unit in (g.s, g.t)] == [80.0, 90.0]
    # S (40·84.12 + 20·80 + 15·87.5 + 20·80) / 95 = (3364.8 + 1600 + 1312.5 + 1600) / 95 = 7877.3 / 95 = 82.92
    # T (40·93.14 + 20·60 + 15·80 + 20·90) / 95 = (3725.6 + 1200 + 1200 + 1800) / 95 = 7925.6 / 95 = 83.43
    assert summary(round_, K.STREET, g.t.pk) == (approx(83.43, abs=0.01), "B", 1)
    assert summary(round_, K.STREET, g.s.pk) == (approx(82.92, abs=0.01), "B", 2)

    # Communities: on time 35, closed 25, resolved 40; components objective, downward, satisfaction → / 75.
    # S1 100 × (35·4/5 + 25·5/5 + 40·4/5) = 28 + 25 + 32 = 85;  S2 35 + 25 + 40·3/5 = 84
    # T1 35 + 25 + 40·0.8333 = 93.33 (93.332)
    # S1 (40·85 + 15·80 + 20·80) / 75 = (3400 + 1200 + 1600) / 75 = 6200 / 75 = 82.67 → B
    # S2 (40·84 + 15·60 + 20·60) / 75 = (3360 + 900 + 1200) / 75 = 5460 / 75 = 72.80 → C
    # T1 (40·93.33 + 15·70 + 20·83.33) / 75 = (3733.2 + 1050 + 1666.6) / 75 = 6449.8 / 75 = 86.00 → B
    #    (T1's satisfaction: (3 + 2) / 6 = 83.33)
    assert summary(round_, K.COMMUNITY, g.t1.pk) == (approx(86.00, abs=0.01), "B", 1)
    assert summary(round_, K.COMMUNITY, g.s1.pk) == (approx(82.67, abs=0.01), "B", 2)
    assert summary(round_, K.COMMUNITY, g.s2.pk) == (approx(72.80, abs=0.01), "C", 3)

    # Grid workers: valid reports 50, checks on time 50; G1 100 × (50·5/5 + 50·5/5) = 100,
    # G2 50 + 50·4/5 = 90, G3 50·6/6 + 50·6/6 = 100. Downward G1 90, G2 70, G3 85; satisfaction of their
    # grids' cases G1 80, G2 60, G3 (3 + 2) / 6 = 83.33.
    # G1 (40·100 + 15·90 + 20·80) / 75 = (4000 + 1350 + 1600) / 75 = 6950 / 75 = 92.67 → A
    # G3 (40·100 + 15·85 + 20·83.33) / 75 = (4000 + 1275 + 1666.6) / 75 = 6941.6 / 75 = 92.55 → A
    # G2 (40·90 + 15·70 + 20·60) / 75 = (3600 + 1050 + 1200) / 75 = 5850 / 75 = 78.00 → B
    assert summary(round_, K.GRID_WORKER, g.g1.pk) == (approx(92.67, abs=0.01), "A", 1)
    assert summary(round_, K.GRID_WORKER, g.g3.pk) == (approx(92.55, abs=0.01), "A", 2)
    assert summary(round_, K.GRID_WORKER, g.g2.pk) == (approx(78.00, abs=0.01), "B", 3)

    # Units of the seed without any data: a total (the district's means stand in), 样本不足, no grade, no rank.
    busy = {K.STREET: {g.s.pk, g.t.pk}, K.COMMUNITY: {g.s1.pk, g.s2.pk, g.t1.pk},
            K.AGENCY: {g.a.pk, g.b.pk, g.d.pk, g.e.pk}}
    for kind, units in busy.items():
        idle = Result.objects.filter(round=round_, version=round_.version, kind=kind).exclude(unit_id__in=units)
        assert idle.count() == {K.STREET: 27, K.COMMUNITY: 567, K.AGENCY: 310}[kind]
        assert set(idle.values_list("sample", "sample_ok", "grade", "rank")) == {(0, False, "", None)}
        assert not idle.filter(total=None).exists()


def test_a_heavier_on_time_weight_moves_the_agencies_totals_and_ranks_as_computed_by_hand(small_district):
    g = small_district
    heavier = {"on_time_rate": 30, "handling_rate": 15, "response_rate": 5, "rework_rate": 10, "return_rate": 10,
               "overdue_rate": 10, "letters_on_time_rate": 5, "meeting_attendance_rate": 5, "check_in_rate": 5,
               "inquiry_on_time_rate": 5}  # on time 20 → 30, response 15 → 5

    round_ = play(g, weights={"indicator_weights": {"agency": heavier}})

    assert Round.objects.get(pk=round_.pk).indicator_weights["agency"] == heavier
    # A: 100 × (30·0.8 + 15 + 5·1 + 10 + 10 + 10·0.8) / 80 = 100 × 72 / 80 = 90 (was 92.5)
    # B: 100 × (30·1 + 15 + 5·0.6 + 10·0.8 + 10 + 10) / 80 = 100 × 76 / 80 = 95 (was 90)
    # D: 100 as before
    assert [result(round_, K.AGENCY, unit.pk).objective for unit in (g.a, g.b, g.d)] == approx(
        [90.0, 95.0, 100.0], abs=0.01)
    # A (40·90 + 20·85 + 15·80 + 20·80) / 95 = 8100 / 95 = 85.26 (was 86.32)
    # B (40·95 + 20·60 + 15·90 + 20·60) / 95 = 7550 / 95 = 79.47 (was 77.37)
    # D 8150 / 95 = 85.79, unchanged: now first
    assert summary(round_, K.AGENCY, g.d.pk) == (approx(85.79, abs=0.01), "B", 1)
    assert summary(round_, K.AGENCY, g.a.pk) == (approx(85.26, abs=0.01), "B", 2)
    assert summary(round_, K.AGENCY, g.b.pk) == (approx(79.47, abs=0.01), "B", 3)
    # E: 100 × (30·0.9479 + 15 + 5·0.8958 + 10·0.9479 + 10 + 10·0.9479) / 80 = 100 × 76.874 / 80 = 96.09
    assert result(round_, K.AGENCY, g.e.pk).objective == approx(96.09, abs=0.01)
    # Only the agencies' table changed: the streets are where they were.
    assert summary(round_, K.STREET, g.s.pk) == (approx(82.92, abs=0.01), "B", 2)


def test_equal_totals_are_ranked_by_the_objective_score_and_equal_keys_share_a_rank(small_district):
    g = small_district
    kept = [form for form in golden_forms(g) if (form[3], form[4]) != (K.AGENCY, g.d.pk) and form[3] != K.CO_MANAGER]
    forms = kept + [
        (g.t_staff, K.STREET, g.t.pk, K.AGENCY, g.d.pk, 70),  # D upward 70 (was 75)
        (g.ga_admin, K.DEPARTMENT, g.ga.pk, K.AGENCY, g.d.pk, 80),  # D downward 80 (was 70)
        (g.s_staff, K.STREET, g.s.pk, K.CO_MANAGER, g.central.pk, 80),
        (g.s1_staff, K.COMMUNITY, g.s1.pk, K.CO_MANAGER, g.sunk.pk, 80),
    ]

    round_ = play(g, forms=forms)

    # A (40·92.5 + 20·85 + 15·80 + 20·80) / 95 = 8200 / 95 = 86.32
    # D (40·100 + 20·70 + 15·80 + 20·80) / 95 = (4000 + 1400 + 1200 + 1600) / 95 = 8200 / 95 = 86.32
    # equal totals: D's objective (100) beats A's (92.5)
    assert result(round_, K.AGENCY, g.d.pk).total == result(round_, K.AGENCY, g.a.pk).total
    assert summary(round_, K.AGENCY, g.d.pk) == (approx(86.32, abs=0.01), "B", 1)
    assert summary(round_, K.AGENCY, g.a.pk) == (approx(86.32, abs=0.01), "B", 2)
    assert summary(round_, K.AGENCY, g.b.pk) == (approx(77.37, abs=0.01), "B", 3)
    # Both co-managers 80, no objective, no satisfaction: the same key, the same rank.
    assert [summary(round_, K.CO_MANAGER, c.pk) for c in (g.central, g.sunk)] == [(80.0, "B", 1)] * 2


# --- 2. small samples ------------------------------------------------------------------------------

def test_one_task_on_time_does_not_make_an_agency_100_nor_one_missed_meeting_0(small_district):
    g = small_district
    # T's joint meeting: D and E required; D came, E did not. The district's attendance: 1 of 2 = 0.5.
    meeting = committees.meeting_plan(actor=g.t_staff, street=g.t, kind="joint_meeting",
                                      held_at=shanghai(2026, 4, 8, 9), title="联席会议", agencies=[g.d, g.e])
    committees.meeting_hold(meeting=meeting, actor=g.t_staff, now=shanghai(2026, 4, 8, 11))
    committees.attendance_record(meeting=meeting, actor=g.t_staff, attendance={g.d.pk: (True, ""),
                                                                               g.e.pk: (False, "值班")})

    round_ = play(g)

    e = result(round_, K.AGENCY, g.e.pk)
    assert (e.sample, e.sample_ok, e.grade, e.rank) == (1, False, "", None)  # 样本不足: 1 task due < 5
    assert e.total is not None and e.breakdown["sample"] == {"count": "due", "value": 1, "minimum": 5}
    # One task handled on time: (n·x + k·μ) / (n + k) with μ = the agencies' pooled on-time rate
    # (4 + 5 + 5 + 1) / (5 + 5 + 5 + 1) = 15/16 = 0.9375: (1·1 + 5·0.9375) / 6 = 5.6875 / 6 = 0.9479, not 1
    on_time = row_of(e, "on_time_rate")
    assert (on_time["numerator_value"], on_time["denominator_value"], on_time["rate"]) == (1, 1, 1.0)
    assert (on_time["mean"], on_time["shrunk"], on_time["score"]) == (0.9375, True, approx(0.9479, abs=0.0001))
    # accepted on time: μ = (5 + 3 + 5 + 1) / 16 = 0.875: (1 + 5·0.875) / 6 = 5.375 / 6 = 0.8958
    assert row_of(e, "response_rate")["score"] == approx(0.8958, abs=0.0001)
    # one missed meeting: (1·0 + 5·0.5) / 6 = 2.5 / 6 = 0.4167, not 0
    missed = row_of(e, "meeting_attendance_rate")
    assert (missed["numerator_value"], missed["denominator_value"], missed["rate"]) == (0, 1, 0.0)
    assert (missed["mean"], missed["shrunk"], missed["score"]) == (0.5, True, approx(0.4167, abs=0.0001))
    # rework and overdue (lower is better): μ = 1/16 = 0.0625, E's 0 → (0 + 5·0.0625) / 6 = 0.0521 → 1 − 0.0521
    assert row_of(e, "rework_rate")["score"] == row_of(e, "overdue_rate")["score"] == approx(0.9479, abs=0.0001)
    # objective (meetings now weigh 5: / 85): 100 × (20·0.9479 + 15·1 + 15·0.8958 + 10·0.9479 + 10·1
    # + 10·0.9479 + 5·0.4167) / 85 = 100 × (18.958 + 15 + 13.437 + 9.479 + 10 + 9.479 + 2.0835) / 85
    # = 100 × 78.4365 / 85 = 92.28: not 100
    assert e.objective == approx(92.28, abs=0.01)
    # satisfaction: one satisfied reporter, μ = (4 + 3 + 4 + 1) / 16 = 0.75: (1 + 5·0.75) / 6 = 79.17, not 100
    assert e.satisfaction == approx(79.17, abs=0.01)
    # An agency with nothing at all (n = 0) takes the district's rates themselves: on time 0.9375, meetings 0.5.
    idle = result(round_, K.AGENCY, Agency.objects.get(code=f"{HOME_STREET}-gss").pk)
    assert [(row_of(idle, name)["denominator_value"], row_of(idle, name)["rate"], row_of(idle, name)["score"])
            for name in ("on_time_rate", "meeting_attendance_rate")] == [(0, None, 0.9375), (0, None, 0.5)]
    assert (idle.sample_ok, idle.grade, idle.rank) == (False, "", None)
    # T's community and street have 6 cases: enough. The agencies with 5 are ranked, E is not.
    assert [result(round_, K.AGENCY, unit.pk).rank for unit in (g.a, g.d, g.b)] == [1, 2, 3]


def test_without_shrinkage_one_task_on_time_would_top_the_agencies(small_district, settings):
    settings.ASSESSMENT_MIN_SAMPLE = 1  # every sample "enough": the raw rates, and E is ranked
    g = small_district

    round_ = play(g)

    e = result(round_, K.AGENCY, g.e.pk)
    assert not any(row["shrunk"] for row in e.breakdown["indicators"])
    # every rate of E perfect → objective 100; satisfaction 1/1 = 100; upward 73.33, downward 80 (the means)
    # (40·100 + 20·73.33 + 15·80 + 20·100) / 95 = (4000 + 1466.6 + 1200 + 2000) / 95 = 8666.6 / 95 = 91.23 → A
    assert (e.objective, e.satisfaction) == (100.0, 100.0)
    assert (e.total, e.grade, e.rank, e.sample_ok) == (approx(91.23, abs=0.01), "A", 1, True)
    assert [result(round_, K.AGENCY, unit.pk).rank for unit in (g.a, g.d, g.b)] == [2, 3, 4]


# --- 3. public satisfaction ------------------------------------------------------------------------

def callback_only_case(g: SmallDistrict) -> Case:
    """Another of A's cases in g1, closed on 11 May; its reporter never rated it, S's staff called back and
    heard "satisfied" (回访)."""
    monday = dt.date(2026, 5, 11)
    case = dispatch.case_create(actor=g.g1, title="占道经营 x1", lat=g.g1_grid.centroid_lat,
                                lng=g.g1_grid.centroid_lng, source=Source.GRID_PATROL, reporter_phone=REPORTER_PHONE,
                                now=at(monday, 9))
    dispatch.case_file(case=case, actor=g.s_staff, category=Category.objects.get(code=CATEGORY_CODE),
                       now=at(monday, 9, 30))
    dispatch.case_dispatch(case=case, actor=g.s_staff, lead=g.a.code, now=at(monday, 10))
    task = Task.objects.get(case=case)
    dispatch.task_accept(task=task, actor=g.head_a, now=at(monday, 10, 30))
    dispatch.task_respond(task=Task.objects.get(pk=task.pk), actor=g.head_a, result="已处理",
                          now=at(monday, 10, days=1))
    dispatch.case_verify(case=case, actor=g.g1, passed=True, now=at(monday, 11, days=1))
    dispatch.case_rate(case=Case.objects.get(pk=case.pk), actor=g.s_staff, satisfaction="satisfied",
                       now=at(monday, 15, days=1))
    case.refresh_from_db()
    assert (case.satisfaction, case.callback_satisfaction) == ("", "satisfied")
    return case


def test_a_staff_call_back_is_shown_apart_and_does_not_move_public_satisfaction(small_district):
    g = small_district
    callback_only_case(g)

    round_ = play(g)

    # The public's: A (3,1,1) = 80 and S 80 (above), as without the call-back; the call-back alone, 1/1:
    for kind, unit, public in ((K.AGENCY, g.a, 80.0), (K.STREET, g.s, 80.0), (K.COMMUNITY, g.s1, 80.0),
                               (K.GRID_WORKER, g.g1, 80.0)):
        row = result(round_, kind, unit.pk)
        assert (row.satisfaction, row.callback) == (public, 100.0), kind
        assert row.breakdown["components"]["satisfaction"]["callback_share"] == 0
    assert result(round_, K.AGENCY, g.b.pk).callback is None  # nobody called B's reporters back


def test_survey_answers_count_in_public_satisfaction(small_district):
    g = small_district
    round_ = open_round(g)
    services.round_close(round=round_, actor=g.command)
    compute.compute_round(Round.objects.get(pk=round_.pk))
    before = Round.objects.get(pk=round_.pk)
    assert result(before, K.STREET, g.s.pk).satisfaction == 70.0  # the reporters only: (5 + 2) / 10
    assert result(before, K.AGENCY, g.a.pk).satisfaction == 80.0  # (3 + 1) / 5

    satisfaction.import_survey(round=before, actor=g.surveyor, filename="survey.csv", data=survey_csv(
        golden_survey(g) + [f"派驻机构,{g.a.code},A{n},不满意" for n in range(1, 6)]))
    compute.compute_round(Round.objects.get(pk=round_.pk))

    after = Round.objects.get(pk=round_.pk)
    # S: (5,2,3) + (6,3,1) → 16/20 = 80; A: (3,1,1) + (0,0,5) → 4/10 = 40
    assert result(after, K.STREET, g.s.pk).satisfaction == 80.0
    assert result(after, K.AGENCY, g.a.pk).satisfaction == 40.0
    assert result(after, K.AGENCY, g.a.pk).breakdown["components"]["satisfaction"]["sample"] == 10


def test_with_a_callback_share_the_call_backs_count_for_that_share(small_district):
    g = small_district
    callback_only_case(g)

    round_ = play(g, callback_share=50)

    # The call-backs are shrunk like a rate: A's one call-back, 1/1, toward the agencies' call-back mean,
    # 1/1: (1·1 + 5·1) / 6 = 1. A: 50 % × 80 (the public) + 50 % × 100 = 90.
    assert (result(round_, K.AGENCY, g.a.pk).satisfaction, result(round_, K.AGENCY, g.a.pk).callback) == (90.0, 100.0)
    # S: 50 % × 80 + 50 % × 100 = 90
    assert result(round_, K.STREET, g.s.pk).satisfaction == 90.0
    # B was never called back: n = 0 takes the kind's call-back mean (1): 50 % × 60 + 50 % × 100 = 80
    assert result(round_, K.AGENCY, g.b.pk).satisfaction == 80.0
    assert result(round_, K.AGENCY, g.b.pk).callback is None


# --- 4. who rates whom ----------------------------------------------------------------------------

def test_opening_writes_the_forms_of_every_direction(small_district):
    g = small_district

    round_ = open_round(g)

    pairs = set(Evaluation.objects.filter(round=round_).values_list(
        "direction", "rater_kind", "rater_id", "ratee_kind", "ratee_id"))
    down, up = "down", "up"
    expected = {
        (down, K.DISTRICT, g.district.pk, K.STREET, g.s.pk), (down, K.DISTRICT, g.district.pk, K.STREET, g.t.pk),
        (down, K.DISTRICT, g.district.pk, K.DEPARTMENT, g.ga.pk),
        (down, K.DISTRICT, g.district.pk, K.DEPARTMENT, g.cg.pk),
        (down, K.DEPARTMENT, g.ga.pk, K.AGENCY, g.a.pk), (down, K.DEPARTMENT, g.cg.pk, K.AGENCY, g.b.pk),
        (up, K.AGENCY, g.a.pk, K.DEPARTMENT, g.ga.pk), (up, K.AGENCY, g.b.pk, K.DEPARTMENT, g.cg.pk),
        (down, K.STREET, g.s.pk, K.COMMUNITY, g.s1.pk), (down, K.STREET, g.s.pk, K.COMMUNITY, g.s2.pk),
        (down, K.STREET, g.s.pk, K.GRID_WORKER, g.g1.pk), (down, K.STREET, g.t.pk, K.GRID_WORKER, g.g3.pk),
        (down, K.STREET, g.s.pk, K.SQUAD_DEPUTY, g.head_b.pk), (down, K.STREET, g.t.pk, K.SQUAD_DEPUTY, g.head_e.pk),
        (down, K.DEPARTMENT, g.cg.pk, K.SQUAD_DEPUTY, g.head_b.pk),  # the squad's department, the 城管大队
        (down, K.DEPARTMENT, g.cg.pk, K.SQUAD_DEPUTY, g.head_e.pk),
        (up, K.STREET, g.s.pk, K.AGENCY, g.a.pk), (up, K.STREET, g.s.pk, K.AGENCY, g.b.pk),
        (up, K.STREET, g.s.pk, K.DEPARTMENT, g.ga.pk),
        (up, K.COMMUNITY, g.s1.pk, K.STREET, g.s.pk), (up, K.COMMUNITY, g.s1.pk, K.AGENCY, g.a.pk),
        (up, K.GRID_WORKER, g.g1.pk, K.STREET, g.s.pk), (up, K.GRID_WORKER, g.g1.pk, K.AGENCY, g.a.pk),
        (down, K.STREET, g.s.pk, K.CO_MANAGER, g.central.pk),  # held centrally: the street rates them
        (down, K.COMMUNITY, g.s1.pk, K.CO_MANAGER, g.sunk.pk),  # sunk to g1: g1's community rates them
        ("oversight", K.OVERSIGHT, g.body.pk, K.STREET, g.s.pk),
        ("oversight", K.OVERSIGHT, g.body.pk, K.AGENCY, g.a.pk),
    }
    assert expected <= pairs, sorted(expected - pairs)
    assert (down, K.STREET, g.s.pk, K.AGENCY, g.a.pk) not in pairs  # streets rate agencies upward only
    assert (up, K.GRID_WORKER, g.g1.pk, K.AGENCY, g.d.pk) not in pairs  # D serves another street
    assert (down, K.STREET, g.s.pk, K.CO_MANAGER, g.sunk.pk) not in pairs
    assert (down, K.COMMUNITY, g.s1.pk, K.CO_MANAGER, g.central.pk) not in pairs
    # The committee rates its street and every agency serving it, nothing else; its secretary fills those forms.
    oversight = {(kind, unit) for direction, rater_kind, rater, kind, unit in pairs if direction == "oversight"}
    assert oversight == {(K.STREET, g.s.pk)} | {(K.AGENCY, pk) for pk in g.s.agencies.values_list("pk", flat=True)}
    assert {(p[1], p[2]) for p in pairs if p[0] == "oversight"} == {(K.OVERSIGHT, g.body.pk)}
    mine = services.my_evaluations(user=g.secretary, round=round_)
    assert set(mine.values_list("direction", "rater_kind", "rater_id")) == {("oversight", K.OVERSIGHT, g.body.pk)}
    assert mine.count() == len(oversight)


def test_the_committees_secretary_fills_its_forms_and_they_are_the_oversight_component(small_district):
    g = small_district
    round_ = open_round(g)
    to_street = Evaluation.objects.get(round=round_, rater_kind=K.OVERSIGHT, rater_id=g.body.pk, ratee_kind=K.STREET,
                                       ratee_id=g.s.pk)
    with pytest.raises(ActionForbidden):
        services.evaluation_submit(evaluation=to_street, actor=g.s_staff, scores=scores(10))  # not the street's form
    forms = golden_forms(g) + [(g.secretary, K.OVERSIGHT, g.body.pk, K.STREET, g.s.pk, 88),
                               (g.secretary, K.OVERSIGHT, g.body.pk, K.AGENCY, g.a.pk, 60)]
    submit(round_, forms)
    satisfaction.import_survey(round=round_, actor=g.surveyor, filename="survey.csv",
                               data=survey_csv(golden_survey(g)))
    services.round_close(round=round_, actor=g.command)
    compute.compute_round(Round.objects.get(pk=round_.pk))
    round_ = Round.objects.get(pk=round_.pk)

    # Now every weight counts (/ 100): S (7877.3 + 5·88) / 100 = 8317.3 / 100 = 83.17; A (8200 + 5·60) / 100 = 85
    s, a = result(round_, K.STREET, g.s.pk), result(round_, K.AGENCY, g.a.pk)
    assert (s.oversight, s.total) == (88.0, approx(83.17, abs=0.01))
    assert (a.oversight, a.total) == (60.0, approx(85.0, abs=0.01))
    # B, not rated by the committee, takes the agencies' mean (60): (7350 + 5·60) / 100 = 76.5
    assert result(round_, K.AGENCY, g.b.pk).oversight == 60.0
    assert result(round_, K.AGENCY, g.b.pk).total == approx(76.5, abs=0.01)
    # Communities have no oversight component: S1 as in the golden round.
    assert result(round_, K.COMMUNITY, g.s1.pk).total == approx(82.67, abs=0.01)


def test_the_squad_deputys_total_takes_the_street_at_its_weight_of_at_least_half(small_district):
    g = small_district
    with pytest.raises(InvalidInput) as refused:
        services.round_create(actor=g.command, period="2026H2", deputy_street_weight=49)
    assert list(refused.value.errors) == ["deputy_street_weight"]
    assert not Round.objects.filter(period="2026H2").exists()
    draft = services.round_create(actor=g.command, period="2026H1", deputy_street_weight=70)
    with pytest.raises(InvalidInput):
        services.round_set_weights(round=draft, actor=g.command, deputy_street_weight=40)
    third = make_user("gold-head-x", Role.AGENCY_HEAD, [Agency.objects.get(code="110108001-cgfd")])
    round_ = services.round_open(round=draft, actor=g.command, now=OPENED_AT)
    submit(round_, golden_forms(g) + [  # S rates B's head 80, the 城管大队 90
        (g.t_staff, K.STREET, g.t.pk, K.SQUAD_DEPUTY, g.head_e.pk, 60),  # T rates E's head, the 大队 does not
        (g.cg_admin, K.DEPARTMENT, g.cg.pk, K.SQUAD_DEPUTY, third.pk, 70),  # the 大队 rates the third, its street not
    ])
    services.round_close(round=round_, actor=g.command)
    compute.compute_round(Round.objects.get(pk=round_.pk))
    round_ = Round.objects.get(pk=round_.pk)

    deputy = result(round_, K.SQUAD_DEPUTY, g.head_b.pk)
    # 70 % × 80 (the street) + 30 % × 90 (the 大队) = 56 + 27 = 83 → B
    assert (deputy.total, deputy.grade, deputy.downward) == (83.0, "B", 80.0)
    assert (deputy.indicators["street_weight"], deputy.indicators["squad_rating"]) == (70, 90.0)
    # Without the 大队's rating the deputies' mean 大队 rating stands in, (90 + 70) / 2 = 80:
    # 70 % × 60 + 30 % × 80 = 42 + 24 = 66 → C
    other = result(round_, K.SQUAD_DEPUTY, g.head_e.pk)
    assert (other.total, other.grade, other.indicators["squad_rating_imputed"]) == (66.0, "C", True)
    # Without the street's rating there is no total.
    assert summary(round_, K.SQUAD_DEPUTY, third.pk) == (None, "", None)
    # The co-managers: the mean of their rater's form.
    assert [result(round_, K.CO_MANAGER, c.pk).total for c in (g.central, g.sunk)] == [75.0, 95.0]


# --- 5. no names in public -------------------------------------------------------------------------

@pytest.fixture
def private_cache(settings):
    # The public workbook is cached: a cache of this test's own.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "publishable-scores-tests"}}


def names_of_people(g: SmallDistrict) -> list[str]:
    people = [g.g1, g.g2, g.g3, g.head_b, g.head_e]
    found = [p.first_name for p in people] + [p.username for p in people]
    for comanager in (g.central, g.sunk):
        found += [comanager.name, comanager.phone, mask_phone(comanager.phone)]
    return found


def test_no_persons_name_is_on_the_public_pages_or_in_the_public_excel(small_district, client, private_cache):
    g = small_district
    round_ = play(g, publish=True)
    people = names_of_people(g)
    # They were rated, and their results carry their names (which the district's own export shows).
    for kind, unit, name in ((K.GRID_WORKER, g.g1.pk, GRID_WORKER_NAMES["g1"]),
                             (K.SQUAD_DEPUTY, g.head_b.pk, g.head_b.first_name),
                             (K.CO_MANAGER, g.sunk.pk, COMANAGER_NAMES["sunk"][0])):
        assert (result(round_, kind, unit).unit_name, result(round_, kind, unit).total is not None) == (name, True)

    pages = [client.get("/public/rankings/"), client.get("/public/rankings/2026H1/")]
    pages += [client.get(f"/public/rankings/2026H1/?kind={kind}") for kind in (
        K.STREET, K.COMMUNITY, K.AGENCY, K.DEPARTMENT, K.GRID_WORKER, K.SQUAD_DEPUTY, K.CO_MANAGER)]
    pages += [client.get(f"/public/rankings/2026H1/{kind}/{unit}/") for kind, unit in (
        (K.STREET, g.s.pk), (K.COMMUNITY, g.s1.pk), (K.AGENCY, g.b.pk), (K.AGENCY, g.e.pk),
        (K.DEPARTMENT, g.cg.pk))]
    for page in pages:
        assert page.status_code == 200, page.wsgi_request.get_full_path()
        html = page.content.decode()
        assert not [name for name in people if name in html], page.wsgi_request.get_full_path()
    grid_workers = client.get("/public/rankings/2026H1/?kind=grid_worker")
    # G1 and G2 under S: (92.67 + 78.00) / 2 = 85.335 → 85.34; G3 under T: 92.55
    assert {row["street"]: (row["people"], row["mean"]) for row in grid_workers.context["people"]} == {
        g.s.name: (2, approx(85.34, abs=0.01)), g.t.name: (1, approx(92.55, abs=0.01))}

    for kind, unit in ((K.GRID_WORKER, g.g1.pk), (K.SQUAD_DEPUTY, g.head_b.pk), (K.CO_MANAGER, g.sunk.pk)):
        assert client.get(f"/public/rankings/2026H1/{kind}/{unit}/").status_code == 404

    workbook = client.get("/public/rankings/2026H1/results.xlsx")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    cells = {str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert not [name for name in people if any(name in value for value in cells)]
    assert {"网格员(按街道汇总)", "城管分队执行副队长(按街道汇总)", "协管员(按街道汇总)"} <= set(book.sheetnames)


def test_a_grid_worker_reads_their_own_result_and_a_worker_of_another_street_does_not(small_district, api):
    g = small_district
    play(g, publish=True)

    own = api.as_user(g.g1).get("/api/v1/rounds/2026H1/results/?kind=grid_worker")
    other = api.as_user(g.g3).get("/api/v1/rounds/2026H1/results/?kind=grid_worker")

    assert own.status_code == other.status_code == 200
    assert [(row["unit_id"], row["total"]) for row in own.json()["results"]] == [(g.g1.pk, approx(92.67, abs=0.01))]
    assert [row["unit_id"] for row in other.json()["results"]] == [g.g3.pk]
    assert api.as_user(g.g3).get(f"/api/v1/rounds/2026H1/results/grid_worker/{g.g1.pk}/").status_code == 404


# --- 6. drill-down ---------------------------------------------------------------------------------

def test_every_breakdown_row_quotes_the_indicators_and_the_drill_down_counts(small_district):
    g = small_district
    round_ = play(g)

    checked = 0
    for kind, unit in ((K.AGENCY, g.a), (K.AGENCY, g.b), (K.AGENCY, g.e), (K.STREET, g.s), (K.COMMUNITY, g.t1),
                       (K.GRID_WORKER, g.g2)):
        row = result(round_, kind, unit.pk)
        for line in row.breakdown["indicators"]:
            for side in ("numerator", "denominator"):
                count, value = line[side], line[f"{side}_value"]
                assert value == row.indicators[count] == drilldown.total(kind, unit.pk, count, H1_START, H1_END), (
                    kind, line["indicator"], side)
                checked += 1
    assert checked == 2 * (6 + 6 + 6 + 3 + 3 + 2)  # agencies 6 rates each, streets and communities 3, workers 2
    # A's by hand: on time 4 of 5 due, accepted on time 5 of 5, reworked 0 of 5 closed, overdue 1 of 5
    a = result(round_, K.AGENCY, g.a.pk)
    assert {line["indicator"]: (line["numerator_value"], line["denominator_value"])
            for line in a.breakdown["indicators"]} == {
        "on_time_rate": (4, 5), "handling_rate": (5, 5), "response_rate": (5, 5), "rework_rate": (0, 5),
        "return_rate": (0, 5), "overdue_rate": (1, 5)}


CELLS = re.compile(r'<tr data-indicator="(\w+)">.*?<td data-field="numerator">(\d+)</td>'
                   r'<td data-field="denominator">(\d+)</td>', re.S)


def test_the_result_pages_show_the_breakdowns_numbers_and_case_numbers_but_no_phone(small_district, client):
    g = small_district
    round_ = play(g, publish=True)
    a = result(round_, K.AGENCY, g.a.pk)
    numbers = {line["indicator"]: (str(line["numerator_value"]), str(line["denominator_value"]))
               for line in a.breakdown["indicators"]}
    cases = {name: g.cases[name].number for name in ("a1", "a2", "a3", "a4", "a5")}

    internal = signed_in(g.command).get(f"/assessment/rounds/2026H1/results/agency/{g.a.pk}/")
    public = client.get(f"/public/rankings/2026H1/agency/{g.a.pk}/")

    for page in (internal, public):
        assert page.status_code == 200
        html = page.content.decode()
        assert {name: (num, den) for name, num, den in CELLS.findall(html)} == numbers
        assert all(number in html for number in cases.values())
        behind = {line["indicator"]: line["behind"] for line in page.context["indicators"]}
        # on time: a2–a5 of a1–a5; overdue: a1
        assert [r["case"] for r in behind["on_time_rate"]["numerator"]] == sorted(
            cases[n] for n in ("a2", "a3", "a4", "a5"))
        assert [r["case"] for r in behind["on_time_rate"]["denominator"]] == sorted(cases.values())
        assert [r["case"] for r in behind["overdue_rate"]["numerator"]] == [cases["a1"]]
    public_html = public.content.decode()
    assert REPORTER_PHONE not in public_html and mask_phone(REPORTER_PHONE) not in public_html


# --- 7. inquiries ----------------------------------------------------------------------------------

def ask(g: SmallDistrict, target, asked: dt.datetime) -> object:
    return supervision.inquiry_put(body=g.body, actor=g.secretary, target=target.code, subject="质询",
                                   question="请说明情况。", answer_due_at=asked + dt.timedelta(days=14), now=asked)


@pytest.fixture
def inquiries(small_district):
    """The committee's inquiries, each due 14 days after it is asked: to A one answered on time, one
    answered late, one never answered (the sweep marks it); to B two answered on time; to S one on time,
    one never answered."""
    g = small_district
    march = dt.date(2026, 3, 2)
    on_time, late, unanswered = (ask(g, g.a, at(march, 9, days=n)) for n in range(3))
    b1, b2 = (ask(g, g.b, at(march, 9, days=n)) for n in (3, 4))
    s_on_time, s_unanswered = (ask(g, g.s, at(march, 9, days=n)) for n in (7, 8))
    supervision.inquiry_answer(inquiry=on_time, actor=g.head_a, answer="已整改", now=at(march, 9, days=8))
    supervision.inquiry_answer(inquiry=late, actor=g.head_a, answer="已整改", now=at(march, 9, days=18))  # due day 15
    for inquiry in (b1, b2):
        supervision.inquiry_answer(inquiry=inquiry, actor=g.head_b, answer="已整改", now=at(march, 9, days=10))
    supervision.inquiry_answer(inquiry=s_on_time, actor=g.s_staff, answer="已整改", now=at(march, 9, days=10))
    supervision.inquiry_sweep(now=at(march, 12, days=30))
    return {"on_time": on_time, "late": late, "unanswered": unanswered, "s_on_time": s_on_time,
            "s_unanswered": s_unanswered}


def test_inquiries_answered_by_the_deadline_count_on_time_and_late_or_unanswered_ones_overdue(small_district,
                                                                                            inquiries):
    g = small_district
    assert Inquiry.objects.get(pk=inquiries["unanswered"].pk).ever_overdue  # swept

    found = indicators.compute(H1_START, H1_END)

    inquiry_counts = ("inquiries", "inquiries_on_time", "inquiries_overdue", "inquiry_on_time_rate")
    assert [found["agency"][g.a.pk][name] for name in inquiry_counts] == [3, 1, 2, 0.3333]  # 1/3
    assert [found["agency"][g.b.pk][name] for name in inquiry_counts] == [2, 2, 0, 1.0]
    assert [found["street"][g.s.pk][name] for name in inquiry_counts] == [2, 1, 1, 0.5]
    assert [found["department"][g.ga.pk][name] for name in inquiry_counts] == [3, 1, 2, 0.3333]  # A's
    assert [found["street"][g.t.pk][name] for name in inquiry_counts] == [0, 0, 0, None]


def test_the_inquiry_rate_is_a_row_of_the_objective_score(small_district, inquiries):
    g = small_district

    round_ = play(g)

    # A: 1 of 3 on time, shrunk toward the agencies' (1 + 2) / (3 + 2) = 0.6: (3·0.3333 + 5·0.6) / 8 = 0.5
    a = result(round_, K.AGENCY, g.a.pk)
    row = row_of(a, "inquiry_on_time_rate")
    assert (row["weight"], row["numerator"], row["numerator_value"], row["denominator"], row["denominator_value"]) == (
        5, "inquiries_on_time", 1, "inquiries", 3)
    assert (row["rate"], row["mean"], row["shrunk"], row["score"]) == (0.3333, 0.6, True, approx(0.5, abs=0.0001))
    assert (drilldown.total("agency", g.a.pk, "inquiries_on_time", H1_START, H1_END),
            drilldown.total("agency", g.a.pk, "inquiries", H1_START, H1_END)) == (1, 3)
    # the objective now weighs 85: 100 × (74 + 5·0.5) / 85 = 100 × 76.5 / 85 = 90
    assert a.objective == approx(90.0, abs=0.01)
    # S: 1 of 2, the streets' mean 1/2 as well: 0.5 at weight 15, and every weight of the street counts:
    # 100 × (30·0.9 + 20·1 + 35·0.7 + 15·0.5) / 100 = 27 + 20 + 24.5 + 7.5 = 79
    s = result(round_, K.STREET, g.s.pk)
    assert (row_of(s, "inquiry_on_time_rate")["score"], s.objective) == (0.5, approx(79.0, abs=0.01))


def test_the_inquiry_counts_drill_down_to_the_inquiries_behind_them(small_district, inquiries):
    g = small_district

    def refs(kind, unit, count) -> set:
        return {row["ref"] for row in drilldown.rows(kind, unit.pk, count, H1_START, H1_END)}

    # Every count of a published score drills down: A's inquiry row says 1 of 3, and these are they.
    assert [drilldown.total("agency", g.a.pk, count, H1_START, H1_END)
            for count in ("inquiries", "inquiries_on_time", "inquiries_overdue")] == [3, 1, 2]
    assert refs("agency", g.a, "inquiries") == {inquiries[name].pk for name in ("on_time", "late", "unanswered")}
    assert refs("agency", g.a, "inquiries_on_time") == {inquiries["on_time"].pk}
    assert refs("agency", g.a, "inquiries_overdue") == {inquiries["late"].pk, inquiries["unanswered"].pk}
    assert refs("street", g.s, "inquiries_overdue") == {inquiries["s_unanswered"].pk}
    assert refs("department", g.ga, "inquiries") == refs("agency", g.a, "inquiries")
