"""The fuzz corpus of issue 17, kept: every bad input answers 4xx (400, 404, 413), never a server
error, and nothing is stored — on the API, the public pages (report, follow, rate) and Open311.

Lone surrogates, NUL, control characters, direction overrides, titles of invisible characters,
JSON nested 100,000 deep or larger than the body limit, dates that do not parse (and dates with any
offset, which do), integers past their column, a round for the year 0000, a PNG of a few hundred
bytes declaring 40,000 × 40,000 pixels, a 100-megapixel PNG, and files that are a photo or a PDF
and an HTML page at once (kept, but only ever served as what their bytes were sniffed to be).
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zlib
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from PIL import Image
from rest_framework.authtoken.models import Token

from assessment import satisfaction
from assessment.models import Round
from comanagers.models import Quota
from dispatch import services
from dispatch.models import Attachment, Case
from haidian.errors import InvalidInput
from open311.models import ServiceRequest
from tests.conftest import failing_on_server_errors
from tests.dispatch.conftest import (  # noqa: F401  the workflow's fixtures
    category,
    cooperating_agency,
    make_case,
    reported_case,
    work_area,
    workflow,
)
from tests.open311.conftest import (  # noqa: F401  Open311's fixtures
    GeoReportClient,
    api_client_and_key,
    api_key,
    errors_of,
    georeport,
    report_form,
)
from tests.public.conftest import public_client, report_data
from workaccess.models import AccessRequest

pytestmark = pytest.mark.django_db

LONE_SURROGATE = "\ud800x"
RTL_OVERRIDE = "\u202egpj.exe"  # shows as "exe.jpg"
INVISIBLE_TITLE = "\u200b\u200c\u200d\u2060\ufeff\u3164"
CONTROL = "排水\x07井盖\x1b[31m"
BAD_TEXT = {"NUL": "井盖\x00破损", "control": CONTROL, "RTL override": RTL_OVERRIDE}
HTML = b"<html><body><script>alert(document.domain)</script></body></html>"


@pytest.fixture(autouse=True)
def fresh_limits_and_media(settings, tmp_path):
    """Rate limits from zero (their counters live in Redis) and uploads in a throwaway folder."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path
    yield
    cache.clear()


# --- the corpus's files ------------------------------------------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A 1-bit greyscale PNG declaring width × height, with `rows` rows of its pixels compressed
    (all of them by default: one colour compresses to almost nothing)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # filter byte "none", then the row's bits
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height if rows is None else rows)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def decompression_bomb() -> SimpleUploadedFile:
    """A few hundred bytes whose header says 40,000 × 40,000 pixels (1.6 gigapixels)."""
    body = png(40_000, 40_000, rows=40)
    assert len(body) < 1000
    return SimpleUploadedFile("bomb.png", body, content_type="image/png")


def hundred_megapixels() -> SimpleUploadedFile:
    """A real, complete 10,000 × 10,000 PNG of one colour: small on disk, 100 megapixels decoded."""
    body = png(10_000, 10_000)
    assert len(body) < 100_000
    return SimpleUploadedFile("big.png", body, content_type="image/png")


def gif_and_html() -> SimpleUploadedFile:
    """A valid GIF that is also an HTML page with a script (browsers that sniff would run it)."""
    buffer = BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 200)).save(buffer, "GIF")
    return SimpleUploadedFile("photo.html", buffer.getvalue() + HTML, content_type="text/html")


def pdf_and_html() -> SimpleUploadedFile:
    return SimpleUploadedFile("report.html", b"%PDF-1.4\n" + HTML + b"\n%%EOF\n", content_type="text/html")


def raw_json(client, path: str, body: str | bytes, method: str = "post"):
    return getattr(client, method)(path, data=body, content_type="application/json")


# --- the API: text ---------------------------------------------------------------------------------

def case_body(grid, **fields) -> dict:
    return {"title": "井盖破损", "lat": grid.centroid_lat, "lng": grid.centroid_lng, "source": "grid_patrol", **fields}


