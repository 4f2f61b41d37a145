"""Cases to CSV and Excel: the list's scope and filters, Chinese columns, the reporter's phone as the
reader may see it, formulas neutralised, streamed in a pinned number of queries; and the workbench's
export of its own filtered list."""

import csv
import datetime as dt
import html
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from dispatch import export, selectors, services
from dispatch.models import Case, Source
from haidian.calendar import SHANGHAI
from tests.conftest import OTHER_STREET
from tests.dispatch.conftest import REPORTER_PHONE, shanghai, signed_in

pytestmark = pytest.mark.django_db

HEADER = ["案件编号", "标题", "状态", "层级", "优先级", "来源", "类别", "街道", "社区", "网格", "地址", "上报时间",
          "立案时间", "派遣时间", "结案时间", "是否超期", "返工次数", "满意度", "回访满意度",
          "反映人电话"]
BOM = "\ufeff".encode()
# Guardian permissions, the units' streets or districts, the role groups; an agency's scope also
# looks up the streets it covers.
AGENCY_SCOPE_QUERIES = 4
# The token, the scope, then one server-side cursor over the rows (however many chunks it takes);
# Excel first counts whether the rows fit in a sheet. Pinned: a query per row fails here. The export's
# audit row is one more.
CSV_QUERIES = 1 + AGENCY_SCOPE_QUERIES + 1 + 1
XLSX_QUERIES = CSV_QUERIES + 1


def csv_rows(response) -> list[dict[str, str]]:
    """The CSV's rows by Chinese column title, after checking it was streamed with its BOM."""
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse) and not isinstance(response, FileResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content)
    assert body.startswith(BOM)
    reader = csv.reader(io.StringIO(body[len(BOM):].decode("utf-8"), newline=""))
    assert next(reader) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in reader]


def xlsx_rows(response) -> list[dict]:
    """The workbook's rows by Chinese column title, after checking it was sent from a file."""
    assert response.status_code == 200, response.content
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == export.XLSX_CONTENT_TYPE
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


def numbers(rows) -> list[str]:
    return [row["案件编号"] for row in rows]


# --- what the file says ----------------------------------------------------------------------------

def test_the_csv_is_utf8_with_a_bom_chinese_columns_and_chinese_values(api, closed_case, street_staff, street,
                                                                       grid, category):
    closed_case = services.case_rate(case=closed_case, actor=street_staff, satisfaction="basically_satisfied",
                                     comment="回访")

    [row] = csv_rows(api.as_user(street_staff).get("/api/v1/cases/export/?format=csv"))

    local = closed_case.created_at.astimezone(SHANGHAI)
    assert row == {
        "案件编号": closed_case.number, "标题": "占道经营", "状态": "已结案",
        "层级": "街道（小循环）", "优先级": "一般", "来源": "网格巡查",
        "类别": category.name, "街道": street.name, "社区": grid.community.name,
        "网格": grid.name, "地址": closed_case.address,
        "上报时间": local.strftime("%Y-%m-%d %H:%M"),
        "立案时间": row["立案时间"], "派遣时间": row["派遣时间"], "结案时间": row["结案时间"],
        "是否超期": "否", "返工次数": "0", "满意度": "", "回访满意度": "基本满意",
        "反映人电话": REPORTER_PHONE,
    }
    for column in ("立案时间", "派遣时间", "结案时间"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[column]), column


def test_times_are_asia_shanghai_to_the_minute(api, make_case, street_staff):
    make_case(now=dt.datetime(2026, 3, 2, 1, 30, 45, tzinfo=dt.UTC))

    [row] = csv_rows(api.as_user(street_staff).get("/api/v1/cases/export/"))

    assert row["上报时间"] == "2026-03-02 09:30"
    assert row["立案时间"] == row["派遣时间"] == row["结案时间"] == ""


