"""The case and task lists: a pinned number of queries however many rows there are (an N+1 fails
here, STYLE §9), the case list's filters, and cursor pages."""

import datetime as dt
from urllib.parse import urlsplit

import pytest

from dispatch import services
from dispatch.models import Case
from tests.dispatch.conftest import lead_task, shanghai

# Token and user; the user's units, the wider organisation they see and their roles (the scope);
# then the page itself, and for the detail its events, tasks and attachments. Pinned exactly:
# a change here is a decision, not an accident.
SCOPE_QUERIES = 2  # the memberships (one read for gate and roles), the units' streets or districts
CASE_LIST_QUERIES = 1 + SCOPE_QUERIES + 1
TASK_LIST_QUERIES = 1 + SCOPE_QUERIES + 1 + 1  # an agency's scope also looks up the streets it covers
CASE_DETAIL_QUERIES = 1 + SCOPE_QUERIES + 1 + 3 + 1  # + the audit row of the phone the street sees whole


@pytest.fixture
def make_cases(make_case):
    def make(count: int) -> list[Case]:
        start = shanghai(2026, 3, 2, 9)
        return [make_case(title=f"占道经营 {i}", now=start + dt.timedelta(hours=i)) for i in range(count)]

    return make


@pytest.mark.parametrize("rows", [3, 30])
def test_the_case_list_takes_the_same_queries_for_3_or_30_cases(
    api, make_cases, workflow, street_staff, django_assert_max_num_queries, rows
):
    cases = make_cases(rows)
    workflow.dispatch(cases[0])  # a case with a category and tasks renders too
    client = api.as_user(street_staff)

    with django_assert_max_num_queries(CASE_LIST_QUERIES):
        response = client.get("/api/v1/cases/?page_size=50")

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_task_list_takes_the_same_queries_for_3_or_30_tasks(
    api, make_cases, workflow, agency_head, django_assert_max_num_queries, rows
):
    for case in make_cases(rows):
        workflow.dispatch(case, cooperating=False)
    client = api.as_user(agency_head)

    with django_assert_max_num_queries(TASK_LIST_QUERIES):
        response = client.get("/api/v1/tasks/?page_size=50")

    assert len(response.json()["results"]) == rows


def _grow_timeline(case: Case, *, agency_head, street_staff, events: int) -> None:
    """Add events: the agency accepts (one), then requests and the street approves extensions (two)."""
    task = lead_task(case)
    if (events - case.events.count()) % 2:
        task = services.task_accept(task=task, actor=agency_head)
    while case.events.count() + 2 <= events:
        services.task_request_extension(task=task, actor=agency_head, until=task.due_at + dt.timedelta(days=1),
                                        reason="需协调")
        task = services.task_approve_extension(task=task, actor=street_staff)


@pytest.mark.parametrize("events", [3, 20])
def test_the_case_detail_takes_the_same_queries_for_3_or_20_events(
    api, dispatched_case, agency_head, street_staff, django_assert_max_num_queries, events
):
    _grow_timeline(dispatched_case, agency_head=agency_head, street_staff=street_staff, events=events)
    client = api.as_user(street_staff)

    with django_assert_max_num_queries(CASE_DETAIL_QUERIES):
        response = client.get(f"/api/v1/cases/{dispatched_case.number}/")

    assert len(response.json()["events"]) == events
    assert len(response.json()["tasks"]) == 2


# --- filters ---------------------------------------------------------------------------------------

@pytest.fixture
def assorted_cases(make_case, workflow, other_grid, street_staff):
    """Five cases a day apart from 2 March 2026: reported, filed, dispatched and overdue, escalated,
    and one in another street."""
    day = shanghai(2026, 3, 2, 9)
    reported = make_case(title="reported", now=day)
    filed = workflow.file(make_case(title="filed", now=day + dt.timedelta(days=1)))
    overdue = workflow.dispatch(make_case(title="overdue", now=day + dt.timedelta(days=2)))
    Case.objects.filter(pk=overdue.pk).update(overdue=True)  # as the deadline sweep would
    escalated = services.case_escalate(case=workflow.file(make_case(title="escalated", now=day + dt.timedelta(days=3))),
                                       actor=street_staff, reason="街道无法协调")
    elsewhere = make_case(title="elsewhere", at=other_grid, now=day + dt.timedelta(days=4))
    return {case.title: case.number for case in (reported, filed, overdue, escalated, elsewhere)}