def test_a_lone_surrogate_in_a_choice_field_is_a_400_that_does_not_echo_it(api, grid_worker, grid):
    # json.dumps writes the lone surrogate as the escape \ud800, which JSON allows and DRF once echoed.
    response = raw_json(api.as_user(grid_worker), "/api/v1/cases/", json.dumps(case_body(grid, source=LONE_SURROGATE)))

    assert response.status_code == 400
    assert "source" in response.json()
    response.content.decode("utf-8")  # encodable, whatever it says
    assert not Case.objects.exists()


@pytest.mark.parametrize("field", ["title", "description", "address", "reporter_name"])
def test_a_lone_surrogate_in_a_text_field_is_a_400(api, grid_worker, grid, field):
    body = json.dumps(case_body(grid, **{field: LONE_SURROGATE}))

    response = raw_json(api.as_user(grid_worker), "/api/v1/cases/", body)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Case.objects.exists()


def test_a_lone_surrogate_in_a_key_or_a_nested_value_is_a_400(api, grid_worker, grid):
    client = api.as_user(grid_worker)

    for extra in [{LONE_SURROGATE: 1}, {"x": [{"y": LONE_SURROGATE}]}]:
        assert raw_json(client, "/api/v1/cases/", json.dumps({**case_body(grid), **extra})).status_code == 400
    assert not Case.objects.exists()


@pytest.mark.parametrize("text", list(BAD_TEXT.values()), ids=list(BAD_TEXT))
@pytest.mark.parametrize("field", ["title", "description"])
def test_nul_control_characters_and_direction_overrides_in_text_are_400(api, grid_worker, grid, text, field):
    response = api.as_user(grid_worker).post("/api/v1/cases/", case_body(grid, **{field: text}), format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Case.objects.exists()


def test_the_message_says_what_is_wrong_in_chinese(grid_worker, grid):
    client = failing_on_server_errors(Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=grid_worker).key}"))
    body = {"title": RTL_OVERRIDE, "description": CONTROL, "lat": grid.centroid_lat, "lng": grid.centroid_lng,
            "source": "grid_patrol"}
    errors = raw_json(client, "/api/v1/cases/", json.dumps(body)).json()

    assert "反转文字方向" in errors["title"][0]
    assert "控制字符" in errors["description"][0]
    assert not Case.objects.exists()


