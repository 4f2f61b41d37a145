"""Public satisfaction (群众满意度, DESIGN §6): the reporters' ratings of their closed cases and the
third-party survey firm's imported answers (第三方满意度调查).

Rating links: when a case with a reporter from the public closes, it gets one RatingInvitation
whose unguessable token is the reporter's private link `/rate/<token>/`. A registered reporter
finds the link in their notifications; street staff read it out or text it for call-backs. The
link rates the case once, through the same `dispatch.services.case_rate` as staff.

Survey imports: a survey operator uploads the firm's respondent-level answers (CSV or .xlsx) for
a round; every row is checked first and a file with any bad row is refused whole, naming each bad
line. `survey_satisfaction` counts the answers per unit for the round's computation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import zipfile
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from agencies.models import Agency, Department, Street
from assessment.models import RatingInvitation, Round, RoundStatus, SurveyImport, SurveyResponse, UnitKind
from assessment.notices import NoticeKind
from dispatch import services as dispatch_services
from dispatch.models import Case, Satisfaction, Source
from dispatch.notices import case_link
from grids.models import Community
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from haidian.workflow import PUBLIC
from notifications.services import Note, notify
from people.models import Membership

# --- rating links --------------------------------------------------------------------------------

# Sources whose reporter is a member of the public. Grid workers' and staff's own reports are not
# rated (dispatch.rules, dispatch.seed) unless they carry a reporter's phone to call back.
PUBLIC_SOURCES = (Source.RESIDENT, Source.HOTLINE_12345, Source.OPEN311)
# Sources whose signed-in reporter is the public and is told of the link in the app.
NOTIFIED_SOURCES = (Source.RESIDENT, Source.OPEN311)
MAX_COMMENT_LENGTH = 1000


def has_public_reporter(case: Case) -> bool:
    """Someone outside the administration to ask: a public report, or a reporter's phone on file."""
    return case.source in PUBLIC_SOURCES or bool(case.reporter_phone)


def on_case_closed(sender, *, case: Case, now: dt.datetime, **kwargs) -> None:
    """Receiver of dispatch.signals.case_closed (connected in AssessmentConfig.ready)."""
    invitation_create(case=case, now=now)


def on_case_event(sender, *, event, **kwargs) -> None:
    """Receiver of dispatch.signals.case_event_recorded: a case reopened after its reporter's
    "dissatisfied" (不满意重办) may be rated again when it closes again, by the same link."""
    if event.action == "reopen":
        RatingInvitation.objects.filter(case_id=event.case_id).update(used_at=None)


@transaction.atomic
def invitation_create(*, case: Case, now: dt.datetime | None = None) -> RatingInvitation | None:
    """The case's rating link, made once: a case closing again (after rework, a repeated signal)
    keeps its first link and its reporter is not told twice. None when nobody from the public
    reported the case."""
    if not has_public_reporter(case):
        return None
    now = now or timezone.now()
    # Runs inside the closing transaction, under the case's row lock: no second closure of the
    # same case can race this get_or_create. 256 random bits make a token clash impossible in practice.
    invitation, created = RatingInvitation.objects.get_or_create(
        case=case, defaults={"token": secrets.token_urlsafe(32), "created_at": now})
    if created and case.reported_by_id and case.source in NOTIFIED_SOURCES:
        url = rating_path(invitation.token)
        with override("zh-hans"):  # notifications and emails are written in Chinese
            title = _("Case %(number)s is closed: please rate how it was handled") % {"number": case.number}
            body = _("%(title)s — rate the handling of your report here: %(url)s") % {
                "title": case.title, "url": url}
        notify([Note([case.reported_by_id], f"rating:{case.pk}", NoticeKind.RATING, title, body,
                     case_number=case.number, link=case_link(case.number))], now)
    return invitation


def rating_path(token: str) -> str:
    return reverse("assessment:rate", kwargs={"token": token})


def invitation_url(case: Case) -> str | None:
    """The case's rating link (a path; the page makes it absolute) while it can still be used:
    for the case page, so street staff can text it or read it out on a call-back."""
    if case.satisfaction:
        return None
    token = RatingInvitation.objects.filter(case=case, used_at=None).values_list("token", flat=True).first()
    return rating_path(token) if token else None