@pytest.mark.parametrize(
    "query, titles",
    [
        ("", ["elsewhere", "escalated", "overdue", "filed", "reported"]),
        ("status=filed", ["escalated", "filed"]),
        ("status=reported&status=dispatched", ["elsewhere", "overdue", "reported"]),
        ("tier=district", ["escalated"]),
        ("tier=street", ["elsewhere", "overdue", "filed", "reported"]),
        ("street={other_street}", ["elsewhere"]),
        ("street={street}", ["escalated", "overdue", "filed", "reported"]),
        ("grid={grid}", ["escalated", "overdue", "filed", "reported"]),
        ("category={category}", ["escalated", "overdue", "filed"]),
        ("overdue=true", ["overdue"]),
        ("overdue=false", ["elsewhere", "escalated", "filed", "reported"]),
        ("created_after=2026-03-04T09:00:00%2B08:00", ["elsewhere", "escalated", "overdue"]),
        ("created_before=2026-03-04T09:00:00%2B08:00", ["filed", "reported"]),
        ("created_after=2026-03-03T00:00:00%2B08:00&created_before=2026-03-05T00:00:00%2B08:00",
         ["overdue", "filed"]),
        ("status=filed&tier=street", ["filed"]),
    ],
)
def test_each_filter_narrows_the_case_list(
    api, assorted_cases, district_command, street, other_street, grid, category, query, titles
):
    url = "/api/v1/cases/?" + query.format(street=street.code, other_street=other_street.code, grid=grid.code,
                                           category=category.code)
    response = api.as_user(district_command).get(url)
    assert response.status_code == 200, response.json()
    assert [row["number"] for row in response.json()["results"]] == [assorted_cases[t] for t in titles]


def test_an_unknown_status_filter_is_400(api, district_command):
    response = api.as_user(district_command).get("/api/v1/cases/?status=lost")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_the_task_list_filters_by_status_and_role(api, make_cases, workflow, cooperating_head, street_staff):
    first, second = (workflow.dispatch(case) for case in make_cases(2))
    services.task_accept(task=first.tasks.get(role="cooperating"), actor=cooperating_head)
    client = api.as_user(cooperating_head)
    assert [row["case"] for row in client.get("/api/v1/tasks/?status=accepted").json()["results"]] == [first.number]
    assert [row["case"] for row in client.get("/api/v1/tasks/?status=pending").json()["results"]] == [second.number]
    assert client.get("/api/v1/tasks/?role=lead").json()["results"] == []


# --- cursor pages ------------------------------------------------------------------------------------

def _numbers(response) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


def _path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_the_case_list_pages_newest_first_with_a_cursor(api, make_cases, street_staff):
    newest_first = [case.number for case in reversed(make_cases(5))]
    client = api.as_user(street_staff)

    first = client.get("/api/v1/cases/?page_size=2")
    assert _numbers(first) == newest_first[:2]
    assert first.json()["previous"] is None

    second = client.get(_path(first.json()["next"]))
    assert _numbers(second) == newest_first[2:4]

    third = client.get(_path(second.json()["next"]))
    assert _numbers(third) == newest_first[4:]
    assert third.json()["next"] is None

    back = client.get(_path(second.json()["previous"]))
    assert _numbers(back) == newest_first[:2]


def test_a_case_reported_between_two_pages_does_not_shift_the_next_page(api, make_cases, make_case, street_staff):
    newest_first = [case.number for case in reversed(make_cases(4))]
    client = api.as_user(street_staff)
    first = client.get("/api/v1/cases/?page_size=2")

    make_case(title="new", now=shanghai(2026, 3, 5, 9))

    assert _numbers(client.get(_path(first.json()["next"]))) == newest_first[2:]
