"""The workflow's pages: street workbench, case detail, grid worker pages, agency inbox, command center.

Server-rendered; every POST validates a form and calls the same service as the API, inside one
transaction with the photos that come with it. A refused action re-renders the page with the
reason (403 wrong person, 409 wrong moment, 400 bad input); nothing is half-done.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dispatch import export, forms, rules, selectors, services
from dispatch.letters import pdf as letter_pdfs
from dispatch.letters import services as letters
from dispatch.models import OPEN_STATUSES, TO_DO_STATUSES, Attachment, Case, CaseStatus, Source, Task
from dispatch.workflow import Action
from grids import services as grid_services
from grids.models import GridCell, Patrol
from haidian import reform
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput, http_status, put_on_form, reason
from haidian.permissions import Role, scope_for
from haidian.steps import REFUSALS, StepPage
from haidian.workflow import timeline_items
from people.selectors import staff_streets


def _queue_labels():
    # Translated per request (the module is imported before a language is active).
    return {
        CaseStatus.REPORTED: _("To file"),
        CaseStatus.FILED: _("To dispatch"),
        CaseStatus.DISPATCHED: _("In hand"),
        CaseStatus.RESPONDED: _("To verify"),
        CaseStatus.CLOSED: _("Closed"),
        selectors.REVIEW_QUEUE: _("Dissatisfied, to review"),
    }


# --- the street workbench ------------------------------------------------------------------------

def _cursor(value: str) -> tuple | None:
    try:
        moment, pk = value.rsplit("_", 1)
        return dt.datetime.fromisoformat(moment), int(pk)
    except ValueError:
        return None


@login_required
def workbench(request):
    """街道分中心工作台: the street's cases by step, filtered and paged newest first."""
    streets = list(staff_streets(user=request.user))
    if not streets:
        raise Http404
    street = next((s for s in streets if s.code == request.GET.get("street")), streets[0])
    status = request.GET.get("queue", CaseStatus.REPORTED)
    queue_names = [*selectors.QUEUE_STATUSES, selectors.REVIEW_QUEUE]
    if status not in queue_names:
        status = CaseStatus.REPORTED
    filters = forms.QueueFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    cases = selectors.street_queue(user=request.user, street=street, status=status, filters=cleaned,
                                   after=_cursor(request.GET.get("after", "")))
    leads = selectors.lead_tasks(cases) if status in (CaseStatus.DISPATCHED, CaseStatus.RESPONDED) else {}
    now = timezone.now()
    rows = [{"case": case, "lead": leads.get(case.pk), "mark": _deadline_mark(leads.get(case.pk), now)}
            for case in cases]
    next_url = None
    if len(cases) == selectors.PAGE_SIZE:
        last = cases[-1]
        query = request.GET.copy()
        query["after"] = f"{last.created_at.isoformat()}_{last.pk}"
        next_url = f"?{query.urlencode()}"
    counts = selectors.queue_counts(user=request.user, street=street)
    labels = _queue_labels()
    queues = [{"status": s, "label": labels[s], "count": counts[s],
               "url": "?" + urlencode({"street": street.code, "queue": s})} for s in queue_names]
    return render(request, "dispatch/workbench.html", {
        "street": street, "streets": streets, "status": status, "queue_label": labels[status], "queues": queues,
        "rows": rows, "filters": filters, "next_url": next_url,
        "return_requests": selectors.return_requests(user=request.user, street=street),
        "reflected": selectors.reflected_without_letter(user=request.user, street=street), "extension_requests":
        selectors.extension_requests(user=request.user) if status == CaseStatus.DISPATCHED else [],
    })


def _deadline_mark(task: Task | None, now: dt.datetime) -> str:
    """"red" past the due time, "yellow" past the yellow point the deadline sweep uses, else ""."""
    if task is None or task.status not in TO_DO_STATUSES:
        return ""
    if now >= task.due_at:
        return "red"
    if task.warn_at is not None and now >= task.warn_at:
        return "yellow"
    return ""


# --- case detail and its actions -------------------------------------------------------------

