"""Cases to CSV or Excel (案件导出): any filtered list of cases, as a file, however long.

The file is a document people pass around and file away, so it is in Chinese whatever the
reader's language (as the assessment results workbook): fixed Chinese column titles, and status,
tier, priority, source and satisfaction in the words of the Chinese interface. Times are
Asia/Shanghai, to the minute. The reporter's phone is shown exactly as `selectors.reporter_phone`
shows it to the person exporting (masked unless their task on that case may need a call-back:
`selectors.sees_reporter_phone`); when any row shows it whole, one audit row per file says how many.

Memory stays flat however many rows there are:

- rows come from a server-side cursor in chunks (`iterator(chunk_size=…)`) as tuples of the
  needed columns, the names joined in the same query: no model instances, no query per row;
- CSV is produced while it is sent (`StreamingHttpResponse`), one chunk of lines at a time;
- Excel is openpyxl's write-only workbook (each row goes straight to a temporary XML file, strings
  inline, no shared-strings table), zipped into a spooled temporary file that moves to disk past a
  few megabytes, and sent in blocks (`FileResponse`). A workbook cannot be sent before it is
  complete, and Excel opens at most 1,048,576 rows, so a longer list is refused up front.

Text a reporter typed can start with "=", "+", "-" or "@" (or a tab or carriage return), which a
spreadsheet would run as a formula (CSV injection): such cells are prefixed with a single quote,
in both formats, so that a workbook saved again as CSV stays harmless too.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from agencies.models import Street
from dispatch import selectors
from dispatch.models import Case, CaseStatus, Priority, Satisfaction, Source, Tier
from haidian import audit
from haidian.calendar import SHANGHAI
from haidian.errors import InvalidInput

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("csv", "xlsx")

# Excel's sheet holds 1,048,576 rows, one of them the header.
EXCEL_MAX_ROWS = 1_048_576 - 1
# Rows fetched per round trip of the server-side cursor (and CSV lines sent per chunk).
CHUNK_SIZE = 2000
# An Excel file this small stays in memory; a larger one is spooled to disk.
SPOOL_BYTES = 4 * 1024 * 1024

# (title, column) in file order. The phone is decided per row from _PHONE_FACTS.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("案件编号", "number"),
    ("标题", "title"),
    ("状态", "status"),
    ("层级", "tier"),
    ("优先级", "priority"),
    ("来源", "source"),
    ("类别", "category__name"),
    ("街道", "street__name"),
    ("社区", "community__name"),
    ("网格", "grid__name"),
    ("地址", "address"),
    ("上报时间", "created_at"),
    ("立案时间", "filed_at"),
    ("派遣时间", "dispatched_at"),
    ("结案时间", "closed_at"),
    ("是否超期", "ever_overdue"),  # late once is late: a new dispatch does not make it punctual
    ("返工次数", "rework_count"),
    ("满意度", "satisfaction"),  # the reporter's own rating
    ("回访满意度", "callback_satisfaction"),  # what the street heard when it called back
    ("反映人电话", "reporter_phone"),
)
HEADER = [title for title, _column in COLUMNS]
# What selectors.sees_reporter_phone reads of a case, fetched in the same row.
_PHONE_FACTS = selectors.REPORTER_PHONE_FACTS
_PHONE = [column for _title, column in COLUMNS].index("reporter_phone")
_LABELLED = {"status": CaseStatus, "tier": Tier, "priority": Priority, "source": Source,
             "satisfaction": Satisfaction, "callback_satisfaction": Satisfaction}
_TIMES = frozenset({"created_at", "filed_at", "dispatched_at", "closed_at"})
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"


def xlsx_max_rows() -> int:
    """`CASE_EXPORT_XLSX_MAX_ROWS`, never more than a sheet holds."""
    return min(settings.CASE_EXPORT_XLSX_MAX_ROWS, EXCEL_MAX_ROWS)


def neutralise(text: str) -> str:
    """Text a spreadsheet would read as a formula, made plain text with a leading quote."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# --- which cases ---------------------------------------------------------------------------------

