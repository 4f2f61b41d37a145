"""A year of Haidian, generated: the history `seed_scale` writes for benchmarks.

Each case's story is played through the workflow's own table (`dispatch.workflow`) in memory, with
the same event shapes the services write, and cut at the end of the history: what would happen
after it has not happened yet, so recent cases are still open in every step and some tasks are
overdue. Nothing here calls the services (that would take hours at 1.5 million cases); the rows go
to the database in one COPY per table per day.

Deterministic: day `d` of seed `S` draws only from `Random(f"{S}:{d}")` and from reference data
read in a fixed order, so a resumed run writes what an uninterrupted one would have. Generated
cases carry `external_id = "GEN-<number>"`, which is how `seed_scale` tells them from real ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection

from agencies.models import Agency, Department, District, Street
from demo.cases import (
    DEMO_REPORTS,
    DEPARTMENT_RESULT,
    ESCALATE_REASONS,
    EXTENSION_REASON,
    HOME_PROBLEMS,
    ON_SITE_NOTES,
    RATING_COMMENTS,
    REJECT_REASONS,
    RESULTS,
    RETURN_REASON,
    ROADS,
    STEP_MINUTES,
    SURNAMES,
    VERIFY_FAILED_NOTE,
    VERIFY_PASSED_NOTES,
    phone_number,
)
from dispatch.models import (
    TO_DO_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    ExtensionStatus,
    Priority,
    Satisfaction,
    Source,
    Task,
    TaskRole,
    TaskStatus,
    Tier,
)
from dispatch.services import warn_time
from dispatch.workflow import Action, case_next_status, task_next_status
from grids.models import GridCell
from haidian import reform
from haidian.calendar import SHANGHAI, TimeUnit, add_working_time
from haidian.privacy import blind_index, encrypt

GENERATED_PREFIX = "GEN-"
TO_DO = TO_DO_STATUSES
K = Agency.Kind

# Where reports come from: patrols most, then the hotline (DESIGN §2).
SOURCE_WEIGHTS = {Source.GRID_PATROL: 55, Source.HOTLINE_12345: 28, Source.RESIDENT: 9, Source.STAFF: 6,
                  Source.OPEN311: 2}
# Street-scene problems dominate what patrols and callers report; every other leaf weighs 1.
CATEGORY_WEIGHTS = {
    "A05-01": 14, "A05-03": 12, "A05-08": 10, "A05-07": 7, "A05-02": 4, "A05-04": 3, "A05-06": 3,
    "A02-04": 6, "A02-02": 6, "A02-05": 4, "A02-01": 4, "A02-06": 3, "A04-03": 3, "A04-02": 3,
}
# How a story goes, out of 100 (after the report). `on_site` applies to patrol reports only.
SCENARIO_WEIGHTS = {"reject": 3, "duplicate": 2, "on_site": 24, "normal": 52, "rework": 5, "returned": 4,
                    "extension": 5, "escalated": 3, "escalated_by_street": 2}
LATE_SHARE = 0.08  # lead tasks answered after their due time
COOPERATING_SHARE = 0.12  # dispatches with a co-operating agency
RATED_SHARE = 0.7  # closed cases with a satisfaction rating
SATISFACTION_WEIGHTS = {Satisfaction.SATISFIED: 80, Satisfaction.BASICALLY_SATISFIED: 15,
                        Satisfaction.DISSATISFIED: 5}
HOT_GRID_SHARE, HOT_GRID_FACTOR = 0.05, 6  # markets, metro exits, old compounds
# Reports by hour of the day (Asia/Shanghai): few at night, most in the morning and afternoon.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 11, 8, 9, 12, 13, 12, 10, 8, 7, 6, 4, 2, 1]
# A co-operating agency for a lead of this kind.
PARTNER = {K.HOUSING_OFFICE: K.POLICE_STATION, K.MARKET_OFFICE: K.URBAN_MANAGEMENT_SQUAD,
           K.URBAN_MANAGEMENT_SQUAD: K.MARKET_OFFICE, K.HEALTH_INSPECTION: K.MARKET_OFFICE,
           K.JUSTICE_OFFICE: K.POLICE_STATION, K.POLICE_STATION: K.URBAN_MANAGEMENT_SQUAD}


# --- reference data --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    label: str  # "code name", as the services write `actor_unit`


@dataclass(frozen=True)
class GridRef:
    id: int
    code: str
    community_id: int
    community: str
    street: Unit
    bbox: tuple[float, float, float, float]  # west, south, east, north
    unit: Unit


@dataclass(frozen=True)
class CategoryRef:
    id: int
    code: str
    name: str
    time_limit: float
    unit: str
    agency_kind: str
    department: Unit | None


@dataclass
class World:
    """What every day's stories draw from, read once in a fixed order."""

    grids: list[GridRef]
    grid_weights: list[float]
    categories: list[CategoryRef]
    category_weights: list[int]
    agencies: dict[tuple[int, str], Unit]  # (street id, kind) → agency covering that street
    street_agencies: dict[int, list[Unit]]
    district: Unit  # the command center's unit, which dispatches district-tier cases

    @classmethod
    def load(cls, seed: int) -> World:
        streets = {s.id: Unit(s.id, s.code, f"{s.code} {s}") for s in Street.objects.order_by("id")}
        grids = []
        for grid in GridCell.objects.select_related("community").order_by("id"):
            ring = grid.boundary["coordinates"][0] if grid.boundary.get("type") == "Polygon" else None
            if ring is None:  # a multipolygon: keep to its first part
                ring = grid.boundary["coordinates"][0][0]
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            grids.append(GridRef(grid.id, grid.code, grid.community_id, grid.community.name,
                                 streets[grid.community.street_id], (min(xs), min(ys), max(xs), max(ys)),
                                 Unit(grid.id, grid.code, f"{grid.code} {grid.name}")))
        if not grids:
            raise LookupError("no grids: run seed_haidian (or import_grids) first")
        rng = random.Random(f"{seed}:world")
        weights = [rng.lognormvariate(0, 0.8) * (HOT_GRID_FACTOR if rng.random() < HOT_GRID_SHARE else 1)
                   for _grid in grids]
        departments = {d.id: Unit(d.id, d.code, f"{d.code} {d}") for d in Department.objects.order_by("id")}
        categories = [
            CategoryRef(c.id, c.code, c.name, float(c.time_limit), c.time_limit_unit, c.default_agency_kind,
                        departments.get(c.default_department_id))
            for c in Category.objects.filter(parent__isnull=False).order_by("code")
        ]
        if not categories:
            raise LookupError("no categories: run seed_haidian first")
        agencies: dict[tuple[int, str], Unit] = {}
        street_agencies: dict[int, list[Unit]] = {}
        for agency in Agency.objects.order_by("id").prefetch_related("streets"):
            unit = Unit(agency.id, agency.code, f"{agency.code} {agency}")
            for street in sorted(agency.streets.all(), key=lambda s: s.id):
                agencies.setdefault((street.id, agency.kind), unit)
                street_agencies.setdefault(street.id, []).append(unit)
        district = District.objects.order_by("id").first()
        return cls(grids, weights, categories, [CATEGORY_WEIGHTS.get(c.code, 1) for c in categories],
                   agencies, street_agencies, Unit(district.id, district.code, f"{district.code} {district}"))


