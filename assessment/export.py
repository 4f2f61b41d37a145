"""A round's results as an Excel workbook (考核结果导出): one sheet per kind of unit, and 说明 first.

The workbook is an official document, so it is in Chinese whatever the reader's language. It is
built from the Result rows of one version; names are the ones kept on those rows.

Indicator rates (keys ending in `_rate`) are stored as fractions (0.95) and shown as percentages
(95.00%) by the cell's number format, so a spreadsheet can still compute with them.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessment.models import PERSON_KINDS, Result, Round, RoundStatus, UnitKind
from assessment.selectors import GRADE_LETTERS, people_by_street

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Sheet order and titles (Excel sheet titles: at most 31 characters, none of []:*?/\).
KIND_TITLES: dict[str, str] = {
    UnitKind.STREET: "街道(镇)",
    UnitKind.COMMUNITY: "社区",
    UnitKind.AGENCY: "派驻机构",
    UnitKind.DEPARTMENT: "专业部门",
    UnitKind.GRID_WORKER: "网格员",
    UnitKind.SQUAD_DEPUTY: "城管分队执行副队长",
    UnitKind.CO_MANAGER: "协管员",
    UnitKind.DISTRICT: "区",
}


STATUS_TITLES: dict[str, str] = {
    RoundStatus.DRAFT: "草稿",
    RoundStatus.OPEN: "评价中",
    RoundStatus.CLOSED: "评价已结束",
    RoundStatus.PUBLISHED: "已发布",
}

# The fixed columns: (title, Result field).
SCORE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("排名", "rank"),
    ("名称", "unit_name"),
    ("代码", "unit_code"),
    ("等级", "grade"),
    ("总分", "total"),
    ("客观指标", "objective"),
    ("向上评价", "upward"),
    ("向下评价", "downward"),
    ("群众满意度", "satisfaction"),
    ("监督委员会评价", "oversight"),
    ("回访满意度(不计入)", "callback"),
    ("样本量", "sample"),
)
SCORE_FIELDS = frozenset({"total", "objective", "upward", "downward", "satisfaction", "oversight", "callback"})

# The indicators of the digital urban management performance standard (CJ/T 292) and of the
# 12345 hotline's 三率, in column order: counts, then rates, so that each kind's own keys read in a
# natural order (agencies: 接收任务数 … 未报到次数, streets: 受理量 … 不满意数, grid workers: 上报数 …
# 巡查次数). Keys not listed here follow them in alphabetical order, titled with their key.
INDICATOR_TITLES: dict[str, str] = {
    "volume": "受理量",
    "accepted": "立案数",
    "received": "接收任务数",
    "due": "应处置数",
    "handled": "处置数",
    "handled_on_time": "按期处置数",
    "overdue": "超期数",
    "extended": "延期数",
    "accept_due": "应签收数",
    "accepted_on_time": "按时签收数",
    "return_requests": "退单数",
    "returns_approved": "退单获批数",
    "returns_refused": "退单被驳回数",
    "closed": "结案数",
    "closed_on_time": "按期结案数",
    "resolved": "解决数",
    "reworked": "返工数",
    "public_reports": "监督举报数",
    "satisfied": "满意数",
    "basically_satisfied": "基本满意数",
    "dissatisfied": "不满意数",
    "letters": "函告数",
    "letters_on_time": "按期答复函告数",
    "meetings_required": "应到会次数",
    "meetings_attended": "实到会次数",
    "summoned": "应报到次数",
    "check_ins_on_time": "按时报到次数",
    "check_ins_late": "迟到次数",
    "check_ins_missing": "未报到次数",
    "reported": "上报数",
    "valid": "有效上报数",
    "checks": "核查数",
    "checks_on_time": "按时核查数",
    "patrols": "巡查次数",
    "handling_rate": "处置率",
    "on_time_rate": "按期处置率",
    "response_rate": "响应率",
    "rework_rate": "返工率",
    "extension_rate": "延期率",
    "return_rate": "退单率",
    "letters_on_time_rate": "函告按期答复率",
    "meeting_attendance_rate": "到会率",
    "check_in_rate": "报到及时率",
    "closure_rate": "结案率",
    "on_time_closure_rate": "按期结案率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "public_report_rate": "监督举报率",
    "valid_report_rate": "有效上报率",
    "on_time_check_rate": "按时核查率",
}
_INDICATOR_ORDER = {key: n for n, key in enumerate(INDICATOR_TITLES)}

PERCENT_FORMAT = "0.00%"  # rates carry 4 decimals (assessment.indicators)
SCORE_FORMAT = "0.00"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E4ECF7")


def is_rate(key: str) -> bool:
    return key.endswith("_rate")


def default_version(round_: Round) -> int:
    """The published version of a published round, else the round's latest computation."""
    if round_.status == RoundStatus.PUBLISHED and round_.published_version is not None:
        return round_.published_version
    return round_.version


def results_by_rank(round_: Round, version: int):
    """The Result rows of one version, by kind, best rank first and unranked last."""
    return (Result.objects.filter(round=round_, version=version)
            .order_by("kind", F("rank").asc(nulls_last=True), "unit_name", "unit_id"))


def indicator_keys(results: Iterable[Result]) -> list[str]:
    """Every indicator key the rows carry: the standard's first, in its order, then the rest."""
    keys = {key for result in results for key in (result.indicators or {})}
    return sorted(keys, key=lambda key: (_INDICATOR_ORDER.get(key, len(_INDICATOR_ORDER)), key))