def test_tabs_and_line_breaks_are_text(api, grid_worker, grid):
    response = api.as_user(grid_worker).post(
        "/api/v1/cases/", case_body(grid, description="第一行\r\n第二行\t（附注）"), format="json")

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("title", [INVISIBLE_TITLE, "\u200b", " \u3000\u200b "])
def test_a_title_of_invisible_characters_is_a_400(api, grid_worker, grid, title):
    response = api.as_user(grid_worker).post("/api/v1/cases/", case_body(grid, title=title), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["title"]
    assert not Case.objects.exists()


WORK_ACCESS = {"department": "110108-ga", "title": "背街小巷停车秩序巡查", "description": "日常巡查与劝导",
               "powers": "劝导、登记", "budget_yuan": "480000.00", "staff_count": 6}


@pytest.mark.parametrize("field, text", [("title", RTL_OVERRIDE), ("title", INVISIBLE_TITLE), ("powers", CONTROL),
                                         ("description", "\x00")])
def test_the_text_rules_hold_in_every_apps_serializers_in_json_and_in_forms(api, department_admin, field, text):
    client = api.as_user(department_admin)

    assert client.post("/api/v1/work-access-requests/", {**WORK_ACCESS, field: text}, format="json").status_code == 400
    assert client.post("/api/v1/work-access-requests/", {**WORK_ACCESS, field: text}).status_code == 400
    assert not AccessRequest.objects.exists()
    assert client.post("/api/v1/work-access-requests/", WORK_ACCESS, format="json").status_code == 201


# --- the API: bodies -------------------------------------------------------------------------------

def test_json_nested_100000_deep_is_refused_before_parsing(api, grid_worker):
    response = raw_json(api.as_user(grid_worker), "/api/v1/cases/", "[" * 100_000 + "]" * 100_000)

    assert response.status_code == 400
    assert "32" in response.json()["detail"]
    assert not Case.objects.exists()


def test_json_as_deep_as_allowed_is_parsed_and_brackets_in_strings_do_not_count(api, grid_worker, grid):
    client = api.as_user(grid_worker)
    nested = json.dumps({**case_body(grid, title="[[[[{{{{" * 20), "extra": [[[[["x"]]]]]})

    assert raw_json(client, "/api/v1/cases/", nested).status_code == 201


def test_a_json_body_larger_than_the_limit_is_a_413(api, grid_worker, grid, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = json.dumps(case_body(grid, description="长" * 200_000))

    response = raw_json(api.as_user(grid_worker), "/api/v1/cases/", body)

    assert response.status_code == 413
    assert not Case.objects.exists()


def test_a_json_body_that_is_no_json_is_a_400(api, grid_worker):
    client = api.as_user(grid_worker)

    for body in ['{"title": ', "NaN", b"\xff\xfe{", '{"a": Infinity}']:
        assert raw_json(client, "/api/v1/cases/", body).status_code == 400
    assert not Case.objects.exists()


# --- the API: paths and query parameters ----------------------------------------------------------

def test_nul_in_an_api_path_is_a_404_and_in_a_query_a_400(api, street_staff):
    client = api.as_user(street_staff)

    assert client.get("/api/v1/cases/%00/").status_code == 404
    assert client.get("/api/v1/cases/%00/").json() == {"detail": "Not found."}
    assert client.post("/api/v1/cases/%00/file/", {}, format="json").status_code == 404
    assert client.get("/api/v1/cases/?grid=%00").status_code == 400
    assert client.get("/api/v1/cases/export/?street=%00").status_code == 400
    assert client.get("/api/v1/tasks/?status=%00").status_code == 400


EXPORTS = ["/api/v1/cases/", "/api/v1/cases/export/?format=csv", "/api/v1/cases/export/?format=xlsx"]


def _with(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}"


@pytest.mark.parametrize("path", EXPORTS, ids=["list", "csv", "xlsx"])
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-11-26T25:00", "0000-01-01",
                                   "2026-11-26T10:00:00+99:00", "2026-11-26T10:00:00+24:00", "%00"])
def test_a_date_that_does_not_parse_is_a_400_on_the_list_and_both_exports(api, street_staff, path, value):
    response = api.as_user(street_staff).get(_with(path, f"created_before={value}"))

    assert response.status_code == 400
    if value != "%00":  # NUL is refused before the filters read anything
        assert list(response.json()) == ["created_before"]


def _csv_numbers(response) -> list[str]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row[0] for row in list(csv.reader(io.StringIO(body)))[1:]]


def _xlsx_numbers(response) -> list[str]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("moment", ["2000-01-01T10:00:00-18:48", "2000-01-01T10:00:00+23:59", "2000-01-01T10:00:00Z",
                                    "2000-01-01", "2000-01-01T10:00:00 08:00"])
def test_a_moment_with_any_offset_parses_on_the_list_and_both_exports(api, street_staff, reported_case, moment):  # noqa: F811
    client = api.as_user(street_staff)
    query = f"created_after={moment}"

    listed = client.get(f"/api/v1/cases/?{query}")
    assert listed.status_code == 200
    assert [row["number"] for row in listed.json()["results"]] == [reported_case.number]
    assert _csv_numbers(client.get(f"/api/v1/cases/export/?format=csv&{query}")) == [reported_case.number]
    assert _xlsx_numbers(client.get(f"/api/v1/cases/export/?format=xlsx&{query}")) == [reported_case.number]
    later = f"created_before={moment}"
    assert client.get(f"/api/v1/cases/?{later}").json()["results"] == []
    assert _csv_numbers(client.get(f"/api/v1/cases/export/?{later}")) == []