# --- one case's story ------------------------------------------------------------------------------

@dataclass
class GenTask:
    unit: Unit
    department: bool
    role: str
    due_at: dt.datetime
    created_at: dt.datetime
    status: str = TaskStatus.PENDING
    accepted_at: dt.datetime | None = None
    responded_at: dt.datetime | None = None
    result: str = ""
    extension_status: str = ExtensionStatus.NONE
    extension_until: dt.datetime | None = None
    extension_reason: str = ""
    id: int | None = None


@dataclass
class GenEvent:
    action: str
    at: dt.datetime
    unit: str
    from_status: str
    to_status: str
    note: str
    data: dict
    task: GenTask | None = None  # the event's task (task actions)
    data_task: GenTask | None = None  # a task named in `data` only (a failed verification)


@dataclass
class GenCase:
    number: str
    title: str
    description: str
    category: CategoryRef | None
    lat: float
    lng: float
    address: str
    grid: GridRef
    source: str
    reporter_name: str
    reporter_phone: str
    created_at: dt.datetime
    status: str = CaseStatus.REPORTED
    tier: str = Tier.STREET
    priority: str = Priority.NORMAL
    rework_count: int = 0
    duplicate_of: GenCase | None = None
    overdue: bool = False
    satisfaction: str = ""
    satisfaction_comment: str = ""
    filed_at: dt.datetime | None = None
    dispatched_at: dt.datetime | None = None
    escalated_at: dt.datetime | None = None
    responded_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    rejected_at: dt.datetime | None = None
    rated_at: dt.datetime | None = None
    tasks: list[GenTask] = field(default_factory=list)
    events: list[GenEvent] = field(default_factory=list)
    id: int | None = None

    @property
    def updated_at(self) -> dt.datetime:
        return self.events[-1].at