@transaction.atomic
def invitation_rate(*, invitation: RatingInvitation, satisfaction: str, comment: str = "",
                    now: dt.datetime | None = None) -> Case:
    """公众评价: the reporter rates their case through the link, once.

    The invitation row is locked before the case (the same order everywhere), so two submissions
    of one link at once are served one after the other and the second sees it used: one rating,
    one event. A case staff already rated on a call-back is a conflict too (case_rate says so)."""
    now = now or timezone.now()
    invitation = RatingInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise ActionConflict(_("This case has already been rated."))
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput({"comment": _("At most %(n)d characters.") % {"n": MAX_COMMENT_LENGTH}})
    case = dispatch_services.case_rate(case=invitation.case, actor=PUBLIC, invitation=invitation,
                                       satisfaction=satisfaction, comment=comment, now=now)
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    return case


# --- survey imports ------------------------------------------------------------------------------

MAX_SURVEY_BYTES = 20 * 1024 * 1024
RESPONDENT_MAX_LENGTH = SurveyResponse._meta.get_field("respondent").max_length

# column → the header names accepted for it (compared after `_header`).
COLUMNS = {
    "unit_kind": ("unit_kind", "kind", "unit_type", "单位类型", "对象类型", "被评价对象类型", "类型"),
    "unit_code": ("unit_code", "code", "unit", "单位编码", "单位代码", "对象编码", "编码", "代码"),
    "respondent": ("respondent", "respondent_id", "受访者", "受访者编号", "受访者id", "样本编号", "问卷编号"),
    "answer": ("answer", "satisfaction", "满意度", "评价", "答案", "回答"),
}
KIND_NAMES = {
    UnitKind.STREET: ("street", "街道", "镇", "街道(镇)", "街道（镇）", "地区"),
    UnitKind.COMMUNITY: ("community", "社区", "村"),
    UnitKind.AGENCY: ("agency", "派驻机构"),
    UnitKind.DEPARTMENT: ("department", "职能部门", "专业部门", "部门"),
    UnitKind.GRID_WORKER: ("grid_worker", "网格员"),
}
ANSWER_NAMES = {
    Satisfaction.SATISFIED: ("satisfied", "满意"),
    Satisfaction.BASICALLY_SATISFIED: ("basically_satisfied", "basically satisfied", "基本满意"),
    Satisfaction.DISSATISFIED: ("dissatisfied", "不满意"),
}
# How a missing column is named in the error (the Chinese header most firms use).
COLUMN_TITLES = {"unit_kind": "单位类型", "unit_code": "单位编码", "respondent": "受访者编号", "answer": "满意度"}
_KIND_BY_NAME = {name: kind for kind, names in KIND_NAMES.items() for name in names}
_ANSWER_BY_NAME = {name: answer for answer, names in ANSWER_NAMES.items() for name in names}
# The model whose `code` identifies a unit of each kind; grid workers go by user name.
_CODED_UNITS = {UnitKind.STREET: Street, UnitKind.COMMUNITY: Community, UnitKind.AGENCY: Agency,
                UnitKind.DEPARTMENT: Department}


@dataclass
class _Row:
    line: int
    kind: str
    code: str
    respondent: str
    answer: str


def may_import_surveys(user) -> bool:
    """A survey operator of the district (there is one district, and rounds are the district's), or a superuser."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(
        user=user, role=Role.SURVEY_OPERATOR, district__isnull=False).exists()


def require_survey_operator(user) -> None:
    if not may_import_surveys(user):
        raise ActionForbidden(_("Only the district's survey operators may import survey answers."))


@transaction.atomic
def import_survey(*, round: Round, actor, filename: str, data: bytes,
                  now: dt.datetime | None = None) -> SurveyImport:
    """第三方满意度调查: store one file of the survey firm's answers for `round`, all or nothing."""
    require_survey_operator(actor)
    # Lock the round so that it cannot be published while its answers are being written.
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status == RoundStatus.PUBLISHED:
        raise ActionConflict(_("Round %(period)s is published: its survey answers can no longer change.")
                             % {"period": round.period})
    rows = _validated_rows(round, _read_table(filename, data))
    survey = SurveyImport.objects.create(round=round, filename=filename[:200], rows=len(rows), imported_by=actor,
                                         imported_at=now or timezone.now())
    SurveyResponse.objects.bulk_create(
        (SurveyResponse(survey=survey, unit_kind=kind, unit_id=unit_id, respondent=respondent, answer=answer,
                        line=line) for line, kind, unit_id, respondent, answer in rows),
        batch_size=2000)
    return survey