CASE_FORMS = {
    Action.FILE: forms.FileForm,
    Action.REJECT: forms.RejectForm,
    Action.RESOLVE_ON_SITE: forms.NoteForm,
    Action.DISPATCH: forms.DispatchForm,
    Action.ESCALATE: forms.ReasonForm,
    "verify": forms.VerifyForm,
    Action.RATE: forms.RateForm,
    Action.CALLBACK: forms.RateForm,
    Action.REOPEN: forms.OptionalCommentForm,
    Action.EXPLAIN: forms.CommentForm,
    Action.PUBLIC_RESULT: forms.PublicResultForm,
    Action.SEND_DOWN: forms.CommentForm,
    Action.ACKNOWLEDGE_ALARM: None,
}
TASK_FORMS = {
    Action.ACCEPT: None,
    Action.RETURN: forms.ReasonForm,
    Action.APPROVE_RETURN: forms.OptionalCommentForm,
    Action.REFUSE_RETURN: forms.ReasonForm,
    Action.REQUEST_EXTENSION: forms.ExtensionForm,
    Action.APPROVE_EXTENSION: None,
    Action.RESPOND: forms.RespondForm,
}


def _case_form(form_class):
    if form_class is None:
        return None

    def make(case: Case, *, user, prefix: str, data=None, files=None):
        kwargs = {"prefix": prefix}
        if form_class in (forms.DispatchForm, forms.PublicResultForm):
            kwargs["case"] = case
        if form_class is forms.RejectForm:
            kwargs["visible_cases"] = selectors.case_list(user=user).exclude(pk=case.pk)
        return form_class(data, files, **kwargs)

    return make


def _case_steps(user, case: Case) -> set[str]:
    allowed = rules.case_actions(user, case)
    return allowed | ({"verify"} if Action.VERIFY_PASSED in allowed else set())


def _case_extra(request, case: Case, bound: dict) -> dict:
    user = request.user
    tasks = []
    for task in case.tasks.all():
        actions = rules.task_actions(user, task, case)
        task_forms = {}
        for action, form_class in TASK_FORMS.items():
            if action in actions:
                key = f"task{task.pk}-{action}"
                task_forms[action] = bound.get(key) or (form_class(prefix=key) if form_class else None)
        tasks.append({"task": task, "forms": task_forms})
    status_labels = dict(CaseStatus.choices)
    reporter_name, reporter_phone = selectors.reporter_shown(request=request, case=case)  # audited if whole
    return {"tasks": tasks, "events": timeline_items(case.events.all(), _action_label, status_labels),
            "photos": [a for a in case.attachments.all() if a.content_type.startswith("image/")],
            "documents": [a for a in case.attachments.all() if not a.content_type.startswith("image/")],
            "reporter_name": reporter_name, "reporter_phone": reporter_phone,
            "letters": selectors.letter_list(user=user).filter(cases=case),
            "may_letter": case.status in OPEN_STATUSES and letters.may_issue(user, case.street_id),
            "returns_flagged": reform.RETURNS_FLAGGED}


def _action_label(action: str) -> str:
    try:
        return str(Action(action).label)
    except ValueError:
        return action


def _attach(request, case: Case, upload, kind: str, task: Task | None = None) -> None:
    if upload:
        services.case_attach(case=case, actor=request.user, upload=upload, kind=kind,
                             task_id=task.pk if task else None)


def _take_case_step(request, case: Case, action: str, data: dict, form) -> str:
    """One workflow verb on a case, with the photos its form brings, in the page's one transaction."""
    user = request.user
    if action == Action.FILE:
        services.case_file(case=case, actor=user, category=data["category"], priority=data["priority"])
    elif action == Action.REJECT:
        services.case_reject(case=case, actor=user, reason=data["reason"], duplicate_of=data["duplicate_of"])
    elif action == Action.RESOLVE_ON_SITE:
        _attach(request, case, data["before"], Attachment.Kind.BEFORE)
        _attach(request, case, data["after"], Attachment.Kind.AFTER)
        services.case_resolve_on_site(case=case, actor=user, note=data["note"])
    elif action == Action.DISPATCH:
        services.case_dispatch(case=case, actor=user, lead=data["lead"], cooperating=data["cooperating"])
    elif action == Action.ESCALATE:
        services.case_escalate(case=case, actor=user, reason=data["reason"])
    elif action == "verify":
        _attach(request, case, data["photo"], Attachment.Kind.EVIDENCE)
        services.case_verify(case=case, actor=user, passed=data["passed"], note=data["note"])
    elif action in (Action.RATE, Action.CALLBACK):  # staff's "rating" is recorded as a call-back
        services.case_rate(case=case, actor=user, satisfaction=data["satisfaction"], comment=data["comment"])
    elif action == Action.REOPEN:
        services.case_reopen(case=case, actor=user, note=data["note"])
    elif action == Action.EXPLAIN:
        services.case_explain(case=case, actor=user, note=data["note"])
    elif action == Action.PUBLIC_RESULT:
        services.case_set_public_result(case=case, actor=user, text=data["text"])
    elif action == Action.SEND_DOWN:
        services.case_send_down(case=case, actor=user, note=data["note"])
    elif action == Action.ACKNOWLEDGE_ALARM:
        services.case_acknowledge_alarm(case=case, actor=user)
    verb = _("verification") if action == "verify" else _action_label(action)
    return _("Done: %(action)s.") % {"action": verb}