class _Cut(Exception):
    """The story reached the end of the history."""


class _Story:
    """Plays one case through the workflow table, stopping at `end`."""

    def __init__(self, case: GenCase, rng: random.Random, world: World, end: dt.datetime) -> None:
        self.case, self.rng, self.world, self.end = case, rng, world, end
        self.at = case.created_at
        self.street = case.grid.street

    # time and events
    def wait(self, step: str, scale: float = 1.0) -> dt.datetime:
        low, high = STEP_MINUTES[step]
        self.at = self.at + dt.timedelta(minutes=self.rng.uniform(low, high) * scale)
        if self.at > self.end:
            raise _Cut
        return self.at

    def until(self, moment: dt.datetime) -> dt.datetime:
        self.at = max(self.at, moment)
        if self.at > self.end:
            raise _Cut
        return self.at

    def case_event(self, action: str, unit: str, note: str = "", data: dict | None = None) -> None:
        case = self.case
        from_status = case.status
        case.status = case_next_status(action, case.status)
        case.events.append(GenEvent(action, self.at, unit, from_status, case.status, note, data or {}))

    def task_event(self, task: GenTask, action: str, note: str = "", data: dict | None = None,
                   case_moves: bool = False, unit: str | None = None) -> None:
        case = self.case
        from_status = case.status
        task.status = task_next_status(action, task.status)
        if case_moves:
            case.status = case_next_status(action, case.status)
        case.events.append(GenEvent(action, self.at, unit or task.unit.label, from_status, case.status, note,
                                    {"task_status": task.status, **(data or {})}, task=task))

    def cancel_open_tasks(self) -> int:
        cancelled = 0
        for task in self.case.tasks:
            if task.status in (TaskStatus.PENDING, TaskStatus.ACCEPTED):
                task.status = TaskStatus.CANCELLED
                cancelled += 1
        return cancelled

    def due(self, category: CategoryRef, start: dt.datetime) -> dt.datetime:
        return add_working_time(start, category.time_limit, category.unit)

    # the steps, each as its service does it
    def reject(self, duplicate_of: GenCase | None) -> None:
        self.wait("reject")
        case = self.case
        if duplicate_of is not None:
            case.duplicate_of = duplicate_of
            self.case_event(Action.REJECT, self.street.label, f"与{duplicate_of.number}反映同一问题，合并办理。",
                            {"duplicate_of": duplicate_of.number})
        else:
            self.case_event(Action.REJECT, self.street.label, self.rng.choice(REJECT_REASONS))
        case.rejected_at = self.at

    def resolve_on_site(self) -> None:
        self.wait("resolve_on_site")
        case = self.case
        case.tier, case.closed_at = Tier.GRID, self.at
        self.case_event(Action.RESOLVE_ON_SITE, case.grid.unit.label,
                        ON_SITE_NOTES.get(case.category.name, "网格员现场处置完毕。"))

    def file(self) -> None:
        self.wait("file")
        case = self.case
        urgent = case.category.unit == TimeUnit.CALENDAR_HOURS and self.rng.random() < 0.5
        case.priority, case.filed_at = (Priority.URGENT if urgent else Priority.NORMAL), self.at
        self.case_event(Action.FILE, self.street.label, data={"category": case.category.code,
                                                              "priority": case.priority})

    def dispatch(self, lead: Unit, cooperating: list[Unit], department: bool = False) -> GenTask:
        case = self.case
        due_at = self.due(case.category, self.at)
        tasks = [GenTask(lead, department, TaskRole.LEAD, due_at, self.at)]
        tasks += [GenTask(unit, department, TaskRole.COOPERATING, due_at, self.at) for unit in cooperating]
        case.tasks.extend(tasks)
        case.dispatched_at, case.overdue = self.at, False
        self.case_event(Action.DISPATCH, self.dispatcher, data={
            "lead": lead.code, "cooperating": [u.code for u in cooperating], "due_at": due_at.isoformat()})
        return tasks[0]

    def handle(self, lead: GenTask, *, late: bool, extension: bool) -> None:
        """Co-operating agencies answer, the lead accepts, perhaps asks for more time, and answers."""
        for helper in self.case.tasks:
            if helper.role == TaskRole.COOPERATING and helper.status == TaskStatus.PENDING:
                self.wait("accept")
                self.task_event(helper, Action.ACCEPT)
                helper.accepted_at = self.at
                self.wait("respond", 0.3)
                helper.responded_at, helper.result = self.at, RESULTS.get(self._kind(helper), "已配合处置。")
                self.task_event(helper, Action.RESPOND, helper.result)
        self.wait("accept")
        self.task_event(lead, Action.ACCEPT)
        lead.accepted_at = self.at
        if extension:
            self.wait("request_extension")
            until = add_working_time(lead.due_at, 3, TimeUnit.WORKING_DAYS)
            lead.extension_status, lead.extension_until = ExtensionStatus.REQUESTED, until
            lead.extension_reason = EXTENSION_REASON
            self.task_event(lead, Action.REQUEST_EXTENSION, EXTENSION_REASON, {"until": until.isoformat()})
            self.wait("approve_extension")
            previous, lead.due_at, lead.extension_status = lead.due_at, until, ExtensionStatus.APPROVED
            self.task_event(lead, Action.APPROVE_EXTENSION, data={"from": previous.isoformat(),
                                                                  "until": until.isoformat()},
                            unit=self.dispatcher)
        self.respond(lead, late=late)

    @property
    def dispatcher(self) -> str:
        return self.world.district.label if self.case.tier == Tier.DISTRICT else self.street.label

    def respond(self, lead: GenTask, *, late: bool) -> None:
        rng = self.rng
        if late:
            self.until(lead.due_at + dt.timedelta(minutes=rng.uniform(60, 3 * 24 * 60)))
        else:
            room = max((lead.due_at - self.at).total_seconds(), 600)
            self.until(self.at + dt.timedelta(seconds=room * rng.uniform(0.1, 0.95)))
        if self.at > lead.due_at:
            self.case.overdue = True
        result = (DEPARTMENT_RESULT.format(department=lead.unit.label.split(" ", 1)[1]) if lead.department
                  else RESULTS.get(self._kind(lead), "已处置完毕。"))
        lead.responded_at, lead.result = self.at, result
        self.case.responded_at = self.at
        self.task_event(lead, Action.RESPOND, result, case_moves=True)

    def verify(self, passed: bool, lead: GenTask | None = None) -> None:
        self.wait("verify" if passed else "verify_failed")
        case = self.case
        verifier = case.grid.unit.label if self.rng.random() < 0.3 else self.street.label
        if passed:
            case.closed_at = self.at
            self.case_event(Action.VERIFY_PASSED, verifier, self.rng.choice(VERIFY_PASSED_NOTES),
                            {"cancelled_tasks": self.cancel_open_tasks()})
            return
        lead.status = task_next_status(Action.VERIFY_FAILED, lead.status)
        lead.due_at = self.due(case.category, self.at)
        case.rework_count += 1
        case.responded_at = None
        self.case_event(Action.VERIFY_FAILED, verifier, VERIFY_FAILED_NOTE,
                        {"rework_count": case.rework_count, "due_at": lead.due_at.isoformat()})
        case.events[-1].data_task = lead

    def rate(self) -> None:
        if self.rng.random() >= RATED_SHARE:
            return
        self.wait("rate")
        case = self.case
        satisfaction = self.rng.choices(list(SATISFACTION_WEIGHTS), weights=list(SATISFACTION_WEIGHTS.values()))[0]
        comment = self.rng.choice(RATING_COMMENTS[satisfaction])
        case.satisfaction, case.satisfaction_comment, case.rated_at = satisfaction, comment, self.at
        unit = "reporter" if case.source in (Source.RESIDENT, Source.OPEN311) else self.street.label
        self.case_event(Action.RATE, unit, comment, {"satisfaction": satisfaction})

    def escalate(self, *, by_system: bool) -> None:
        case = self.case
        if by_system:
            lead = next(t for t in case.tasks if t.role == TaskRole.LEAD and t.status in TaskStatus.active_values())
            # The sweep escalates a lead task overdue by more than a working day.
            self.until(add_working_time(lead.due_at, 1, TimeUnit.WORKING_DAYS))
            case.overdue = True
            reason, unit = ESCALATE_REASONS[2], "system"
        else:
            self.wait("escalate")
            reason, unit = self.rng.choice(ESCALATE_REASONS[:2]), self.street.label
        case.tier, case.escalated_at = Tier.DISTRICT, self.at
        self.case_event(Action.ESCALATE, unit, reason, {"cancelled_tasks": self.cancel_open_tasks()})

    def _kind(self, task: GenTask) -> str:
        return task.unit.code.rsplit("-", 1)[-1]

    # the whole story
    def play(self, scenario: str, duplicate_of: GenCase | None) -> None:
        case, rng, world = self.case, self.rng, self.world
        case.events.append(GenEvent(Action.CREATE, self.at, "", "", CaseStatus.REPORTED,
                                    "", {"source": case.source, "grid": case.grid.code}))
        try:
            if scenario in ("reject", "duplicate"):
                return self.reject(duplicate_of if scenario == "duplicate" else None)
            if scenario == "on_site":
                return self.resolve_on_site()
            self.file()
            agency = world.agencies.get((self.street.id, case.category.agency_kind))
            if agency is None or scenario == "escalated_by_street":
                return self.district(by_system=False)
            if scenario == "returned":
                wrong = rng.choice([u for u in world.street_agencies[self.street.id] if u != agency])
                self.wait("dispatch")
                task = self.dispatch(wrong, [])
                self.wait("return")
                self.task_event(task, Action.RETURN, RETURN_REASON)  # 退单: a request the street reviews
                self.wait("approve_return")
                self.task_event(task, Action.APPROVE_RETURN, case_moves=True, unit=self.street.label)
                self.cancel_open_tasks()
            self.wait("dispatch")
            partner = world.agencies.get((self.street.id, PARTNER.get(case.category.agency_kind, "")))
            helpers = [partner] if partner and partner != agency and rng.random() < COOPERATING_SHARE else []
            lead = self.dispatch(agency, helpers)
            if scenario == "escalated":
                self.wait("accept")
                self.task_event(lead, Action.ACCEPT)
                lead.accepted_at = self.at
                return self.district(by_system=True)
            self.handle(lead, late=rng.random() < LATE_SHARE, extension=scenario == "extension")
            if scenario == "rework":
                self.verify(False, lead)
                self.wait("accept")
                self.respond(lead, late=False)
            self.verify(True)
            self.rate()
        except _Cut:
            self.cut()

    def district(self, *, by_system: bool) -> None:
        """大循环: the district command center dispatches to the category's department."""
        case = self.case
        self.escalate(by_system=by_system)
        self.wait("district_dispatch")
        lead = self.dispatch(case.category.department, [], department=True)
        self.handle(lead, late=self.rng.random() < LATE_SHARE, extension=False)
        self.verify(True)
        self.rate()

    def cut(self) -> None:
        """Open at the end of the history: a live lead task past its due time is overdue."""
        for task in self.case.tasks:
            if task.role == TaskRole.LEAD and task.status in (TaskStatus.PENDING, TaskStatus.ACCEPTED):
                if task.due_at < self.end:
                    self.case.overdue = True


