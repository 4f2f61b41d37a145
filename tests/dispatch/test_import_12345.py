"""`manage.py import_12345`: work orders of the 12345 hotline become reported cases; bad rows are
named by line and do not stop the good ones; importing a file again creates nothing new."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from dispatch.models import Case, CaseStatus, Source, Tier
from grids.models import GridCell
from haidian.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

HEADER = ["time", "content", "address", "lat", "lng", "phone", "hotline_number"]
SHANGHAI_PEOPLES_SQUARE = (31.2304, 121.4737)
LONG_CONTENT = "学院路20号院东门外每天早上有十几个流动商贩摆摊卖菜，占满人行道，行人只能走机动车道，请尽快处理。"


@pytest.fixture
def other_grid(other_street):
    return GridCell.objects.filter(community__street=other_street).order_by("code").last()


def write_csv(path, rows, *, bom=False, header=HEADER):
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def import_12345(path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_12345", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_with_errors(path) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    # The assertions read English; do not depend on the language an earlier test left active.
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("import_12345", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(raised.value)


@pytest.fixture
def mixed_file(tmp_path, grid, other_grid):
    """Two good work orders and, on lines 3, 5 and 6, three bad ones."""
    return write_csv(tmp_path / "12345.csv", [
        ["2026-03-02 08:15:00", LONG_CONTENT, "学院路20号院", grid.centroid_lat, grid.centroid_lng,
         "13800138000", "GD2026030200017"],
        ["2026-03-02 09:00", "路灯不亮", "", "forty", grid.centroid_lng, "", "GD2026030200018"],
        ["2026-03-02 09:30:00+08:00", "楼道里有燃气味", "北洼路9号", other_grid.centroid_lat, other_grid.centroid_lng,
         "13900139000", "GD2026030200019"],
        ["2026-03-02 10:00", "上海的问题", "人民广场", *SHANGHAI_PEOPLES_SQUARE, "", "GD2026030200020"],
        ["yesterday morning", "暖气不热", "", grid.centroid_lat, grid.centroid_lng, "", "GD2026030200021"],
    ])


def hotline_cases():
    return Case.objects.filter(source=Source.HOTLINE_12345)


def test_good_rows_become_reported_hotline_cases_located_in_their_grid(mixed_file, grid, other_grid):
    import_with_errors(mixed_file)

    first = hotline_cases().get(external_id="GD2026030200017")
    second = hotline_cases().get(external_id="GD2026030200019")
    assert hotline_cases().count() == 2
    assert (first.status, first.tier, first.reported_by) == (CaseStatus.REPORTED, Tier.STREET, None)
    assert (first.grid, first.community, first.street) == (grid, grid.community, grid.community.street)
    assert second.grid == other_grid


def test_a_case_keeps_the_work_orders_content_address_and_phone(mixed_file):
    import_with_errors(mixed_file)

    case = hotline_cases().get(external_id="GD2026030200017")
    assert case.title == LONG_CONTENT[:30]
    assert case.description == LONG_CONTENT
    assert (case.address, case.reporter_phone) == ("学院路20号院", "13800138000")
    assert case.number.startswith("HD20260302")


def test_a_time_without_an_offset_is_beijing_time(mixed_file):
    import_with_errors(mixed_file)

    case = hotline_cases().get(external_id="GD2026030200017")
    assert case.created_at == dt.datetime(2026, 3, 2, 8, 15, tzinfo=SHANGHAI)
    assert case.created_at == dt.datetime(2026, 3, 2, 0, 15, tzinfo=dt.UTC)


def test_a_time_with_an_offset_keeps_it(mixed_file):
    import_with_errors(mixed_file)

    case = hotline_cases().get(external_id="GD2026030200019")
    assert case.created_at == dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)


def test_the_report_is_on_the_case_timeline_without_an_actor(mixed_file):
    import_with_errors(mixed_file)

    event = hotline_cases().get(external_id="GD2026030200017").events.get()
    assert (event.action, event.actor, event.to_status) == ("create", None, CaseStatus.REPORTED)
    assert event.at == dt.datetime(2026, 3, 2, 8, 15, tzinfo=SHANGHAI)


def test_bad_rows_are_named_by_line_and_the_command_fails_after_importing_the_good_ones(mixed_file):
    out, err, error = import_with_errors(mixed_file)

    assert err.splitlines() == [
        "line 3: lat 'forty' is not a number",
        "line 5: The point (31.2304, 121.4737) lies outside every grid of the district.",
        "line 6: time 'yesterday morning' is not a date and time like 2026-03-01 08:15:00",
    ]
    assert out.strip() == "Imported 2 cases, skipped 0 already imported, 3 bad rows"
    assert "3 bad row(s) not imported" in error
    assert "every other row was imported" in error


def test_importing_the_same_file_again_creates_nothing_new(mixed_file):
    import_with_errors(mixed_file)
    cases_before = list(hotline_cases().order_by("id").values_list("id", "number", "external_id"))

    out, _err, _error = import_with_errors(mixed_file)

    assert list(hotline_cases().order_by("id").values_list("id", "number", "external_id")) == cases_before
    assert out.strip() == "Imported 0 cases, skipped 2 already imported, 3 bad rows"


def test_a_clean_file_with_a_bom_imports_and_exits_normally(tmp_path, grid):
    path = write_csv(tmp_path / "bom.csv", [
        ["2026/3/2 8:15", "井盖丢了", "成府路1号", grid.centroid_lat, grid.centroid_lng, "", "GD1"],
    ], bom=True)

    out, err = import_12345(path)

    assert out.strip() == "Imported 1 cases, skipped 0 already imported, 0 bad rows"
    assert err == ""
    assert hotline_cases().get(external_id="GD1").created_at == dt.datetime(2026, 3, 2, 8, 15, tzinfo=SHANGHAI)


def test_line_numbers_count_blank_lines_and_multi_line_content(tmp_path, grid):
    path = tmp_path / "lines.csv"
    path.write_text(
        ",".join(HEADER) + "\n"
        + "\n"
        + f'2026-03-02 08:15,"第一行\n第二行",,{grid.centroid_lat},{grid.centroid_lng},,GD1\n'
        + f"2026-03-02 08:20,,,{grid.centroid_lat},{grid.centroid_lng},,GD2\n",
        encoding="utf-8",
    )

    _out, err, _error = import_with_errors(path)

    assert err.splitlines() == ["line 5: content is empty"]
    assert hotline_cases().get(external_id="GD1").title == "第一行 第二行"


def test_a_row_without_a_hotline_number_is_bad(tmp_path, grid):
    path = write_csv(tmp_path / "no-number.csv", [
        ["2026-03-02 08:15", "路灯不亮", "", grid.centroid_lat, grid.centroid_lng, "", ""],
    ])

    _out, err, _error = import_with_errors(path)

    assert err.splitlines() == ["line 2: hotline_number is empty"]
    assert not hotline_cases().exists()


def test_a_file_missing_a_column_is_refused_before_any_row(tmp_path, grid):
    path = write_csv(tmp_path / "no-lng.csv", [["2026-03-02 08:15", "路灯不亮", "", grid.centroid_lat, "", "GD1"]],
                     header=["time", "content", "address", "lat", "phone", "hotline_number"])

    with pytest.raises(CommandError, match="the header lacks lng"):
        import_12345(path)
    assert not hotline_cases().exists()