def workbench_cases(*, user, street: Street, status: str | None, filters: dict) -> QuerySet[Case]:
    """The cases the street workbench lists for these filters (every page, not one)."""
    return selectors.street_cases(user=user, street=street, status=status, filters=filters)


# --- rows ----------------------------------------------------------------------------------------

class _PhoneFacts:
    """The few facts of a case that decide whether its reporter's phone is shown whole, shaped as
    `selectors.sees_reporter_phone` reads them, so that the file masks exactly as the pages do."""

    __slots__ = ("reporter_phone", "reported_by_id", "source", "status", "tier", "street_id", "grid_id", "street")

    def __init__(self, phone, reported_by_id, source, status, tier, street_id, grid_id, district_id):
        self.reporter_phone = phone
        self.reported_by_id = reported_by_id
        self.source, self.status, self.tier = source, status, tier
        self.street_id = street_id
        self.grid_id = grid_id
        self.street = _District(district_id)


class _District:
    __slots__ = ("district_id",)

    def __init__(self, district_id):
        self.district_id = district_id


def _local_minute(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(SHANGHAI).replace(second=0, microsecond=0, tzinfo=None) if value else None


def _local_minute_text(value: dt.datetime | None) -> str:
    # "YYYY-MM-DD HH:MM"; isoformat is several times faster than strftime, a million rows long.
    return value.astimezone(SHANGHAI).replace(tzinfo=None).isoformat(" ", "minutes") if value else ""


def _text(value: str | None) -> str:
    return neutralise(value) if value else ""


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _as_is(value):
    return value


def _label(labels: dict[str, str]):
    return lambda value: labels.get(value, value)


class _Rows:
    """Turns fetched tuples into cells: labels, local times, the phone as this user may see it.

    One converter per column, chosen once, since this runs for every cell of a million rows.
    Times are naive Shanghai datetimes to the minute (Excel), or that as text (CSV). Counts the rows
    whose phone it shows whole (`unmasked`), for the one audit row of the file (`audit_unmasked`)."""

    def __init__(self, user, *, times_as_text: bool, request=None, kind: str = ""):
        self.user = user
        self.request, self.kind = request, kind
        self.unmasked = 0
        # Labels are read now, in Chinese: the rows are made later, while the response is sent.
        with translation.override("zh-hans"):
            labels = {column: {value: str(label) for value, label in choices.choices}
                      for column, choices in _LABELLED.items()}
        self.converters = []
        for _title, column in COLUMNS:
            if column in labels:
                convert = _label(labels[column])
            elif column in _TIMES:
                convert = _local_minute_text if times_as_text else _local_minute
            elif column == "ever_overdue":
                convert = _yes_no
            elif column in ("rework_count", "reporter_phone"):  # the phone: below
                convert = _as_is
            else:
                convert = _text
            self.converters.append(convert)

    def cells(self, row: tuple) -> list:
        """Strings, ints, times or None, in COLUMNS order."""
        cells = [convert(value) for convert, value in zip(self.converters, row, strict=False)]
        if cells[_PHONE]:
            facts = _PhoneFacts(row[_PHONE], *row[len(COLUMNS):])
            shown = selectors.reporter_phone(user=self.user, case=facts)
            self.unmasked += shown == facts.reporter_phone
            cells[_PHONE] = neutralise(shown)
        return cells

    def audit_unmasked(self) -> None:
        """One audit row for the file if it showed any phone whole (never one per row)."""
        if self.unmasked:
            audit.record(audit.Action.PERSONAL_DATA_VIEWED, request=self.request, actor=self.user,
                         data={"field": "reporter_phone", "rows": self.unmasked, "export": self.kind})


def _fetch(queryset: QuerySet[Case]) -> Iterator[tuple]:
    columns = [column for _title, column in COLUMNS] + list(_PHONE_FACTS)
    return (queryset.order_by("-created_at", "-id").values_list(*columns)
            .iterator(chunk_size=CHUNK_SIZE))


# --- CSV -----------------------------------------------------------------------------------------

class _Lines:
    """A file-like object for csv.writer that hands back each line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_chunks(rows: Iterable[tuple], make: _Rows) -> Iterator[str]:
    """The BOM and header (so that Excel reads UTF-8 Chinese), then CHUNK_SIZE lines at a time. The
    unmasked phones are audited once the file is sent (or as far as it was, if the client left)."""
    writer = csv.writer(_Lines())
    try:
        yield "\ufeff" + writer.writerow(HEADER)
        chunk: list[str] = []
        for row in rows:
            chunk.append(writer.writerow(make.cells(row)))  # csv writes None as an empty field
            if len(chunk) == CHUNK_SIZE:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)
    finally:
        make.audit_unmasked()


# --- Excel ---------------------------------------------------------------------------------------

def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        # openpyxl refuses control characters: a pasted report must not break the export.
        return ILLEGAL_CHARACTERS_RE.sub("", value) or None
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_TIME_FORMAT
        return cell
    return value


def write_workbook(rows: Iterable[tuple], make: _Rows, out) -> int:
    """Write the cases as a one-sheet workbook into the binary file `out`; returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("案件")
    # Widths and the frozen header must be set before the first row is written.
    for column, title in enumerate(HEADER, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = {"标题": 40, "地址": 30}.get(title, 17)
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header = []
    for title in HEADER:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in make.cells(row)])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{count + 1}"  # written after the rows
    workbook.properties.creator = "海淀区网格化社会服务管理平台"
    workbook.properties.title = "案件导出"
    workbook.save(out)
    return count