def _point(rng: random.Random, grid: GridRef) -> tuple[float, float]:
    """A point well inside the grid's bounding box (the lattice's cells are rectangles)."""
    west, south, east, north = grid.bbox
    return (round(south + (north - south) * rng.uniform(0.2, 0.8), 6),
            round(west + (east - west) * rng.uniform(0.2, 0.8), 6))


def generate_day(world: World, *, seed: int, day: dt.date, count: int, end: dt.datetime,
                 first_number: int = 1) -> list[GenCase]:
    """`count` cases reported on `day` (Asia/Shanghai), their stories cut at `end`."""
    rng = random.Random(f"{seed}:{day.isoformat()}")
    grids = rng.choices(world.grids, weights=world.grid_weights, k=count)
    categories = rng.choices(world.categories, weights=world.category_weights, k=count)
    sources = rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()), k=count)
    scenarios = rng.choices(list(SCENARIO_WEIGHTS), weights=list(SCENARIO_WEIGHTS.values()), k=count)
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
    seconds = sorted(h * 3600 + rng.randrange(3600) for h in hours)
    midnight = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    cases: list[GenCase] = []
    recent: list[GenCase] = []  # the day's latest accepted reports, which a duplicate repeats
    for i in range(count):
        grid, category, source, scenario = grids[i], categories[i], sources[i], scenarios[i]
        if scenario == "on_site" and source != Source.GRID_PATROL:
            scenario = "normal"
        duplicate_of = rng.choice(recent) if scenario == "duplicate" and recent else None
        if duplicate_of is not None:  # a second caller about the same problem, in the same place
            grid, category = duplicate_of.grid, duplicate_of.category
        lat, lng = _point(rng, grid)
        examples = DEMO_REPORTS.get(category.name)
        if examples:
            title, description = rng.choice(examples)
        else:
            title, description = category.name, f"群众反映{category.name}问题，请尽快核实处理。"
        if category.name in HOME_PROBLEMS:
            address = f"{grid.community}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
        else:
            address = f"{rng.choice(ROADS)}{rng.randint(1, 300)}号附近"
        public = source in (Source.HOTLINE_12345, Source.RESIDENT, Source.OPEN311)
        case = GenCase(
            number=f"HD{day:%Y%m%d}{first_number + i:06d}", title=title, description=description,
            category=category, lat=lat, lng=lng, address=address, grid=grid, source=source,
            reporter_name=f"{rng.choice(SURNAMES)}{rng.choice(['先生', '女士'])}" if public else "",
            reporter_phone=phone_number(rng) if public else "",
            created_at=midnight + dt.timedelta(seconds=seconds[i]),
        )
        _Story(case, rng, world, end).play(scenario, duplicate_of)
        if case.status != CaseStatus.REJECTED:
            recent = [*recent[-49:], case]
        cases.append(case)
    return cases