CASE_PAGE = StepPage(
    template="dispatch/case_detail.html", object_name="case", forms_name="case_forms",
    find=lambda user, number: selectors.case_detail(user=user).select_related("duplicate_of")
    .filter(number=number).first(),
    forms={name: _case_form(form_class) for name, form_class in CASE_FORMS.items()},
    steps=_case_steps, take=_take_case_step, extra=_case_extra,
    done=lambda case: reverse("dispatch:case", kwargs={"number": case.number}),
)


@login_required
def case_detail(request, number: str):
    return CASE_PAGE.detail(request, number)


@login_required
@require_POST
def case_act(request, number: str, action: str):
    """One workflow verb on a case, from the detail page's form of the same name."""
    return CASE_PAGE.act(request, number, action)


@login_required
@require_POST
def task_act(request, pk: int, action: str):
    """One task verb (accept, return, extension, respond) from the case page or the inbox."""
    task = selectors.task_for_action(user=request.user).filter(pk=pk).first()
    if task is None or action not in TASK_FORMS:
        raise Http404
    case = CASE_PAGE.visible(request.user, task.case.number)  # handlers see their tasks' cases
    key = f"task{task.pk}-{action}"
    form_class = TASK_FORMS[action]
    form = form_class(request.POST, request.FILES, prefix=key) if form_class else None
    bound = {key: form} if form else {}
    user = request.user
    try:
        if form is not None and not form.is_valid():
            raise InvalidInput({})
        data = form.cleaned_data if form else {}
        with transaction.atomic():
            if action == Action.ACCEPT:
                services.task_accept(task=task, actor=user)
            elif action == Action.RETURN:
                services.task_return(task=task, actor=user, reason=data["reason"])
            elif action == Action.APPROVE_RETURN:
                services.task_approve_return(task=task, actor=user, note=data["note"])
            elif action == Action.REFUSE_RETURN:
                services.task_refuse_return(task=task, actor=user, reason=data["reason"])
            elif action == Action.REQUEST_EXTENSION:
                services.task_request_extension(task=task, actor=user, until=data["until"], reason=data["reason"])
            elif action == Action.APPROVE_EXTENSION:
                services.task_approve_extension(task=task, actor=user)
            elif action == Action.RESPOND:
                _attach(request, task.case, data["photo"], Attachment.Kind.AFTER, task)
                services.task_respond(task=task, actor=user, result=data["result"])
    except REFUSALS as exc:
        return CASE_PAGE.refused(request, case.number, bound, exc)
    messages.success(request, _("Done: %(action)s.") % {"action": _action_label(action)})
    return redirect(_next_or(request, reverse("dispatch:case", kwargs={"number": task.case.number})))


def _next_or(request, default: str) -> str:
    """Where a form asked to go back to (`next`), if it is a page of this site; else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


# --- grid workers ----------------------------------------------------------------------------------

@login_required
def grid_home(request):
    """网格员: my grids, cases waiting for my check, my reports."""
    scope = scope_for(request.user)
    if not scope.has_role(Role.GRID_WORKER):
        raise Http404
    grids = GridCell.objects.filter(pk__in=scope.grid_ids).select_related("community").defer("boundary")
    patrols = list(Patrol.objects.filter(worker=request.user).select_related("grid").defer("grid__boundary")[:10])
    return render(request, "dispatch/grid_home.html", {
        "grids": grids.order_by("code"), **selectors.grid_worker_cases(user=request.user),
        "patrols": patrols, "patrol_open": next((p for p in patrols if p.ended_at is None), None),
    })


@login_required
@require_POST
def patrol(request, step: str):
    """Start or end a patrol from the grid worker's page (巡查日志)."""
    scope = scope_for(request.user)
    try:
        if step == "start":
            grid = GridCell.objects.filter(pk__in=scope.grid_ids, code=request.POST.get("grid", "")).first()
            if grid is None:
                raise InvalidInput({"grid": [_("Choose one of your grids.")]})
            grid_services.patrol_start(worker=request.user, grid=grid)
            messages.success(request, _("Patrol of %(grid)s started.") % {"grid": grid.code})
        elif step == "end":
            grid_services.patrol_end(worker=request.user, notes=request.POST.get("notes", "").strip())
            messages.success(request, _("Patrol ended and logged."))
        else:
            raise Http404
    except (ActionForbidden, ActionConflict, InvalidInput) as exc:
        messages.error(request, reason(exc))
    return redirect("dispatch:grid")