def test_a_time_with_the_offset_of_the_issue_answers_like_any_other(api, street_staff, reported_case):  # noqa: F811
    client = api.as_user(street_staff)

    for path in EXPORTS:
        assert client.get(_with(path, "created_before=2026-11-26T10:00:00-18:48")).status_code == 200


def test_the_first_and_last_moments_python_knows_filter_like_any_other(api, street_staff, reported_case):  # noqa: F811
    client = api.as_user(street_staff)
    # Their UTC time is outside datetime's range: the first or last moment it has instead.
    earliest, latest = "created_after=0001-01-01T00:00:00+23:59", "created_before=9999-12-31T23:59:59-23:59"

    assert _csv_numbers(client.get(f"/api/v1/cases/export/?{earliest}&{latest}")) == [reported_case.number]
    assert _xlsx_numbers(client.get(f"/api/v1/cases/export/?format=xlsx&{earliest}")) == [reported_case.number]
    assert [row["number"] for row in client.get(f"/api/v1/cases/?{latest}").json()["results"]] == [reported_case.number]


# --- the API: numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize("count", [10**30, 2**31, -1, "9" * 50])
def test_a_quota_past_its_column_is_a_400(api, district_command, street, count):
    # A string of fifty nines goes in as a bare JSON number too.
    body = json.dumps({"street": street.code, "year": 2026, "count": count}).replace(f'"{count}"', str(count))

    response = raw_json(api.as_user(district_command), "/api/v1/comanager-quotas/", body)

    assert response.status_code == 400
    assert "count" in response.json()
    assert not Quota.objects.filter(street=street, year=2026).exists()


def test_the_largest_quota_a_column_holds_is_taken(api, district_command, street):
    body = {"street": street.code, "year": 2026, "count": 2**31 - 1}

    response = api.as_user(district_command).post("/api/v1/comanager-quotas/", body, format="json")

    assert response.status_code == 201, response.json()


def test_the_quota_page_refuses_a_huge_count_and_ignores_a_year_no_date_holds(district_command, street):
    client = failing_on_server_errors(Client())
    client.force_login(district_command)
    huge = {"street": street.code, "year": 2026, "count": 10**30}

    assert client.post("/comanagers/district/", huge).status_code == 400
    assert not Quota.objects.filter(street=street, year=2026).exists()
    for year in ["0", "99999", "-5"]:
        assert client.get(f"/comanagers/district/?year={year}").status_code == 200