# --- writing ---------------------------------------------------------------------------------------

CASE_COLUMNS = (
    "id", "number", "title", "description", "category_id", "lat", "lng", "address", "street_id", "community_id",
    "grid_id", "source", "external_id", "reporter_name", "reporter_phone", "reported_by_id", "status", "tier",
    "priority", "rework_count", "duplicate_of_id", "overdue", "satisfaction", "satisfaction_comment",
    "created_at", "filed_at", "dispatched_at", "escalated_at", "responded_at", "closed_at", "rejected_at",
    "rated_at", "updated_at",
    # the loop's facts: lateness kept, returns counted, reviews of dissatisfied ratings, call-backs apart
    "ever_overdue", "reopen_count", "return_count", "public_result", "reporter_email", "alarm_acknowledged_at",
    "review", "callback_satisfaction", "callback_note", "callback_at",
    # COPY bypasses the model fields: the reporter's name and phone are encrypted here (haidian.privacy),
    # and the phone's blind index written beside it
    "reporter_phone_index",
)
# The columns every task row needs (bench/run.py's sweep writes only these: the rest have database
# defaults), then the ones the generated history fills in as the services would.
TASK_COLUMNS = (
    "id", "case_id", "agency_id", "department_id", "role", "status", "due_at", "accepted_at", "responded_at",
    "result", "extension_status", "extension_until", "extension_reason", "warn_at", "created_at",
)
TASK_FACT_COLUMNS = ("accept_due_at", "accepted_late", "ever_overdue", "return_requests", "return_reason",
                     "status_before_return")