@login_required
def report(request):
    """Report a problem from the field: words, category, photo and the phone's location."""
    scope = scope_for(request.user)
    if not scope.has_role(Role.GRID_WORKER, Role.STREET_STAFF):
        raise Http404
    form = forms.ReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            source = Source.GRID_PATROL if scope.has_role(Role.GRID_WORKER) else Source.STAFF
            try:
                with transaction.atomic():
                    case = services.case_create(
                        actor=request.user, title=data["title"], description=data["description"],
                        category=data["category"], lat=data["lat"], lng=data["lng"], address=data["address"],
                        source=source)
                    _attach(request, case, data["photo"], Attachment.Kind.BEFORE)
            except InvalidInput as exc:
                put_on_form(form, exc)
                status = 400
            else:
                messages.success(request, _("Reported as %(number)s.") % {"number": case.number})
                return redirect("dispatch:case", number=case.number)
        else:
            status = 400
    return render(request, "dispatch/report.html", {"form": form}, status=status)


@login_required
def suggest(request):
    """The category a report's title suggests, for the report page (htmx)."""
    category = selectors.suggest_category(request.GET.get("title", ""))
    return render(request, "dispatch/_suggestion.html", {"category": category})


# --- agencies and the command center ----------------------------------------------------------

@login_required
def agency_inbox(request):
    """派驻机构: tasks pending, in hand and overdue, with due times."""
    scope = scope_for(request.user)
    if not (scope.agency_ids or scope.department_ids):
        raise Http404
    now = timezone.now()
    bucket = request.GET.get("bucket", "pending")
    if bucket not in ("pending", "in_hand", "overdue"):
        bucket = "pending"
    tasks = selectors.inbox(user=request.user, bucket=bucket, now=now)
    labels = {"pending": _("New"), "in_hand": _("In hand"), "overdue": _("Overdue")}
    return render(request, "dispatch/inbox.html", {
        "bucket": bucket, "buckets": labels, "bucket_label": labels[bucket], "now": now,
        "rows": [{"task": task, "overdue": task.due_at < now, "actions": rules.task_actions(request.user, task,
                                                                                           task.case)}
                 for task in tasks],
    })


@login_required
def command_center(request):
    """区指挥中心: district-tier cases to dispatch, and extension and return requests."""
    scope = scope_for(request.user)
    if not scope.has_role(Role.DISTRICT_COMMAND):
        raise Http404
    return render(request, "dispatch/command.html", {
        "cases": selectors.district_queue(user=request.user),
        "extension_requests": selectors.extension_requests(user=request.user),
        "return_requests": selectors.return_requests(user=request.user),
    })


@login_required
def waiting(request):
    """The header's count of what waits for me (htmx polls it)."""
    return render(request, "dispatch/_waiting.html", {"count": selectors.waiting_count(user=request.user)})


# --- deadline letters ------------------------------------------------------------------------------

def _letter_buckets():
    return {"open": _("Waiting for an answer"), "overdue": _("Overdue"), "answered": _("Answered"),
            "all": _("All")}


@login_required
def letter_list(request):
    """函告: the street's letters, the agency's letter inbox, or the district's view of all."""
    scope = scope_for(request.user)
    if not (scope.street_ids or scope.agency_ids or scope.department_ids or scope.district_ids):
        raise Http404
    buckets = _letter_buckets()
    bucket = request.GET.get("bucket", "open")
    if bucket not in buckets:
        bucket = "open"
    now = timezone.now()
    return render(request, "dispatch/letters.html", {
        "bucket": bucket, "buckets": buckets, "bucket_label": buckets[bucket], "now": now,
        "letters": selectors.letters_page(user=request.user, bucket=bucket, now=now),
        "may_issue": bool(staff_streets(user=request.user).exists()),
    })


