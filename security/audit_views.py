"""The audit administrator's page of the audit log (安全审计), its search and its export.

Only the audit administrator (审计管理员, Role.AUDIT_ADMIN) and a superuser read the log: anyone else
signed in gets a 403, and the refusal is itself a row. The page searches by login, action, outcome,
object, address and dates (Asia/Shanghai days), newest first, 50 rows a page. Pages are keyset pages
(`cursor` = the last row's time and id), so the thousandth page costs what the first does on a log
of millions of rows; no total is counted. The export is the same search as a CSV, streamed, with
cells a spreadsheet would run as formulas neutralised as in the case export; each export is a row.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from dispatch.export import CSV_CONTENT_TYPE, neutralise
from haidian import audit
from haidian.calendar import SHANGHAI
from haidian.models import AuditEntry
from haidian.permissions import Role, scope_for

PAGE_SIZE = 50
CHUNK_SIZE = 2000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)

# The export's columns: fixed Chinese titles whatever the reader's language, as the case export.
CSV_HEADER = ["时间", "用户", "单位", "地址", "操作", "结果", "对象类型", "对象编号", "对象", "详情"]


def reads_audit_log(user) -> bool:
    """The audit administrator, or a superuser (whose every use is itself audited)."""
    return user.is_authenticated and scope_for(user).has_role(Role.AUDIT_ADMIN)


def _refuse(request):
    audit.record(audit.Action.AUDIT_READ_REFUSED, request=request, outcome=audit.Outcome.DENIED,
                 data={"path": request.path})
    raise PermissionDenied(_("Only the audit administrator may read the audit log."))


# --- the search ------------------------------------------------------------------------------------

def cursor_of(entry: AuditEntry) -> str:
    """The keyset position after `entry`: its time in microseconds since 1970, and its id."""
    return f"{(entry.at - _EPOCH) // _MICROSECOND}.{entry.pk}"


def _parse_cursor(value: str) -> tuple[dt.datetime, int]:
    microseconds, _dot, pk = value.partition(".")
    if not (microseconds.isdigit() and pk.isdigit()) or len(microseconds) > 18 or len(pk) > 19:
        raise forms.ValidationError(_("Not a page of this list."))
    return _EPOCH + int(microseconds) * _MICROSECOND, int(pk)


class AuditSearchForm(forms.Form):
    """The page's and the export's search; every field optional."""

    actor = forms.CharField(label=_("Login"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("Action"), choices=[("", _("any")), *audit.Action.choices], required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("any")), *audit.Outcome.choices],
                                required=False)
    object_type = forms.CharField(label=_("Object type"), max_length=60, required=False,
                                  help_text=_("e.g. auth.user, people.membership, dispatch.case"))
    object_id = forms.CharField(label=_("Object id"), max_length=64, required=False)
    address = forms.GenericIPAddressField(label=_("Address"), required=False)
    date_from = forms.DateField(label=_("Date from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Date until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_cursor(self):
        value = self.cleaned_data["cursor"]
        return _parse_cursor(value) if value else None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


def audit_entries(filters: dict) -> QuerySet[AuditEntry]:
    """The log's rows matching the search's cleaned `filters`, newest first (by time, then id)."""
    rows = AuditEntry.objects.order_by("-at", "-id")
    for field, lookup in (("actor", "actor_username"), ("action", "action"), ("outcome", "outcome"),
                          ("object_type", "object_type"), ("object_id", "object_id"), ("address", "address")):
        value = filters.get(field)
        if value:
            rows = rows.filter(**{lookup: value.strip()})
    if filters.get("date_from"):
        rows = rows.filter(at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=SHANGHAI))
    if filters.get("date_to"):
        end = filters["date_to"] + dt.timedelta(days=1)
        rows = rows.filter(at__lt=dt.datetime.combine(end, dt.time.min, tzinfo=SHANGHAI))
    return rows


def _labels() -> tuple[dict, dict]:
    return ({value: str(label) for value, label in audit.Action.choices},
            {value: str(label) for value, label in audit.Outcome.choices})


def _data_text(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True) if data else ""


@login_required
@require_safe
def audit_log(request):
    """The log, searched, one page of 50 rows; `cursor` moves to older rows."""
    if not reads_audit_log(request.user):
        _refuse(request)
    form = AuditSearchForm(request.GET or None)
    entries, next_query, status = [], None, 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        filters = form.cleaned_data if form.is_bound else {}
        rows = audit_entries(filters)
        if filters.get("cursor"):
            at, pk = filters["cursor"]
            # at <= … is what the index on `at` can seek to; the OR alone would be a filter on every row.
            rows = rows.filter(at__lte=at).filter(Q(at__lt=at) | Q(at=at, id__lt=pk))
        entries = list(rows[:PAGE_SIZE + 1])
        if len(entries) > PAGE_SIZE:
            entries = entries[:PAGE_SIZE]
            query = request.GET.copy()
            query["cursor"] = cursor_of(entries[-1])
            next_query = query.urlencode()
    actions, outcomes = _labels()
    for entry in entries:
        entry.action_label = actions.get(entry.action, entry.action)
        entry.outcome_label = outcomes.get(entry.outcome, entry.outcome)
        entry.data_text = _data_text(entry.data)
    export_query = request.GET.copy()
    export_query.pop("cursor", None)
    return render(request, "security/audit_log.html", {
        "form": form, "entries": entries, "next_query": next_query, "export_query": export_query.urlencode(),
        "first_page": not request.GET.get("cursor"), "retention_days": settings.AUDIT_RETENTION_DAYS,
    }, status=status)


# --- the export ------------------------------------------------------------------------------------

class _Lines:
    """A file-like object for csv.writer that hands back each line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def _csv_cells(row: tuple, actions: dict, outcomes: dict) -> list[str]:
    at, username, unit, address, action, outcome, object_type, object_id, object_repr, data = row
    return [at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"), neutralise(username), neutralise(unit),
            address or "", actions.get(action, action), outcomes.get(outcome, outcome), neutralise(object_type),
            neutralise(object_id), neutralise(object_repr), neutralise(_data_text(data))]