def test_a_huge_id_in_a_body_is_a_400(api, grid_worker, reported_case):  # noqa: F811
    response = api.as_user(grid_worker).post(
        f"/api/v1/cases/{reported_case.number}/attachments/",
        {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"), "kind": "before", "task": str(10**30)}, format="multipart")

    assert response.status_code == 400
    assert "task" in response.json()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("period", ["0000H1", "1999H2", "2101H1", "9999H2"])
def test_a_round_for_a_year_outside_2000_to_2100_is_a_400(api, district_command, period):
    response = api.as_user(district_command).post("/api/v1/rounds/", {"period": period}, format="json")

    assert response.status_code == 400
    assert "period" in response.json()
    assert not Round.objects.filter(period=period).exists()


# --- the API: photos -------------------------------------------------------------------------------

def _attach(client, case, upload, kind="before"):
    return client.post(f"/api/v1/cases/{case.number}/attachments/", {"file": upload, "kind": kind}, format="multipart")


@pytest.mark.parametrize("make", [decompression_bomb, hundred_megapixels], ids=["bomb", "100MP"])
def test_a_photo_past_the_pixel_limit_is_a_400_before_decoding(api, grid_worker, reported_case, make):  # noqa: F811
    response = _attach(api.as_user(grid_worker), reported_case, make())

    assert response.status_code == 400
    assert "40" in response.json()["file"][0]  # "more than 40 million pixels"
    assert not Attachment.objects.exists()


def test_the_pixel_limit_is_a_setting(api, grid_worker, reported_case, settings):  # noqa: F811
    buffer = BytesIO()
    Image.new("RGB", (1200, 900), (1, 2, 3)).save(buffer, "PNG")
    settings.MAX_IMAGE_PIXELS = 1_000_000

    response = _attach(api.as_user(grid_worker), reported_case, SimpleUploadedFile("x.png", buffer.getvalue()))

    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_a_decompression_bomb_as_a_new_cases_photo_through_the_services_is_refused_before_a_number(grid_worker, grid):
    with pytest.raises(InvalidInput):
        services.case_create(actor=grid_worker, title="井盖", lat=grid.centroid_lat, lng=grid.centroid_lng,
                             source="grid_patrol", photo=decompression_bomb())
    assert not Case.objects.exists()


@pytest.mark.parametrize("make, content_type, suffix", [(gif_and_html, "image/gif", ".gif"),
                                                         (pdf_and_html, "application/pdf", ".pdf")],
                         ids=["gif+html", "pdf+html"])
def test_a_polyglot_is_stored_under_our_name_and_served_only_as_its_sniffed_type(
        api, grid_worker, reported_case, make, content_type, suffix):  # noqa: F811
    client = api.as_user(grid_worker)

    response = _attach(client, reported_case, make())

    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get()
    stored = attachment.file.name.rsplit("/", 1)[1]
    assert stored.endswith(suffix) and "html" not in stored and "photo" not in stored and "report" not in stored
    assert attachment.content_type == content_type
    served = client.get(f"/cases/{reported_case.number}/attachments/{attachment.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == f'inline; filename="attachment-{attachment.pk}{suffix}"'
    assert b"".join(served.streaming_content).endswith((HTML, HTML + b"\n%%EOF\n"))  # kept as sent: evidence


# --- the public pages ------------------------------------------------------------------------------

@pytest.fixture
def visitor():
    return failing_on_server_errors(public_client("10.1.0.1"))


@pytest.mark.parametrize("text", list(BAD_TEXT.values()), ids=list(BAD_TEXT))
@pytest.mark.parametrize("field", ["title", "description", "address", "reporter_name"])
def test_the_public_report_refuses_bad_text(visitor, grid, field, text):
    response = visitor.post("/report/", report_data(grid, **{field: text}))

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_refusal_page_is_in_chinese(grid):
    resident = failing_on_server_errors(Client(REMOTE_ADDR="10.1.0.2"))  # the default language

    response = resident.post("/report/", report_data(grid, title=RTL_OVERRIDE))

    assert response.status_code == 400
    assert "无法接受" in response.content.decode()


def test_the_public_report_refuses_a_title_of_invisible_characters(visitor, grid):
    response = visitor.post("/report/", report_data(grid, title=INVISIBLE_TITLE))

    assert response.status_code == 400
    assert "invisible" in response.content.decode()
    assert not Case.objects.exists()


def test_the_grid_workers_report_form_refuses_bad_text_and_invisible_titles(grid_worker, grid):
    client = failing_on_server_errors(Client())
    client.force_login(grid_worker)

    for title in [*BAD_TEXT.values(), INVISIBLE_TITLE]:
        response = client.post("/grid/report/", {"title": title, "lat": grid.centroid_lat, "lng": grid.centroid_lng})
        assert response.status_code == 400, title
    assert not Case.objects.exists()


@pytest.mark.parametrize("make", [decompression_bomb, hundred_megapixels], ids=["bomb", "100MP"])
def test_the_public_report_refuses_a_photo_past_the_pixel_limit(visitor, grid, make):
    response = visitor.post("/report/", report_data(grid, photo=make()))

    assert response.status_code == 400
    assert "million pixels" in response.content.decode()
    assert not Case.objects.exists()


def test_the_public_reports_polyglot_photo_is_kept_as_a_gif_under_our_name(visitor, grid):
    assert visitor.post("/report/", report_data(grid, photo=gif_and_html())).status_code == 302

    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/gif"
    assert attachment.file.name.endswith(".gif") and "photo" not in attachment.file.name


@pytest.mark.parametrize("path", ["/follow/%00/", "/follow/%00x/", "/rate/%00/", "/grids/%00/", "/grids/%00/poster.pdf",
                                  "/follow/%01/", "/rate/%1b/"])
def test_nul_and_control_characters_in_a_public_path_are_a_404(visitor, path):
    assert visitor.get(path).status_code == 404
    assert visitor.post(path, {"satisfaction": "satisfied"}).status_code in (404, 405)


def test_nul_in_a_public_post_path_or_query_is_refused(visitor):
    assert visitor.post("/follow/%00/stop-messages/").status_code == 404
    assert visitor.get("/report/?grid=%00").status_code == 400
    assert visitor.post("/follow/", {"number": "HD\x00", "last_four": "1234"}).status_code == 400
    assert visitor.get("/grids/?code=%00").status_code == 400


def test_the_rating_page_refuses_bad_text(visitor, reported_case, workflow):  # noqa: F811
    case = workflow.close(Case.objects.get(pk=reported_case.pk))
    link = satisfaction.invitation_url(case)
    assert link

    for text in BAD_TEXT.values():
        assert visitor.post(link, {"satisfaction": "satisfied", "comment": text}).status_code == 400
    assert not Case.objects.get(pk=case.pk).satisfaction


# --- Open311 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [*BAD_TEXT.values(), "\x7f", "\u2066x\u2069"],
                         ids=[*BAD_TEXT, "DEL", "isolate"])
@pytest.mark.parametrize("field", ["description", "first_name", "address_string", "account_id"])
def test_open311_post_refuses_bad_text_in_its_error_format(georeport, report_form, field, text):  # noqa: F811
    for fmt in ("json", "xml"):
        response = georeport.post(f"requests.{fmt}", {**report_form, field: text})
        assert response.status_code == 400
        assert errors_of(response)[0][0] == 400
    assert not ServiceRequest.objects.exists()


def test_open311_post_refuses_a_description_of_invisible_characters(georeport, report_form):  # noqa: F811
    response = georeport.post("requests.json", {**report_form, "description": INVISIBLE_TITLE})

    assert response.status_code == 400
    assert "invisible" in errors_of(response)[0][1]
    assert not ServiceRequest.objects.exists()


def test_open311_paths_and_queries_with_nul_answer_in_its_format(georeport):  # noqa: F811
    for path in ["requests/%00.json", "services/%00.xml", "tokens/%00.json", "%00.json"]:
        response = georeport.get(path)
        assert response.status_code == 404
        assert errors_of(response)[0][0] == 404
    response = georeport.get("requests.json", {"status": "open\x00"})
    assert response.status_code == 400 and errors_of(response)[0][0] == 400


@pytest.mark.parametrize("path", ["discovery.json", "discovery.xml", "services.json", "services.xml",
                                  "requests/HD20261126000001.json", "tokens/abc.xml", ""])
@pytest.mark.parametrize("method", ["post", "delete", "put", "patch"])
def test_a_write_to_a_read_only_open311_resource_is_its_405_error_body(method, path):
    machine = failing_on_server_errors(Client(enforce_csrf_checks=True))

    response = getattr(machine, method)(f"/open311/v2/{path}", {"x": "1"} if method == "post" else "")

    assert response.status_code == 405
    assert "Allow" in response
    assert errors_of(response)[0][0] == 405
    expected = "application/json" if path.endswith(".json") else "text/xml"
    assert response["Content-Type"].startswith(expected)


def test_a_post_to_requests_from_a_machine_needs_no_csrf_token(report_form):  # noqa: F811
    machine = GeoReportClient(enforce_csrf_checks=True)

    assert machine.post("requests.json", report_form).status_code == 200