def test_the_xlsx_holds_the_same_cases_with_real_times(api, make_case, workflow, street_staff):
    reported, closed = make_case(title="井盖缺失"), workflow.close(make_case(title="路灯不亮"))
    client = api.as_user(street_staff)

    rows = xlsx_rows(client.get("/api/v1/cases/export/?format=xlsx"))
    lines = csv_rows(client.get("/api/v1/cases/export/?format=csv"))

    assert numbers(rows) == numbers(lines) == [closed.number, reported.number]  # newest first
    assert rows[0]["状态"] == "已结案" and rows[1]["状态"] == "已上报"
    assert isinstance(rows[0]["结案时间"], dt.datetime) and rows[1]["结案时间"] is None
    assert rows[0]["结案时间"].strftime("%Y-%m-%d %H:%M") == lines[0]["结案时间"]
    assert rows[0]["返工次数"] == 0 and rows[0]["反映人电话"] == REPORTER_PHONE


@pytest.mark.parametrize("title", ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+2", "-3+4", "@SUM(A1:A9)"])
def test_a_title_that_looks_like_a_formula_is_exported_as_text(api, make_case, street_staff, title):
    make_case(title=title)
    client = api.as_user(street_staff)

    [line] = csv_rows(client.get("/api/v1/cases/export/"))
    response = client.get("/api/v1/cases/export/?format=xlsx")
    cell = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]["B2"]

    assert line["标题"] == "'" + title
    assert cell.value == "'" + title and cell.data_type == "s"


def test_control_characters_a_reporter_pasted_do_not_break_the_workbook(api, make_case, street_staff):
    make_case(title="井盖\x07缺失")

    [row] = xlsx_rows(api.as_user(street_staff).get("/api/v1/cases/export/?format=xlsx"))

    assert row["标题"] == "井盖缺失"


# --- scope and the phone -------------------------------------------------------------------------

def test_another_streets_cases_are_never_in_the_file(api, make_case, other_grid, street_staff, other_street_staff):
    home, away = make_case(), make_case(at=other_grid)

    mine = csv_rows(api.as_user(street_staff).get("/api/v1/cases/export/"))
    asked_for_theirs = csv_rows(api.as_user(street_staff).get(f"/api/v1/cases/export/?street={OTHER_STREET}"))
    theirs = xlsx_rows(api.as_user(other_street_staff).get("/api/v1/cases/export/?format=xlsx"))

    assert numbers(mine) == [home.number]
    assert asked_for_theirs == []
    assert numbers(theirs) == [away.number]


@pytest.mark.parametrize(("who", "phone"), [  # as on the pages: whole only for the street's call-back here
    ("street_staff", REPORTER_PHONE), ("grid_worker", "138****5678"), ("district_command", "138****5678"),
    ("agency_head", "138****5678"), ("department_admin", "138****5678"),
])
def test_the_reporters_phone_is_shown_as_the_reader_may_see_it(request, api, dispatched_case, who, phone):
    user = request.getfixturevalue(who)
    client = api.as_user(user)

    [line] = csv_rows(client.get("/api/v1/cases/export/"))
    [row] = xlsx_rows(client.get("/api/v1/cases/export.xlsx"))

    assert line["反映人电话"] == row["反映人电话"] == phone
    assert phone == selectors.reporter_phone(user=user, case=Case.objects.get(pk=dispatched_case.pk))


def test_a_reporter_without_a_phone_leaves_the_column_empty(api, make_case, street_staff):
    make_case(reporter_phone="")

    [row] = csv_rows(api.as_user(street_staff).get("/api/v1/cases/export/"))

    assert row["反映人电话"] == ""


# --- the list's filters, formats and answers -------------------------------------------------------

def test_the_lists_filters_apply_to_the_file(api, make_case, workflow, street_staff):
    reported, closed = make_case(), workflow.close(make_case())
    client = api.as_user(street_staff)

    assert numbers(csv_rows(client.get("/api/v1/cases/export/?status=closed"))) == [closed.number]
    assert numbers(xlsx_rows(client.get("/api/v1/cases/export/?status=reported&format=xlsx"))) == [reported.number]
    assert numbers(xlsx_rows(client.get("/api/v1/cases/export.xlsx?status=closed"))) == [closed.number]
    assert csv_rows(client.get("/api/v1/cases/export.csv?overdue=true")) == []


@pytest.mark.parametrize("url", ["/api/v1/cases/export/", "/api/v1/cases/export/?format=xlsx",
                                 "/api/v1/cases/export.csv", "/api/v1/cases/export.xlsx"])