def _text(value: str) -> str:
    # openpyxl refuses control characters; a free-text name or note must not break the export.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _put(sheet: Worksheet, row: int, column: int, value, number_format: str | None = None):
    cell = sheet.cell(row=row, column=column)
    if value == "":
        value = None
    if isinstance(value, str):
        cell.value = _text(value)
        # A name or note starting with "=" is text, never a formula a spreadsheet would run.
        cell.data_type = "s"
    elif isinstance(value, bool) or value is None or isinstance(value, int | float):
        cell.value = value
    else:  # an unexpected JSON value (a list, an object): shown, not interpreted
        cell.value = _text(str(value))
        cell.data_type = "s"
    if number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def _header(sheet: Worksheet, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = _put(sheet, 1, column, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = max(10, 2 * len(title) + 2)
    sheet.freeze_panes = "C2"


def _people_sheet(workbook: Workbook, kind: str, round_: Round, version: int) -> None:
    """The public copy's sheet of a person kind: summed up by street, nobody named."""
    sheet = workbook.create_sheet(f"{KIND_TITLES.get(kind, kind)}(按街道汇总)"[:31])
    _header(sheet, ["街道(镇)", "参评人数", "有总分人数", "平均总分", *GRADE_LETTERS])
    for row, summed in enumerate(people_by_street(round=round_, version=version, kind=kind), start=2):
        for column, value in enumerate([summed["street"], summed["people"], summed["rated"], summed["mean"],
                                        *summed["grades"]], start=1):
            _put(sheet, row, column, value, SCORE_FORMAT if column == 4 else None)


def _kind_sheet(workbook: Workbook, kind: str, results: list[Result], *, public: bool) -> None:
    sheet = workbook.create_sheet(KIND_TITLES.get(kind, kind)[:31])
    columns = list(SCORE_COLUMNS)
    keys = indicator_keys(results)
    _header(sheet, [title for title, _field in columns] + [INDICATOR_TITLES.get(key, key) for key in keys])
    sheet.column_dimensions[get_column_letter(2)].width = 28
    for row, result in enumerate(results, start=2):
        for column, (_title, field) in enumerate(columns, start=1):
            value = getattr(result, field)
            if field == "rank" and not result.sample_ok:
                value = "样本不足"
            _put(sheet, row, column, value, SCORE_FORMAT if field in SCORE_FIELDS else None)
        indicators = result.indicators or {}
        for column, key in enumerate(keys, start=len(columns) + 1):
            _put(sheet, row, column, indicators.get(key), PERCENT_FORMAT if is_rate(key) else None)
    sheet.auto_filter.ref = sheet.dimensions


def _notes_sheet(sheet: Worksheet, round_: Round, version: int, kinds: list[str], now: dt.datetime) -> None:
    published = round_.status == RoundStatus.PUBLISHED and version == round_.published_version
    local = timezone.localtime
    rows = [
        ("考核轮次", round_.period),
        ("结果版本", version),
        ("版本说明", "已发布版本" if published else "未发布（计算结果，仅供内部审核）"),
        ("轮次状态", STATUS_TITLES.get(round_.status, round_.status)),
        ("客观指标权重", f"{round_.weight_objective}%"),
        ("向上评价权重", f"{round_.weight_upward}%"),
        ("向下评价权重", f"{round_.weight_downward}%"),
        ("群众满意度权重", f"{round_.weight_satisfaction}%"),
        ("监督委员会评价权重", f"{round_.weight_oversight}%"),
        ("回访满意度计入群众满意度的比例", f"{round_.callback_share}%"),
        ("小样本", f"样本少于{settings.ASSESSMENT_MIN_SAMPLE}的比率向全区均值收缩(k={settings.ASSESSMENT_SHRINK_K})，"
                 "主样本不足的单位标注“样本不足”，不评等级、不排名"),
        ("执行副队长考核中街道评价权重", f"{round_.deputy_street_weight}%"),
        ("发布时间", local(round_.published_at).strftime("%Y-%m-%d %H:%M") if round_.published_at else ""),
        ("包含类别", "、".join(KIND_TITLES.get(kind, kind) for kind in kinds) or "无"),
        ("区级批注", round_.annotation),
        ("导出时间", local(now).strftime("%Y-%m-%d %H:%M")),
    ]
    if version == round_.version and round_.computed_at:  # the round keeps the time of its latest computation only
        at = next(n for n, (label, _value) in enumerate(rows) if label == "包含类别")
        rows.insert(at, ("计算时间", local(round_.computed_at).strftime("%Y-%m-%d %H:%M")))
    for row, (label, value) in enumerate(rows, start=1):
        _put(sheet, row, 1, label).font = HEADER_FONT
        _put(sheet, row, 2, value).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 80


def results_workbook(round, version: int | None = None, *, public: bool = False,
                     now: dt.datetime | None = None) -> bytes:
    """The .xlsx of a round's results of one version (default: the published one, else the latest).

    `public=True` is the copy anyone may download: units as they are, people (grid workers, squad
    deputies, co-managers) only summed up by street, never named.
    """
    version = default_version(round) if version is None else version
    grouped: dict[str, list[Result]] = defaultdict(list)
    for result in results_by_rank(round, version):
        grouped[result.kind].append(result)
    kinds = [kind for kind in KIND_TITLES if kind in grouped] + sorted(set(grouped) - set(KIND_TITLES))

    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    _notes_sheet(notes, round, version, kinds, now or timezone.now())
    for kind in kinds:
        if public and kind in PERSON_KINDS:
            _people_sheet(workbook, kind, round, version)
        else:
            _kind_sheet(workbook, kind, grouped[kind], public=public)
    workbook.properties.creator = "海淀区网格化社会服务管理平台"
    workbook.properties.title = f"{round.period} 考核结果（第{version}版）"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_filename(round_: Round, version: int) -> str:
    return f"海淀区网格化考核结果-{round_.period}-v{version}.xlsx"