def survey_satisfaction(round: Round) -> dict[str, dict[int, tuple[int, int, int]]]:
    """unit kind → unit id → (satisfied, basically satisfied, dissatisfied) among the round's imported answers."""
    counts = (SurveyResponse.objects.filter(survey__round=round).values("unit_kind", "unit_id")
              .annotate(satisfied=Count("pk", filter=Q(answer=Satisfaction.SATISFIED)),
                        basically=Count("pk", filter=Q(answer=Satisfaction.BASICALLY_SATISFIED)),
                        dissatisfied=Count("pk", filter=Q(answer=Satisfaction.DISSATISFIED)))
              .order_by())
    result: dict[str, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    for row in counts:
        result[row["unit_kind"]][row["unit_id"]] = (row["satisfied"], row["basically"], row["dissatisfied"])
    return dict(result)


def _file_error(message: str) -> InvalidInput:
    return InvalidInput({"file": [message]})


def _read_table(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every row, the header first; .xlsx by its content, else CSV."""
    if not data:
        raise _file_error(_("The file is empty."))
    if len(data) > MAX_SURVEY_BYTES:
        raise _file_error(_("The file is larger than %(mb)d MB.") % {"mb": MAX_SURVEY_BYTES // (1024 * 1024)})
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or filename.lower().endswith(".xls"):
        raise _file_error(_("Old Excel files (.xls) cannot be read: save the file as .xlsx or CSV."))
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _file_error(_("The file is not a readable Excel (.xlsx) workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        return [(number, [_cell(value) for value in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    # UTF-8 (Excel adds a BOM), else GB18030: what Excel on a Chinese Windows saves as "CSV".
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise _file_error(_("The file is neither UTF-8 nor GB18030 text: save it as CSV or .xlsx.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, [cell.strip() for cell in cells]) for cells in reader]
    except csv.Error as exc:
        raise _file_error(_("Line %(line)d: %(reason)s") % {"line": reader.line_num, "reason": exc}) from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # codes and respondent numbers typed into Excel arrive as numbers
    return str(value).strip()


def _header(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _columns(header: list[str]) -> dict[str, int]:
    """column → its index in the header row; InvalidInput naming the missing ones."""
    aliases = {alias: column for column, names in COLUMNS.items() for alias in names}
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        column = aliases.get(_header(name))
        if column and column not in found:
            found[column] = index
    missing = [column for column in COLUMNS if column not in found]
    if missing:
        names = ", ".join(f"{column} ({COLUMN_TITLES[column]})" for column in missing)
        raise _file_error(_("The header row lacks the column(s): %(columns)s.") % {"columns": names})
    return found


def _validated_rows(round: Round, table: list[tuple[int, list[str]]]) -> list[tuple[int, str, int, str, str]]:
    """(line, unit kind, unit id, respondent, answer) of every row, or InvalidInput listing every bad line."""
    table = [(line, cells) for line, cells in table if any(cells)]  # blank rows are no answers
    if not table:
        raise _file_error(_("The file is empty."))
    (_line, header), *body = table
    columns = _columns(header)
    if not body:
        raise _file_error(_("The file has a header row but no answers."))

    def cell(cells: list[str], column: str) -> str:
        index = columns[column]
        return cells[index] if index < len(cells) else ""

    errors: dict[int, list[str]] = defaultdict(list)
    parsed: list[_Row] = []
    for line, cells in body:
        raw_kind, code = cell(cells, "unit_kind"), cell(cells, "unit_code")
        respondent, raw_answer = cell(cells, "respondent"), cell(cells, "answer")
        kind = _KIND_BY_NAME.get(raw_kind.lower())
        answer = _ANSWER_BY_NAME.get(raw_answer.lower())
        if not raw_kind:
            errors[line].append(_("the unit kind is missing"))
        elif kind is None:
            errors[line].append(_("unknown unit kind “%(value)s” (street, community, agency, department, "
                                  "grid_worker or 街道, 社区, 派驻机构, 职能部门, 网格员)") % {"value": raw_kind})
        if not code:
            errors[line].append(_("the unit code is missing"))
        if not respondent:
            errors[line].append(_("the respondent is missing"))
        elif len(respondent) > RESPONDENT_MAX_LENGTH:
            errors[line].append(_("the respondent is longer than %(n)d characters") % {"n": RESPONDENT_MAX_LENGTH})
        if not raw_answer:
            errors[line].append(_("the answer is missing"))
        elif answer is None:
            errors[line].append(_("unknown answer “%(value)s” (满意, 基本满意, 不满意 or satisfied, "
                                  "basically_satisfied, dissatisfied)") % {"value": raw_answer})
        parsed.append(_Row(line, kind or "", code, respondent, answer or ""))

    unit_ids = _unit_ids(parsed)
    rows = []
    first_line: dict[tuple[str, str, int], int] = {}
    for row in parsed:
        if not (row.kind and row.code):
            continue
        unit_id = unit_ids[row.kind].get(row.code)
        if unit_id is None:
            errors[row.line].append(_unknown_unit(row.kind, row.code))
            continue
        if not row.respondent:
            continue
        key = (row.respondent, row.kind, unit_id)
        if key in first_line:
            errors[row.line].append(_("respondent %(respondent)s already answered about this unit on line %(line)d")
                                    % {"respondent": row.respondent, "line": first_line[key]})
            continue
        first_line[key] = row.line
        rows.append((row.line, row.kind, unit_id, row.respondent, row.answer))

    for (respondent, kind, unit_id), (filename, earlier) in _already_imported(round, first_line).items():
        errors[first_line[(respondent, kind, unit_id)]].append(
            _("respondent %(respondent)s's answer about this unit was already imported (%(file)s, line %(line)d)")
            % {"respondent": respondent, "file": filename, "line": earlier})
    if errors:
        raise InvalidInput({"file": [_("Line %(line)d: %(reason)s") % {"line": line, "reason": "; ".join(reasons)}
                                     for line, reasons in sorted(errors.items())]})
    return rows


def _unit_ids(rows: list[_Row]) -> dict[str, dict[str, int]]:
    """kind → code → id of the units the rows name: one query per kind present."""
    codes: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.kind and row.code:
            codes[row.kind].add(row.code)
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, wanted in codes.items():
        if kind == UnitKind.GRID_WORKER:
            pairs = (get_user_model().objects.filter(username__in=wanted, memberships__role=Role.GRID_WORKER)
                     .values_list("username", "pk").distinct())
        else:
            pairs = _CODED_UNITS[kind].objects.filter(code__in=wanted).values_list("code", "pk")
        found[kind] = dict(pairs)
    return found


def _unknown_unit(kind: str, code: str) -> str:
    if kind == UnitKind.GRID_WORKER:
        return _("no grid worker has the user name “%(code)s”") % {"code": code}
    return _("no %(kind)s has the code “%(code)s”") % {"kind": UnitKind(kind).label, "code": code}


def _already_imported(round: Round, keys) -> dict[tuple[str, str, int], tuple[str, int]]:
    """The (respondent, kind, unit) of this file that an earlier import of the round already holds:
    the same file imported twice would count every answer twice."""
    respondents = {respondent for respondent, _kind, _unit in keys}
    if not respondents:
        return {}
    earlier = (SurveyResponse.objects.filter(survey__round=round, respondent__in=respondents)
               .values_list("respondent", "unit_kind", "unit_id", "survey__filename", "line"))
    return {(respondent, kind, unit_id): (filename, line)
            for respondent, kind, unit_id, filename, line in earlier if (respondent, kind, unit_id) in keys}
