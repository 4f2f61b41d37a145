"""The public rankings page (考核排名公示): published rounds only, the published version only, no login.

Round and Result rows are computed outputs, so they are written directly here.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Street
from assessment.models import Result, Round, RoundStatus, UnitKind
from tests.conftest import HOME_STREET

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def private_cache(settings):
    # The public workbook is cached; a cache of our own keeps runs and other tests from sharing it.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "public-rankings-tests"}}


def make_round(period: str, status: str, *, version: int = 1, published_version: int | None = None,
               annotation: str = "") -> Round:
    published = status == RoundStatus.PUBLISHED
    return Round.objects.create(
        period=period, status=status, version=version,
        published_version=published_version if published_version is not None else (version if published else None),
        published_at=dt.datetime(2026, 1, 20, 10, tzinfo=SHANGHAI) if published else None,
        annotation=annotation)


def make_result(round_: Round, kind: str, unit_id: int, name: str, rank: int | None, total: float | None, *,
                version: int = 1, code: str = "", grade: str = "B", indicators: dict | None = None,
                breakdown: dict | None = None) -> Result:
    def part(offset: float) -> float | None:
        return None if total is None else total + offset

    return Result.objects.create(
        round=round_, version=version, kind=kind, unit_id=unit_id, unit_code=code or f"code-{kind}-{unit_id}",
        unit_name=name, objective=part(1.25), upward=part(-2.5), downward=part(3.75), satisfaction=part(-4.0),
        total=total, grade=grade, rank=rank, indicators=indicators or {}, breakdown=breakdown or {})


@pytest.fixture
def published_round(db) -> Round:
    """2025H2, published as version 1; version 2 was computed later and is not published."""
    round_ = make_round("2025H2", RoundStatus.PUBLISHED, version=2, published_version=1,
                        annotation="各街道按期结案率普遍提升。\n请排名靠后的单位对照整改。")
    make_result(round_, UnitKind.STREET, 1, "学院路街道", 2, 81.5, grade="B")
    make_result(round_, UnitKind.STREET, 2, "中关村街道", 1, 88.5, grade="A")
    make_result(round_, UnitKind.STREET, 3, "上庄镇", None, None, grade="")
    make_result(round_, UnitKind.STREET, 4, "海淀街道", 3, 70.25, grade="C")
    make_result(round_, UnitKind.GRID_WORKER, 41, "王秀英", 1, 92.0, code="110108007-grid",
                indicators={"reported": 317, "valid": 301, "valid_report_rate": 0.9495},
                breakdown={"streets": [Street.objects.get(code=HOME_STREET).pk]})
    make_result(round_, UnitKind.COMMUNITY, 51, "双榆树社区", 1, 77.0)
    # The newer computation, not published: other numbers and an extra street.
    make_result(round_, UnitKind.STREET, 1, "学院路街道", 1, 11.11, version=2)
    make_result(round_, UnitKind.STREET, 2, "中关村街道", 2, 10.01, version=2)
    make_result(round_, UnitKind.STREET, 5, "版本二新增街道", 3, 9.99, version=2)
    return round_


@pytest.fixture
def latest_round(db) -> Round:
    round_ = make_round("2026H1", RoundStatus.PUBLISHED, annotation="上半年总体平稳。")
    make_result(round_, UnitKind.AGENCY, 7, "中关村派出所", 1, 95.5, grade="A")
    make_result(round_, UnitKind.STREET, 2, "中关村街道", 1, 90.0)
    return round_


@pytest.fixture
def unpublished_rounds(db) -> dict[str, Round]:
    """A round in each status before publication, each with results that must never show."""
    rounds = {
        RoundStatus.DRAFT: make_round("2024H1", RoundStatus.DRAFT, version=0),
        RoundStatus.OPEN: make_round("2024H2", RoundStatus.OPEN, version=0),
        # Closed and computed, with a version already chosen: still not public until published.
        RoundStatus.CLOSED: make_round("2026H2", RoundStatus.CLOSED, version=1, published_version=1),
    }
    for round_ in rounds.values():
        make_result(round_, UnitKind.STREET, 9, "未发布街道", 1, 66.6, version=max(round_.version, 1))
    return rounds


def chart_data(response) -> dict:
    match = re.search(r'<script id="ranking-chart-data" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    assert match, "the chart's JSON block is on the page"
    return json.loads(match.group(1))


def page(client, period: str | None = None, **query):
    url = reverse("assessment:public-rankings") if period is None else reverse(
        "assessment:public-rankings-round", args=[period])
    return client.get(url, query)


def test_the_index_lists_only_published_rounds_newest_first_and_shows_the_latest(
        client, published_round, latest_round, unpublished_rounds):
    response = page(client)

    assert response.status_code == 200
    assert [item["round"].period for item in response.context["rounds"]] == ["2026H1", "2025H2"]
    assert response.context["round"] == latest_round
    html = response.content.decode()
    for round_ in unpublished_rounds.values():
        assert f"/public/rankings/{round_.period}/" not in html
    assert "未发布街道" not in html
    assert "上半年总体平稳。" in html


def test_the_index_says_so_when_nothing_is_published_yet(client, unpublished_rounds):
    response = page(client)

    assert response.status_code == 200
    assert response.context["round"] is None
    assert "未发布街道" not in response.content.decode()


@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED])
def test_a_round_that_is_not_published_is_a_404(client, unpublished_rounds, status):
    period = unpublished_rounds[status].period

    assert page(client, period).status_code == 404
    assert page(client, period, kind="street").status_code == 404
    assert client.get(reverse("assessment:public-results-xlsx", args=[period])).status_code == 404


@pytest.mark.parametrize("period", ["2019H1", "2026H3", "latest"])
def test_an_unknown_period_is_a_404(client, published_round, period):
    assert page(client, period).status_code == 404
    assert client.get(reverse("assessment:public-results-xlsx", args=[period])).status_code == 404


def test_no_login_is_needed(client, published_round):
    response = page(client, "2025H2", kind="street")

    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_the_table_is_in_rank_order_with_the_published_version_only(client, published_round):
    response = page(client, "2025H2", kind="street")

    results = response.context["results"]
    assert [r.unit_name for r in results] == ["中关村街道", "学院路街道", "海淀街道", "上庄镇"]
    assert {r.version for r in results} == {1}
    html = response.content.decode()
    assert html.index("中关村街道") < html.index("学院路街道") < html.index("海淀街道") < html.index("上庄镇")
    # every component of the published numbers: total, objective, upward, downward, satisfaction
    for number in ("88.50", "89.75", "86.00", "92.25", "84.50"):
        assert number in html
    assert "11.11" not in html and "10.01" not in html and "版本二新增街道" not in html
    assert "各街道按期结案率普遍提升。" in html


def test_the_chart_data_holds_the_names_and_totals_in_rank_order(client, published_round):
    data = chart_data(page(client, "2025H2", kind="street"))

    assert data["names"] == ["中关村街道", "学院路街道", "海淀街道", "上庄镇"]
    assert data["totals"] == [88.5, 81.5, 70.25, None]
    assert data["grades"] == ["A", "B", "C", ""]
    assert data["axis"] and data["title"]


def test_the_page_loads_echarts_from_our_own_static_files(client, published_round):
    html = page(client, "2025H2").content.decode()

    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "/static/js/rankings.js" in html
    assert "//cdn" not in html and "unpkg" not in html and "jsdelivr" not in html


def test_the_kind_tabs_offer_the_kinds_ranked_and_a_mistyped_kind_shows_the_first(client, published_round):
    response = page(client, "2025H2", kind="everyone")

    assert [item["kind"] for item in response.context["kinds"]] == [
        UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID_WORKER]
    assert response.context["kind"] == UnitKind.STREET


def test_grid_workers_are_published_by_street_and_never_named(client, published_round):
    response = page(client, "2025H2", kind="grid_worker")

    html = response.content.decode()
    assert "王秀英" not in html and "110108007-grid" not in html
    assert ">317<" not in html  # indicators stay in the district's export
    (row,) = response.context["people"]
    assert (row["people"], row["rated"], row["mean"], row["grades"]) == (1, 1, 92.0, [0, 1, 0, 0, 0])
    assert row["street"] in html
    # nor can a person's result be opened on its own
    assert client.get(reverse("assessment:public-result", args=["2025H2", "grid_worker", 41])).status_code == 404


def test_the_query_count_does_not_grow_with_the_units(client, published_round, latest_round,
                                                      django_assert_max_num_queries):
    Result.objects.bulk_create(
        Result(round=published_round, version=1, kind=UnitKind.COMMUNITY, unit_id=1000 + n, unit_code=f"c{n}",
               unit_name=f"社区{n}", total=50 + n / 10, grade="C", rank=2 + n) for n in range(200))

    with django_assert_max_num_queries(3):
        assert page(client).status_code == 200
    with django_assert_max_num_queries(3):
        response = page(client, "2025H2", kind="community")
    assert len(response.context["results"]) == 201
    Result.objects.bulk_create(
        Result(round=published_round, version=1, kind=UnitKind.GRID_WORKER, unit_id=5000 + n, unit_code=f"g{n}",
               unit_name=f"网格员{n}", total=80.0, grade="B", rank=2 + n, breakdown={"streets": [n % 5 + 1]})
        for n in range(300))
    with django_assert_max_num_queries(4):  # people: their rows and the streets' names
        response = page(client, "2025H2", kind="grid_worker")
    assert sum(row["people"] for row in response.context["people"]) == 301


def test_the_published_results_download_as_excel_without_login(client, published_round):
    response = client.get(reverse("assessment:public-results-xlsx", args=["2025H2"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["说明", "街道(镇)", "社区", "网格员(按街道汇总)"]
    streets = workbook["街道(镇)"]
    assert [row[1] for row in streets.iter_rows(min_row=2, values_only=True)] == [
        "中关村街道", "学院路街道", "海淀街道", "上庄镇"]
    everything = {cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row}
    assert "王秀英" not in everything and "110108007-grid" not in everything  # no person named
    assert workbook["网格员(按街道汇总)"].cell(row=2, column=2).value == 1


@pytest.mark.browser
def test_a_phone_draws_the_chart_from_the_pages_data_offline(live_server, page, transactional_db):
    round_ = make_round("2025H2", RoundStatus.PUBLISHED, annotation="区级批注")
    for n in range(30):  # more bars than fit: the chart scrolls instead of growing
        make_result(round_, UnitKind.COMMUNITY, n + 1, f"社区{n + 1:02d}", n + 1, 95 - n)
    errors, outside = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/public/rankings/")
    page.wait_for_selector("#ranking-chart canvas")

    drawn = page.evaluate("""() => {
        const option = echarts.getInstanceByDom(document.getElementById('ranking-chart')).getOption();
        return {names: option.yAxis[0].data, totals: option.series[0].data.map(d => d.value),
                zoom: option.dataZoom.length};
    }""")
    assert drawn["names"][:2] == ["社区01", "社区02"] and len(drawn["names"]) == 30
    assert drawn["totals"][:2] == [95, 94]
    assert drawn["zoom"] == 2
    assert page.locator("table.ranking-table tbody tr").count() == 30
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors, errors
    assert not outside, outside
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path="var/screenshots/public-rankings.png", full_page=True)


def test_the_public_workbook_is_built_once_and_again_when_the_note_changes(client, published_round,
                                                                         django_assert_max_num_queries):
    url = reverse("assessment:public-results-xlsx", args=["2025H2"])
    first = client.get(url).content

    with django_assert_max_num_queries(1):  # the round only: the workbook comes from the cache
        assert client.get(url).content == first

    Round.objects.filter(pk=published_round.pk).update(annotation="更正后的批注")
    notes = load_workbook(io.BytesIO(client.get(url).content))["说明"]
    assert "更正后的批注" in {value for row in notes.iter_rows(values_only=True) for value in row}
