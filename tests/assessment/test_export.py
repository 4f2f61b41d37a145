"""The results workbook (assessment.export.results_workbook): 说明 first, one sheet per kind, in Chinese.

Round and Result rows are computed outputs, so they are written directly here.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from agencies.models import Street
from assessment.export import results_workbook
from assessment.models import Result, Round, RoundStatus, UnitKind
from tests.conftest import HOME_STREET

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SCORE_HEADER = ["排名", "名称", "代码", "等级", "总分", "客观指标", "向上评价", "向下评价", "群众满意度",
                "监督委员会评价", "回访满意度(不计入)", "样本量"]
STREET_INDICATORS = {"volume": 120, "accepted": 110, "closed": 100, "closed_on_time": 96, "public_reports": 30,
                     "closure_rate": 0.9091, "on_time_closure_rate": 0.8727, "public_report_rate": 0.2727}


def make_result(round_: Round, kind: str, unit_id: int, name: str, rank: int | None, total: float | None, *,
                version: int = 1, code: str = "", grade: str = "B", indicators: dict | None = None,
                breakdown: dict | None = None) -> Result:
    return Result.objects.create(
        round=round_, version=version, kind=kind, unit_id=unit_id, unit_code=code or f"{kind}-{unit_id}",
        unit_name=name, objective=None if total is None else total - 1, upward=70.0, downward=80.0,
        satisfaction=90.0, total=total, grade=grade, rank=rank, indicators=indicators or {},
        breakdown=breakdown or {})


@pytest.fixture
def published_round(db) -> Round:
    """2025H2: version 1 published, version 2 computed later with other numbers."""
    round_ = Round.objects.create(
        period="2025H2", status=RoundStatus.PUBLISHED, version=2, published_version=1,
        published_at=dt.datetime(2026, 1, 20, 10, tzinfo=SHANGHAI),
        weight_objective=50, weight_upward=20, weight_downward=15, weight_satisfaction=15, weight_oversight=0,
        annotation="按期结案率普遍提升。")
    make_result(round_, UnitKind.STREET, 1, "学院路街道", 2, 81.5, indicators=STREET_INDICATORS)
    make_result(round_, UnitKind.STREET, 2, "中关村街道", 1, 88.5, grade="A",
                indicators=STREET_INDICATORS | {"volume": 240, "closure_rate": 0.9512})
    make_result(round_, UnitKind.STREET, 3, "上庄镇", None, None, grade="",
                indicators={"volume": 0, "closure_rate": None})
    make_result(round_, UnitKind.AGENCY, 7, "中关村派出所", 1, 95.5, grade="A",
                indicators={"due": 40, "handled": 38, "handling_rate": 0.95, "overdue": 2, "pilot_index": 7})
    home = Street.objects.get(code=HOME_STREET)
    make_result(round_, UnitKind.GRID_WORKER, 41, "王秀英", 1, 92.0, code="110108007-grid",
                indicators={"reported": 317, "valid_report_rate": 0.9495, "patrols": 120},
                breakdown={"streets": [home.pk]})
    make_result(round_, UnitKind.STREET, 2, "中关村街道", 1, 11.11, version=2, indicators={"volume": 999})
    return round_


def open_book(content: bytes):
    return load_workbook(io.BytesIO(content))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def notes(workbook) -> dict:
    return {label: value for label, value in rows(workbook["说明"])}


def test_there_is_a_notes_sheet_first_and_a_sheet_per_kind_present(published_round):
    workbook = open_book(results_workbook(published_round))

    assert workbook.sheetnames == ["说明", "街道(镇)", "派驻机构", "网格员"]


def test_the_published_version_is_the_default(published_round):
    workbook = open_book(results_workbook(published_round))

    assert notes(workbook)["结果版本"] == 1
    streets = workbook["街道(镇)"]
    assert [row[1] for row in rows(streets)[1:]] == ["中关村街道", "学院路街道", "上庄镇"]
    assert 11.11 not in {value for row in rows(streets) for value in row}


def test_a_count_and_a_rate_of_a_unit_are_in_their_columns(published_round):
    streets = open_book(results_workbook(published_round))["街道(镇)"]

    header = [cell.value for cell in streets[1]]
    assert header == SCORE_HEADER + ["受理量", "立案数", "结案数", "按期结案数", "监督举报数",
                                     "结案率", "按期结案率", "监督举报率"]
    zhongguancun = streets[2]
    assert [cell.value for cell in zhongguancun[:9]] == [1, "中关村街道", "street-2", "A", 88.5, 87.5, 70.0, 80.0,
                                                          90.0]
    volume, closure_rate = zhongguancun[12], zhongguancun[17]
    assert (volume.column_letter, volume.value) == ("M", 240)
    assert (closure_rate.column_letter, closure_rate.value) == ("R", 0.9512)
    assert closure_rate.number_format == "0.00%"
    assert volume.number_format == "General"


def test_rows_follow_the_rank_and_unranked_units_come_last_with_empty_cells(published_round):
    streets = open_book(results_workbook(published_round))["街道(镇)"]

    last = rows(streets)[-1]
    assert last[:5] == (None, "上庄镇", "street-3", None, None)
    assert last[12] == 0 and last[17] is None


def test_an_unknown_indicator_keeps_its_key_after_the_standard_ones(published_round):
    agencies = open_book(results_workbook(published_round))["派驻机构"]

    header = [cell.value for cell in agencies[1]]
    assert header == SCORE_HEADER + ["应处置数", "处置数", "超期数", "处置率", "pilot_index"]
    assert agencies["P2"].value == 0.95 and agencies["P2"].number_format == "0.00%"
    assert agencies["Q2"].value == 7


def test_an_explicit_version_exports_that_computation(published_round):
    workbook = open_book(results_workbook(published_round, 2))

    assert workbook.sheetnames == ["说明", "街道(镇)"]
    assert rows(workbook["街道(镇)"])[1][:5] == (1, "中关村街道", "street-2", "B", 11.11)
    assert rows(workbook["街道(镇)"])[1][12] == 999
    assert notes(workbook)["结果版本"] == 2
    assert notes(workbook)["版本说明"].startswith("未发布")


def test_the_notes_sheet_holds_the_round_weights_status_and_annotation(published_round):
    facts = notes(open_book(results_workbook(published_round)))

    assert facts["考核轮次"] == "2025H2"
    assert facts["轮次状态"] == "已发布"
    assert facts["版本说明"] == "已发布版本"
    assert (facts["客观指标权重"], facts["向上评价权重"], facts["向下评价权重"], facts["群众满意度权重"]) == (
        "50%", "20%", "15%", "15%")
    assert facts["区级批注"] == "按期结案率普遍提升。"
    assert facts["发布时间"] == "2026-01-20 10:00"
    assert "计算时间" not in facts  # the round's latest computation is version 2, not this one


def test_an_unpublished_round_exports_its_current_version(db):
    round_ = Round.objects.create(period="2026H1", status=RoundStatus.CLOSED, version=3,
                                  computed_at=dt.datetime(2026, 7, 3, 9, 30, tzinfo=SHANGHAI))
    make_result(round_, UnitKind.COMMUNITY, 51, "旧版本社区", 1, 60.0, version=2)
    make_result(round_, UnitKind.COMMUNITY, 51, "双榆树社区", 1, 77.0, version=3)

    workbook = open_book(results_workbook(round_))

    assert notes(workbook)["结果版本"] == 3
    assert notes(workbook)["轮次状态"] == "评价已结束"
    assert notes(workbook)["计算时间"] == "2026-07-03 09:30"
    assert [row[1] for row in rows(workbook["社区"])[1:]] == ["双榆树社区"]


def test_a_round_without_results_has_only_the_notes(db):
    round_ = Round.objects.create(period="2026H1", status=RoundStatus.DRAFT)

    workbook = open_book(results_workbook(round_))

    assert workbook.sheetnames == ["说明"]
    assert notes(workbook)["包含类别"] == "无"


def test_a_name_that_looks_like_a_formula_stays_text(published_round):
    make_result(published_round, UnitKind.COMMUNITY, 99, '=HYPERLINK("http://evil.example","点我")', 1, 50.0)

    community = open_book(results_workbook(published_round))["社区"]

    assert community["B2"].data_type == "s"
    assert community["B2"].value == '=HYPERLINK("http://evil.example","点我")'


def test_the_public_copy_names_no_person_and_sums_people_up_by_street(published_round):
    workbook = open_book(results_workbook(published_round, public=True))

    assert "网格员" not in workbook.sheetnames
    workers = workbook["网格员(按街道汇总)"]
    assert [cell.value for cell in workers[1]] == ["街道(镇)", "参评人数", "有总分人数", "平均总分", "A", "B", "C",
                                                  "D", "E"]
    assert rows(workers)[1] == (Street.objects.get(code=HOME_STREET).name, 1, 1, 92.0, 0, 1, 0, 0, 0)
    everything = {value for sheet in workbook for row in rows(sheet) for value in row}
    assert "王秀英" not in everything and "110108007-grid" not in everything
    assert [cell.value for cell in workbook["街道(镇)"][1]][:3] == ["排名", "名称", "代码"]


def test_the_rates_of_grid_workers_are_percentages(published_round):
    workers = open_book(results_workbook(published_round))["网格员"]

    header = [cell.value for cell in workers[1]]
    assert header[12:] == ["上报数", "巡查次数", "有效上报率"]
    rate = workers.cell(row=2, column=15)
    assert (rate.value, rate.number_format) == (0.9495, "0.00%")


def test_the_export_reads_the_results_in_one_query(published_round, django_assert_max_num_queries):
    Result.objects.bulk_create(
        Result(round=published_round, version=1, kind=UnitKind.COMMUNITY, unit_id=1000 + n, unit_name=f"社区{n}",
               total=50.0, rank=n + 1, indicators={"volume": n}) for n in range(300))

    with django_assert_max_num_queries(1):
        content = results_workbook(published_round)

    assert open_book(content)["社区"].max_row == 301
