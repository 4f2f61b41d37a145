"""群众反映强烈: a case is flagged when its grid has had STRONGLY_REFLECTED_REPORTS reports of its
category within STRONGLY_REFLECTED_DAYS, or when that many reporters were merged onto it, and the
street's workbench then suggests a deadline letter."""

import datetime as dt

import pytest

from dispatch import services
from dispatch.letters import services as letters
from dispatch.models import Case
from grids.models import GridCell
from tests.dispatch.conftest import shanghai, signed_in

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 11, 20, 10, 0)


def flagged(*cases) -> list[bool]:
    return [Case.objects.get(pk=case.pk).strongly_reflected_at is not None for case in cases]


def test_the_third_report_of_one_kind_in_a_grid_within_30_days_flags_the_open_ones(make_case, workflow):
    first = workflow.dispatch(make_case(now=NOW - dt.timedelta(days=20)), now=NOW - dt.timedelta(days=20))
    second = workflow.file(make_case(now=NOW - dt.timedelta(days=3)), now=NOW - dt.timedelta(days=3))
    assert flagged(first, second) == [False, False]

    third = workflow.file(make_case(now=NOW), now=NOW)

    assert flagged(first, second, third) == [True, True, True]
    assert Case.objects.get(pk=third.pk).strongly_reflected_at == NOW


def test_reports_older_than_the_window_or_in_another_grid_or_category_do_not_count(make_case, workflow, grid,
                                                                                    category, work_area):
    workflow.file(make_case(now=NOW - dt.timedelta(days=31)), now=NOW - dt.timedelta(days=31))
    neighbour = GridCell.objects.filter(community__street=grid.community.street).exclude(pk=grid.pk).first()
    workflow.file(make_case(at=neighbour, actor=workflow.street_staff, now=NOW), now=NOW)
    other_kind = type(category).objects.create(code="T9902", parent=work_area, name="井盖缺失（测试）", time_limit=1)
    services.case_file(case=make_case(now=NOW), actor=workflow.street_staff, category=other_kind, now=NOW)
    recent = workflow.file(make_case(now=NOW - dt.timedelta(days=1)), now=NOW - dt.timedelta(days=1))

    latest = workflow.file(make_case(now=NOW), now=NOW)

    assert flagged(recent, latest) == [False, False]


def test_an_invalid_report_does_not_count_but_a_closed_one_does_and_stays_unflagged(make_case, workflow,
                                                                                     street_staff):
    invalid = make_case(now=NOW - dt.timedelta(days=2))
    services.case_reject(case=invalid, actor=street_staff, reason="不属于受理范围", now=NOW - dt.timedelta(days=2))
    closed = workflow.close(make_case(now=NOW - dt.timedelta(days=5)), now=NOW - dt.timedelta(days=5))
    second = workflow.file(make_case(now=NOW - dt.timedelta(days=1)), now=NOW - dt.timedelta(days=1))
    assert flagged(second) == [False]

    third = workflow.file(make_case(now=NOW), now=NOW)

    assert flagged(invalid, closed, second, third) == [False, False, True, True]


def test_several_reporters_merged_onto_one_case_flag_it(make_case, workflow, street_staff, grid):
    original = workflow.dispatch(make_case(now=NOW), now=NOW)
    services.case_reject(case=make_case(title="同一处占道"), actor=street_staff, reason="重复", duplicate_of=original,
                         now=NOW)
    assert flagged(original) == [False]

    services.case_reject(case=make_case(title="又一人反映占道"), actor=street_staff, reason="重复",
                         duplicate_of=original, now=NOW)

    assert flagged(original) == [True]


def test_the_workbench_suggests_a_letter_until_one_is_issued(make_case, workflow, street_staff, agency):
    cases = [workflow.dispatch(make_case()) for _ in range(3)]
    client = signed_in(street_staff)

    page = client.get("/workbench/").content.decode()
    assert 'id="strongly-reflected"' in page
    for case in cases:
        assert f"/letters/new/?cases={case.number}" in page

    letters.letter_issue(actor=street_staff, agency=agency, cases=cases[:2], requirement="限期整治。")
    page = client.get("/workbench/").content.decode()
    assert f"?cases={cases[2].number}" in page and f"?cases={cases[0].number}" not in page


def test_the_api_filters_strongly_reflected_cases(api, make_case, workflow, street_staff):
    quiet = make_case(title="路灯不亮")
    loud = [workflow.file(make_case()) for _ in range(3)]
    client = api.as_user(street_staff)

    numbers = {row["number"] for row in client.get("/api/v1/cases/?strongly_reflected=true").json()["results"]}
    others = {row["number"] for row in client.get("/api/v1/cases/?strongly_reflected=false").json()["results"]}

    assert numbers == {case.number for case in loud}
    assert quiet.number in others and not numbers & others
