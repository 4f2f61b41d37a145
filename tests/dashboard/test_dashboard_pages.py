"""The dashboard's pages and API: who sees which street, the numbers, the pinned query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from dispatch import services
from tests.dispatch.conftest import lead_task, signed_in

pytestmark = pytest.mark.django_db


def test_the_district_sees_all_and_a_street_only_its_own(district_command, street_staff, street, other_street,
                                                         agency_head):
    assert signed_in(district_command).get("/dashboard/").context["street"] is None
    assert signed_in(district_command).get(f"/dashboard/?street={other_street.code}").context["street"] == other_street
    assert signed_in(street_staff).get("/dashboard/").context["street"] == street
    assert signed_in(street_staff).get(f"/dashboard/?street={other_street.code}").status_code == 404
    assert signed_in(agency_head).get("/dashboard/").status_code == 404


def test_the_summary_api_gives_the_pages_numbers(api, district_command, street_staff, make_case, workflow, street,
                                                 other_street):
    workflow.close(make_case())
    workflow.dispatch(make_case())
    today = timezone.localdate()
    client = api.as_user(district_command)

    whole = client.get("/api/v1/dashboard/summary/").json()
    mine = api.as_user(street_staff).get("/api/v1/dashboard/summary/", {
        "since": today.isoformat(), "until": (today + dt.timedelta(days=1)).isoformat()}).json()

    assert whole["reported_today"] == whole["reported"] == mine["reported"] == 2
    assert (mine["open"], mine["closed"], mine["accepted"], mine["closure_rate"]) == (1, 1, 2, 0.5)
    assert api.as_user(street_staff).get("/api/v1/dashboard/summary/",
                                         {"street": other_street.code}).status_code == 404
    assert client.get("/api/v1/dashboard/summary/", {"since": "2026-13-01"}).status_code == 400
    assert client.get("/api/v1/dashboard/summary/", {"since": "2026-06-01", "until": "2026-05-01"}).status_code == 400


def test_the_map_data_colours_grids_and_a_click_lists_their_cases(district_command, make_case, workflow, grid):
    case = workflow.dispatch(make_case())
    client = signed_in(district_command)

    data = client.get("/dashboard/data.json").json()
    outlines = client.get("/dashboard/grids.geojson").json()
    listed = client.get(f"/dashboard/grids/{grid.code}/").content.decode()

    assert data["grids"][str(grid.pk)] == {"open": 1, "overdue": 0}
    assert sum(data["trends"]["reported"]) == 1
    assert len(outlines["features"]) == 3000 and outlines["features"][0]["geometry"]["type"] in ("Polygon",
                                                                                                  "MultiPolygon")
    assert case.number in listed


def _critical_and_returned_twice(make_case, workflow, street_staff, cooperating_head, cooperating_agency) -> None:
    """A critical case whose alarm rings, and a case its agency asked twice to return (both refused)."""
    services.case_file(case=make_case(), actor=street_staff, category=workflow.category, priority="critical")
    case = services.case_dispatch(case=workflow.file(make_case()), actor=street_staff, lead=cooperating_agency.code)
    for _ in range(2):
        services.task_return(task=lead_task(case), actor=cooperating_head, reason="不属本单位职责")
        services.task_refuse_return(task=lead_task(case), actor=street_staff, reason="属于本单位职责")


# The page: the session and user, the streets for the picker, the summary's roll-ups (cases, tasks,
# grids, today), the rankings (streets, agencies and their names), the alarms, the cases returned
# twice or more, the feed, the escalated cases, the overdue letters. The alarms and the returned
# cases are one short index read each (+2 since issue 15); the counts behind their tiles come with
# the grids' roll-up the summary already reads.
@pytest.mark.parametrize(("path", "pin"), [("/dashboard/", 19), ("/dashboard/panels/", 18),
                                           ("/dashboard/data.json", 8)])
def test_the_dashboard_keeps_a_constant_number_of_queries(path, pin, district_command, make_case, workflow,
                                                          street_staff, cooperating_head, cooperating_agency,
                                                          django_assert_max_num_queries):
    client = signed_in(district_command)
    workflow.dispatch(make_case())
    with django_assert_max_num_queries(pin):
        client.get(path)
    for _ in range(6):
        workflow.close(make_case())
        _critical_and_returned_twice(make_case, workflow, street_staff, cooperating_head, cooperating_agency)
    with django_assert_max_num_queries(pin):
        response = client.get(path)
    assert response.status_code == 200
    if path != "/dashboard/data.json":
        html = response.content.decode()
        assert html.count('data-case="HD') == 6 + 6  # six alarms, six cases returned twice: all listed