EVENT_COLUMNS = ("id", "case_id", "task_id", "action", "actor_id", "actor_unit", "at", "from_status", "to_status",
                 "note", "data")


def _rows(cases: list[GenCase]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    case_rows, task_rows, event_rows = [], [], []
    for case in cases:
        late = {task.id: _ever_overdue(task, case) for task in case.tasks}
        lead_late = any(late[task.id] for task in case.tasks if task.role == TaskRole.LEAD)
        returns = sum(1 for task in case.tasks if task.status == TaskStatus.RETURNED)
        case_rows.append((
            case.id, case.number, case.title, case.description, case.category.id, case.lat, case.lng,
            case.address, case.grid.street.id, case.grid.community_id, case.grid.id, case.source,
            f"{GENERATED_PREFIX}{case.number}", encrypt(case.reporter_name), encrypt(case.reporter_phone), None,
            case.status, case.tier, case.priority, case.rework_count,
            case.duplicate_of.id if case.duplicate_of else None,
            case.overdue, case.satisfaction, case.satisfaction_comment, case.created_at, case.filed_at,
            case.dispatched_at, case.escalated_at, case.responded_at, case.closed_at, case.rejected_at,
            case.rated_at, case.updated_at,
            case.overdue or lead_late, 0, returns, "", "", None,
            "pending" if case.satisfaction == "dissatisfied" else "", "", "", None,
            blind_index(case.reporter_phone),
        ))
        for task in case.tasks:
            task_rows.append((
                task.id, case.id, None if task.department else task.unit.id, task.unit.id if task.department else None,
                task.role, task.status, task.due_at, task.accepted_at, task.responded_at, task.result,
                task.extension_status, task.extension_until, task.extension_reason,
                # the sweep's yellow point, for the tasks still to do at the end of the history
                warn_time(task.created_at, task.due_at) if task.status in TO_DO else None, task.created_at,
                *_acceptance(task), late[task.id], 1 if task.status == TaskStatus.RETURNED else 0,
                RETURN_REASON if task.status == TaskStatus.RETURNED else "", "",
            ))
        for event in case.events:
            data = event.data
            if event.task is not None:
                data = {"task": event.task.id, **data}
            elif event.data_task is not None:
                data = {"task": event.data_task.id, **data}
            event_rows.append((None, case.id, event.task.id if event.task else None, event.action, None, event.unit,
                               event.at, event.from_status, event.to_status, event.note,
                               json.dumps(data, ensure_ascii=False)))
    return case_rows, task_rows, event_rows


def _ever_overdue(task: GenTask, case: GenCase) -> bool:
    """Answered after its due time, or the lead task of a case the history leaves overdue."""
    if task.responded_at is not None:
        return task.responded_at > task.due_at
    return task.role == TaskRole.LEAD and case.overdue


def _acceptance(task: GenTask) -> tuple[dt.datetime, bool]:
    """签收: the accept-by time (2 working hours, never past due) and whether it came late, as
    `dispatch.services.task_accept` / `task_respond` decide it."""
    accept_due = min(add_working_time(task.created_at, reform.ACCEPT_LIMIT_WORKING_HOURS, TimeUnit.WORKING_HOURS),
                     task.due_at)
    if task.accepted_at is not None:
        return accept_due, task.accepted_at > accept_due
    return accept_due, task.responded_at is not None


def _reserve_ids(cursor, model, count: int) -> Iterator[int]:
    if count == 0:
        return iter(())
    table = model._meta.db_table
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
    return iter(row[0] for row in cursor.fetchall())


def _copy(cursor, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(tuple(r"\N" if value is None else value for value in row) for row in rows)
    buffer.seek(0)
    sql = (f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN "
           f"WITH (FORMAT csv, NULL '\\N')")
    cursor.cursor.copy_expert(sql, buffer)


def _may_skip_triggers(cursor) -> bool:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


def write_day(cases: list[GenCase]) -> tuple[int, int, int]:
    """Insert one day's cases, tasks and events with COPY (PostgreSQL only). Run inside a transaction."""
    tasks = [task for case in cases for task in case.tasks]
    events = sum(len(case.events) for case in cases)
    with connection.cursor() as cursor:
        if _may_skip_triggers(cursor):
            # Row triggers (the dashboard's roll-ups) would run once per generated row; the loader
            # rebuilds the roll-ups in one pass when it is done (seed_scale).
            cursor.execute("SET LOCAL session_replication_role = replica")
        case_ids, task_ids = _reserve_ids(cursor, Case, len(cases)), _reserve_ids(cursor, Task, len(tasks))
        event_ids = _reserve_ids(cursor, CaseEvent, events)
        for case in cases:
            case.id = next(case_ids)
        for task in tasks:
            task.id = next(task_ids)
        case_rows, task_rows, event_rows = _rows(cases)
        event_rows = [(next(event_ids), *row[1:]) for row in event_rows]
        _copy(cursor, Case, CASE_COLUMNS, case_rows)
        _copy(cursor, Task, TASK_COLUMNS + TASK_FACT_COLUMNS, task_rows)
        _copy(cursor, CaseEvent, EVENT_COLUMNS, event_rows)
    return len(cases), len(tasks), events