def audit_csv_chunks(rows: QuerySet[AuditEntry]):
    """The BOM and header (so that Excel reads UTF-8 Chinese), then CHUNK_SIZE lines at a time."""
    # Labels are read now, in Chinese: the lines are made later, while the response is sent.
    with translation.override("zh-hans"):
        actions, outcomes = _labels()
    writer = csv.writer(_Lines())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    chunk = []
    columns = ("at", "actor_username", "actor_unit", "address", "action", "outcome", "object_type", "object_id",
               "object_repr", "data")
    for row in rows.values_list(*columns).iterator(chunk_size=CHUNK_SIZE):
        chunk.append(writer.writerow(_csv_cells(row, actions, outcomes)))
        if len(chunk) == CHUNK_SIZE:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


@login_required
@require_safe
def audit_export(request):
    """The search's every row as CSV (the page's filters, all pages); the export is itself a row."""
    if not reads_audit_log(request.user):
        _refuse(request)
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "security/audit_log.html", {"form": form, "entries": [], "first_page": True,
                                                           "retention_days": settings.AUDIT_RETENTION_DAYS},
                      status=400)
    filters = {**(form.cleaned_data if form.is_bound else {}), "cursor": None}
    audit.record(audit.Action.AUDIT_EXPORTED, request=request,
                 data={"what": "audit_log", "format": "csv", "filters": audit.query_filters(request)})
    response = StreamingHttpResponse(audit_csv_chunks(audit_entries(filters)), content_type=CSV_CONTENT_TYPE)
    filename = f"audit-log-{timezone.now().astimezone(SHANGHAI):%Y%m%d-%H%M}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


urlpatterns = [
    path("audit/", audit_log, name="audit"),
    path("audit/export.csv", audit_export, name="audit-export"),
]