# --- the response --------------------------------------------------------------------------------

def _filename(stem: str, kind: str, now: dt.datetime) -> str:
    return f"{stem}-{now.astimezone(SHANGHAI):%Y%m%d-%H%M}.{kind}"


def _audit_export(request, kind: str, via: str) -> None:
    if request is not None:
        audit.record(audit.Action.EXPORT, request=request,
                     data={"what": "cases", "format": kind, "via": via, "filters": audit.query_filters(request)})


def case_export_response(queryset: QuerySet[Case], *, user, kind: str, stem: str = "cases",
                         now: dt.datetime | None = None, request=None, via: str = ""):
    """The scoped, filtered `queryset` as a CSV or Excel download. With a `request`, the export goes
    on the audit log (`via`: which page or API made it), and so do the phones it shows whole.

    Raises Http404 for a kind other than csv or xlsx, and InvalidInput (400) when an Excel file
    would hold more than `xlsx_max_rows()` rows.
    """
    if kind not in KINDS:
        raise Http404(_("Cases can be exported as csv or xlsx."))
    make = _Rows(user, times_as_text=kind == "csv", request=request, kind=kind)
    filename = _filename(stem, kind, now or timezone.now())
    if kind == "csv":
        response = StreamingHttpResponse(csv_chunks(_fetch(queryset), make), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        _audit_export(request, kind, via)
        return response

    limit = xlsx_max_rows()
    # Counted over at most limit + 1 rows: the question is only whether it is more than the limit.
    if queryset.order_by().values("pk")[:limit + 1].count() > limit:
        raise InvalidInput({"format": _(
            "These are more than %(limit)s cases, more than an Excel export may hold: narrow the filters "
            "or export as CSV.") % {"limit": f"{limit:,}"}})
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        write_workbook(_fetch(queryset), make, out)
    except BaseException:
        out.close()
        raise
    make.audit_unmasked()
    _audit_export(request, kind, via)
    out.seek(0)
    # FileResponse reads the file in blocks and closes (so deletes) it when the response is done.
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