@login_required
def letter_new(request):
    """Issue a letter: from a case page or the workbench's suggestion (?cases=…), or blank."""
    streets = list(staff_streets(user=request.user))
    if not streets:
        raise Http404
    numbers = request.POST.get("cases") or request.GET.get("cases", "")
    first, _missing = selectors.cases_by_number(user=request.user, numbers=numbers.replace(",", " ").split()[:1])
    street = next((s for s in streets if first and s.pk == first[0].street_id), None) or \
        next((s for s in streets if s.code == request.GET.get("street")), streets[0])
    initial = {"cases": numbers}
    if first:
        lead = selectors.lead_tasks(first).get(first[0].pk)
        if lead is not None and lead.agency_id:
            initial["agency"] = lead.agency.code
    form = forms.LetterForm(request.POST or None, street=street, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                letter = letters.letter_issue(actor=request.user, agency=data["agency"], cases=data["cases"],
                                              requirement=data["requirement"], deadline=data["deadline"])
            except (InvalidInput, ActionForbidden) as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                messages.success(request, _("Letter %(number)s issued.") % {"number": letter.number})
                return redirect("dispatch:letter", pk=letter.pk)
    return render(request, "dispatch/letter_new.html", {"form": form, "street": street}, status=status)


def _take_letter_step(request, letter, step: str, data: dict, form) -> None:
    service = {"acknowledge": letters.letter_acknowledge, "answer": letters.letter_answer,
               "feedback": letters.letter_feedback, "close": letters.letter_close}[step]
    service(letter=letter, actor=request.user, **data)


def _letter_extra(request, letter, bound: dict) -> dict:
    return {"now": timezone.now(), "timeline": letters.LETTERS.timeline(letter),
            "cases": selectors.case_list(user=request.user).filter(letters=letter).order_by("number")}


def _letter_form(form_class):
    return lambda letter, *, user, prefix, data=None, files=None: form_class(data, prefix=prefix)


def _letter_close_form(letter, *, user, prefix, data=None, files=None):
    if data is not None:
        letters.LETTERS.next_status(letter, "close")  # a letter not yet answered: 409, before any reason
    return forms.LetterCloseForm(data, prefix=prefix, letter=letter)


LETTER_PAGE = StepPage(
    template="dispatch/letter_detail.html", object_name="letter",
    find=lambda user, pk: selectors.letter_list(user=user).filter(pk=pk).first(),
    forms={"acknowledge": None, "answer": _letter_form(forms.AnswerForm), "feedback": _letter_form(forms.FeedbackForm),
           "close": _letter_close_form},
    steps=letters.letter_steps, take=_take_letter_step, extra=_letter_extra,
    done=lambda letter: reverse("dispatch:letter", kwargs={"pk": letter.pk}),
)


@login_required
def letter_detail(request, pk: int):
    return LETTER_PAGE.detail(request, pk)


@login_required
def letter_pdf(request, pk: int):
    return letter_pdfs.letter_pdf_response(LETTER_PAGE.visible(request.user, pk))


@login_required
@require_POST
def letter_act(request, pk: int, step: str):
    """One step on a letter: acknowledge, answer, feedback, close (as the API's)."""
    return LETTER_PAGE.act(request, pk, step)


# --- export ----------------------------------------------------------------------------------------

@login_required
def workbench_export(request, kind: str):
    """The workbench's list as a file (`export.csv`, `export.xlsx`): the same street, queue and
    filters, every page of it; without `queue`, the street's cases in every step."""
    streets = list(staff_streets(user=request.user))
    if not streets:
        raise Http404
    street = next((s for s in streets if s.code == request.GET.get("street", streets[0].code)), None)
    status = request.GET.get("queue") or None
    if street is None or (status is not None and status not in [*selectors.QUEUE_STATUSES, selectors.REVIEW_QUEUE]):
        raise Http404
    filters = forms.QueueFilterForm(request.GET)
    # The page ignores filters it cannot read; a file must not quietly hold more than was asked for.
    if not filters.is_valid():
        problems = "; ".join(f"{filters.fields[name].label}: {' '.join(errors)}"
                             for name, errors in filters.errors.items())
        return HttpResponse(_("The export's filters are not valid: %(problems)s") % {"problems": problems},
                            status=400, content_type="text/plain; charset=utf-8")
    queryset = export.workbench_cases(user=request.user, street=street, status=status, filters=filters.cleaned_data)
    try:
        return export.case_export_response(queryset, user=request.user, kind=kind, stem=f"cases-{street.code}",
                                           request=request, via="workbench")
    except InvalidInput as exc:  # too many rows for Excel
        return HttpResponse(str(exc.errors["format"][0]), status=400, content_type="text/plain; charset=utf-8")
