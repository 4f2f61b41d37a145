"""The case workflow's data: a 3-working-day category, a case reported in the home grid, and the
cast's next moves through the services.

Cases are made the way production makes them, through `dispatch.services`, never with
`objects.create`, so every fixture case has its number, grid, street and event log.

The API client is the root one (tests/conftest.py `api`): in English, failing the test on any 5xx.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from agencies.models import Agency, Department
from dispatch import services
from dispatch.models import Case, Category, Source, Task, TaskRole, TaskStatus
from grids.models import GridCell
from haidian.calendar import SHANGHAI
from haidian.permissions import Role
from tests.conftest import OTHER_STREET, make_user

REPORTER_PHONE = "13812345678"
WORK_AREA_CODE = "T99"
CATEGORY_CODE = "T9901"


def shanghai(*args) -> dt.datetime:
    """An aware Asia/Shanghai datetime: shanghai(2026, 9, 30, 10)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def forms_on(response) -> set[str]:
    """The action forms a page offers, by the data-action of their submit buttons."""
    html = response.content.decode()
    return {chunk.split('"', 1)[0] for chunk in html.split('data-action="')[1:]}


def lead_task(case: Case) -> Task:
    """The case's live lead task (at most one exists; the database sees to it)."""
    return Task.objects.get(case=case, role=TaskRole.LEAD, status__in=TaskStatus.active_values())


# --- reference data ------------------------------------------------------------------------------

@pytest.fixture
def work_area(db):
    area, _created = Category.objects.get_or_create(code=WORK_AREA_CODE, defaults={"name": "协调城市运行（测试）"})
    return area


@pytest.fixture
def category(work_area):
    """A leaf with a 3-working-day time limit, handled by default by urban management (城管大队)."""
    leaf, _created = Category.objects.get_or_create(
        code=CATEGORY_CODE,
        defaults={
            "parent": work_area,
            "name": "占道经营（测试）",
            "time_limit": 3,
            "time_limit_unit": "working_days",
            "default_department": Department.objects.get(code="110108-cg"),
        },
    )
    return leaf


@pytest.fixture
def cooperating_agency(street):
    """Another agency serving the home street: its urban-management squad (城管分队)."""
    return Agency.objects.get(code=f"{street.code}-cgfd")


@pytest.fixture
def other_agency(other_street):
    """The police station of another street."""
    return Agency.objects.get(code=f"{OTHER_STREET}-pcs")


# --- more of the cast ----------------------------------------------------------------------------

@pytest.fixture
def other_agency_head(other_agency):
    return make_user("other-agency-head", Role.AGENCY_HEAD, [other_agency])


@pytest.fixture
def cooperating_head(cooperating_agency):
    return make_user("cooperating-head", Role.AGENCY_HEAD, [cooperating_agency])


@pytest.fixture
def other_grid(other_street):
    return GridCell.objects.filter(community__street=other_street).order_by("code").first()


@pytest.fixture
def other_grid_worker(other_grid):
    return make_user("other-grid-worker", Role.GRID_WORKER, [other_grid])


@pytest.fixture
def nobody(db):
    """Signed in, but serving in no unit."""
    return make_user("nobody")


# --- cases ---------------------------------------------------------------------------------------

@pytest.fixture
def make_case(grid, grid_worker):
    """Report a case at the centre of the home grid (or of `at`), as its grid worker on patrol."""

    def make(*, title: str = "占道经营", at: GridCell | None = None, actor=None, now: dt.datetime | None = None,
             **fields) -> Case:
        where = at or grid
        fields = {"source": Source.GRID_PATROL, "reporter_phone": REPORTER_PHONE, **fields}
        return services.case_create(actor=actor or grid_worker, title=title, lat=where.centroid_lat,
                                    lng=where.centroid_lng, now=now, **fields)

    return make


@pytest.fixture
def reported_case(make_case):
    return make_case()


class Workflow:
    """Moves a case along the workflow through the services, each step as the cast member who does it."""

    def __init__(self, *, street_staff, agency_head, category, agency, cooperating_agency):
        self.street_staff = street_staff
        self.agency_head = agency_head
        self.category = category
        self.agency = agency
        self.cooperating_agency = cooperating_agency

    def file(self, case: Case, *, now: dt.datetime | None = None) -> Case:
        return services.case_file(case=case, actor=self.street_staff, category=self.category, now=now)

    def dispatch(self, case: Case, *, cooperating: bool = True, now: dt.datetime | None = None) -> Case:
        if case.status == "reported":
            case = self.file(case, now=now)
        return services.case_dispatch(
            case=case, actor=self.street_staff, lead=self.agency.code,
            cooperating=[self.cooperating_agency.code] if cooperating else [], now=now,
        )

    def respond(self, case: Case, *, now: dt.datetime | None = None) -> Case:
        if case.status in ("reported", "filed"):
            case = self.dispatch(case, now=now)
        task = services.task_accept(task=lead_task(case), actor=self.agency_head, now=now)
        services.task_respond(task=task, actor=self.agency_head, result="已清理占道摊点", now=now)
        return Case.objects.get(pk=case.pk)

    def close(self, case: Case, *, now: dt.datetime | None = None) -> Case:
        if case.status != "responded":
            case = self.respond(case, now=now)
        return services.case_verify(case=case, actor=self.street_staff, passed=True, now=now)


@pytest.fixture
def workflow(street_staff, agency_head, category, agency, cooperating_agency):
    return Workflow(street_staff=street_staff, agency_head=agency_head, category=category, agency=agency,
                    cooperating_agency=cooperating_agency)


@pytest.fixture
def filed_case(reported_case, workflow):
    return workflow.file(reported_case)


@pytest.fixture
def dispatched_case(reported_case, workflow):
    """Filed and dispatched: the home street's police station leads, its urban-management squad helps."""
    return workflow.dispatch(reported_case)


@pytest.fixture
def responded_case(reported_case, workflow):
    return workflow.respond(reported_case)


@pytest.fixture
def closed_case(reported_case, workflow):
    return workflow.close(reported_case)