def test_anonymous_exports_are_401(api, url):
    response = api.get(url)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", ["/api/v1/cases/export/?format=pdf", "/api/v1/cases/export.pdf",
                                 "/api/v1/cases/export/?format=json"])
def test_a_format_other_than_csv_or_xlsx_is_404(api, street_staff, url):
    response = api.as_user(street_staff).get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Cases can be exported as csv or xlsx."}


def test_a_filter_the_list_refuses_is_400_in_json(api, street_staff):
    response = api.as_user(street_staff).get("/api/v1/cases/export/?format=xlsx&created_after=yesterday")
    assert response.status_code == 400
    assert "created_after" in response.json()


def test_someone_serving_nowhere_gets_an_empty_file(api, reported_case, nobody):
    assert csv_rows(api.as_user(nobody).get("/api/v1/cases/export/")) == []


def test_more_cases_than_an_excel_sheet_allows_are_refused_with_a_pointer_to_csv(api, make_case, street_staff,
                                                                                 settings):
    settings.CASE_EXPORT_XLSX_MAX_ROWS = 2
    for _ in range(3):
        make_case()
    client = api.as_user(street_staff)

    refused = client.get("/api/v1/cases/export/?format=xlsx")

    assert refused.status_code == 400
    assert "CSV" in refused.json()["format"][0]
    assert len(csv_rows(client.get("/api/v1/cases/export/?format=csv"))) == 3
    settings.CASE_EXPORT_XLSX_MAX_ROWS = 3
    assert len(xlsx_rows(client.get("/api/v1/cases/export/?format=xlsx"))) == 3


def test_the_excel_limit_is_never_above_what_a_sheet_holds(settings):
    settings.CASE_EXPORT_XLSX_MAX_ROWS = 5_000_000
    assert export.xlsx_max_rows() == 1_048_575


# --- streaming ---------------------------------------------------------------------------------------

@pytest.fixture
def make_cases(make_case):
    def make(count: int) -> list[Case]:
        start = shanghai(2026, 3, 2, 9)
        return [make_case(title=f"占道经营 {i}", now=start + dt.timedelta(minutes=i)) for i in range(count)]

    return make


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize(("kind", "queries", "read"), [("csv", CSV_QUERIES, csv_rows),
                                                        ("xlsx", XLSX_QUERIES, xlsx_rows)])
def test_the_export_takes_the_same_queries_for_3_or_30_cases_read_in_chunks(
    api, make_cases, workflow, agency_head, django_assert_max_num_queries, monkeypatch, rows, kind, queries, read
):
    cases = make_cases(rows)
    for case in cases:
        workflow.dispatch(case, cooperating=False)  # an agency: the phone is decided per row, with no query
    monkeypatch.setattr(export, "CHUNK_SIZE", 4)  # several round trips of the cursor, several CSV chunks
    client = api.as_user(agency_head)

    with django_assert_max_num_queries(queries):
        exported = read(client.get(f"/api/v1/cases/export/?format={kind}"))

    assert numbers(exported) == [case.number for case in reversed(cases)]
    assert {row["反映人电话"] for row in exported} == {"138****5678"}


def test_the_csv_is_sent_in_chunks_as_it_is_read(api, make_cases, street_staff, monkeypatch):
    make_cases(9)
    monkeypatch.setattr(export, "CHUNK_SIZE", 4)

    response = api.as_user(street_staff).get("/api/v1/cases/export/")
    chunks = list(response.streaming_content)

    assert [chunk.count(b"\r\n") for chunk in chunks] == [1, 4, 4, 1]  # the header, then 4 + 4 + 1 cases


# --- the workbench's export ------------------------------------------------------------------------

def _export_links(page) -> dict[str, str]:
    hrefs = re.findall(r'href="(/workbench/export\.(?:csv|xlsx)\?[^"]*)"', page.content.decode())
    return {urlsplit(html.unescape(href)).path.rsplit(".", 1)[1]: html.unescape(href) for href in hrefs}


def test_the_workbench_links_its_list_with_the_current_filters_to_csv_and_excel(street_staff, street):
    page = signed_in(street_staff).get("/workbench/?queue=filed&q=路灯&overdue=on&reported_from=2026-03-01"
                                       "&after=2026-03-02T09:00:00%2B08:00_9")

    links = _export_links(page)

    assert set(links) == {"csv", "xlsx"}
    query = parse_qs(urlsplit(links["csv"]).query)
    assert query == {"street": [street.code], "queue": ["filed"], "q": ["路灯"], "overdue": ["True"],
                     "reported_from": ["2026-03-01"]}  # every page, not the one after the cursor
    assert urlsplit(links["xlsx"]).query == urlsplit(links["csv"]).query


def test_the_workbench_link_names_the_queue_shown_when_none_was_asked(street_staff, street):
    query = parse_qs(urlsplit(_export_links(signed_in(street_staff).get("/workbench/"))["csv"]).query)
    assert query == {"street": [street.code], "queue": ["reported"]}


@pytest.mark.parametrize("filters", [
    "queue=reported", "queue=reported&q=路灯", "queue=filed", "queue=reported&source=resident",
    "queue=reported&overdue=on", "queue=reported&reported_from=2026-03-03&reported_to=2026-03-03",
])
def test_the_workbench_file_holds_the_cases_its_pages_list(street_staff, make_case, workflow, filters, monkeypatch):
    make_case(title="路灯不亮", now=shanghai(2026, 3, 2, 10))
    make_case(title="井盖缺失", source=Source.RESIDENT, now=shanghai(2026, 3, 3, 10))
    late = make_case(title="路灯闪烁", now=shanghai(2026, 3, 4, 10))
    Case.objects.filter(pk=late.pk).update(overdue=True)  # as the deadline sweep would
    workflow.file(make_case(title="路灯倒伏", now=shanghai(2026, 3, 5, 10)))
    monkeypatch.setattr(selectors, "PAGE_SIZE", 50)
    client = signed_in(street_staff)

    page = client.get(f"/workbench/?{filters}")
    links = _export_links(page)

    listed = [row["case"].number for row in page.context["rows"]]
    assert listed  # each filter matches something
    assert numbers(csv_rows(client.get(links["csv"]))) == listed
    assert numbers(xlsx_rows(client.get(links["xlsx"]))) == listed


def test_the_workbench_file_without_a_queue_holds_the_street_in_every_step(street_staff, make_case, workflow,
                                                                         other_grid):
    reported, closed = make_case(), workflow.close(make_case())
    make_case(at=other_grid)

    rows = csv_rows(signed_in(street_staff).get("/workbench/export.csv"))

    assert numbers(rows) == [closed.number, reported.number]
    assert rows[0]["反映人电话"] == REPORTER_PHONE


def test_the_workbench_file_is_named_after_the_street(street_staff, street, reported_case):
    response = signed_in(street_staff).get("/workbench/export.xlsx")
    assert f'filename="cases-{street.code}-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')


@pytest.mark.parametrize(("who", "url", "status"), [
    ("agency_head", "/workbench/export.csv", 404),
    ("grid_worker", "/workbench/export.csv", 404),
    ("street_staff", f"/workbench/export.csv?street={OTHER_STREET}", 404),
    ("street_staff", "/workbench/export.csv?queue=nonsense", 404),
    ("street_staff", "/workbench/export.pdf", 404),
    ("street_staff", "/workbench/export.csv?reported_from=yesterday", 400),
    ("street_staff", "/workbench/export.xlsx", 200),
])
def test_the_workbench_export_answers_the_cast(request, reported_case, who, url, status):
    response = signed_in(request.getfixturevalue(who)).get(url)
    assert response.status_code == status


def test_the_workbench_export_needs_a_login(client):
    response = client.get("/workbench/export.csv")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_workbench_refuses_an_excel_file_too_long_for_a_sheet(street_staff, make_case, settings):
    settings.CASE_EXPORT_XLSX_MAX_ROWS = 1
    make_case(), make_case()
    client = signed_in(street_staff)

    refused = client.get("/workbench/export.xlsx?queue=reported")

    assert refused.status_code == 400 and "CSV" in refused.content.decode()
    assert len(csv_rows(client.get("/workbench/export.csv?queue=reported"))) == 2
