"""Pages: the supervision bodies; the inquiries (质询) with the form to put one, each inquiry with the
target's answer form; the 折子工程 with its overdue tasks first and marked, each task with its progress
and the district's inspections.

Every POST validates a form and calls the same service as the API; a refusal shows the page again
with the reason (403 wrong person, 409 wrong moment, 400 bad input).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haidian.errors import http_status, put_on_form
from haidian.permissions import scope_for
from haidian.steps import REFUSALS, StepPage
from supervision import forms, selectors, services
from supervision.models import BodyMember, serving_on

PAGE_SIZE = 100


def _sees_supervision(user) -> bool:
    """Whether the person has any place from which supervision is seen (else the pages are a 404)."""
    scope = scope_for(user)
    if scope.everything or scope.street_ids or scope.agency_ids or scope.department_ids or scope.district_ids:
        return True
    return BodyMember.objects.filter(serving_on(timezone.localdate()), user=user).exists()


def _flag(value: str | None) -> bool:
    return value in {"1", "true", "yes"}


# --- bodies --------------------------------------------------------------------------------------

@login_required
def body_list(request):
    """The supervision bodies in the person's scope, with their members."""
    if not _sees_supervision(request.user):
        raise Http404
    bodies = list(selectors.body_list(user=request.user)[:PAGE_SIZE])
    today = timezone.localdate()
    for body in bodies:
        body.serving = [member for member in body.members.all() if member.is_active_on(today)]
    return render(request, "supervision/bodies.html", {"bodies": bodies})


# --- inquiries -----------------------------------------------------------------------------------

@login_required
def inquiry_list(request):
    """质询: the inquiries in the person's scope, newest first, the late ones marked (only those with
    ?overdue=1); the form to put one for the bodies the person asks for."""
    if not _sees_supervision(request.user):
        raise Http404
    bodies = selectors.bodies_to_ask_for(user=request.user)
    form = forms.InquiryForm(request.POST or None, bodies=bodies) if bodies else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        status = 400
        if form.is_valid():
            try:
                inquiry = services.inquiry_put(actor=request.user, **form.cleaned_data)
            except REFUSALS as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                messages.success(request, _("Inquiry put to %(target)s: answer by %(due)s.") % {
                    "target": inquiry.target.name,
                    "due": timezone.localtime(inquiry.answer_due_at).strftime("%Y-%m-%d %H:%M")})
                return redirect("supervision:inquiry", pk=inquiry.pk)
    now = timezone.now()
    overdue = _flag(request.GET.get("overdue"))
    inquiries = list(selectors.inquiry_list(user=request.user, overdue=overdue, now=now)[:PAGE_SIZE])
    for inquiry in inquiries:
        inquiry.late = inquiry.is_overdue(now)
    return render(request, "supervision/inquiries.html", {
        "inquiries": inquiries, "form": form, "overdue": overdue, "now": now}, status=status)


def _inquiry_extra(request, inquiry, bound: dict) -> dict:
    now = timezone.now()
    return {"timeline": selectors.inquiry_timeline(inquiry), "now": now, "late": inquiry.is_overdue(now)}


def _answer_form(inquiry, *, user, prefix, data=None, files=None):
    return forms.AnswerForm(data, prefix=prefix)


def _take_inquiry_step(request, inquiry, step: str, data: dict, form) -> str:
    services.inquiry_answer(inquiry=inquiry, actor=request.user, **data)
    return _("Answer sent.")


INQUIRY_PAGE = StepPage(
    template="supervision/inquiry_detail.html", object_name="inquiry",
    find=lambda user, pk: selectors.inquiry_list(user=user).filter(pk=pk).first(),
    forms={"answer": _answer_form}, steps=selectors.inquiry_steps, take=_take_inquiry_step,
    extra=_inquiry_extra, done=lambda inquiry: reverse("supervision:inquiry", kwargs={"pk": inquiry.pk}),
)


@login_required
def inquiry_detail(request, pk: int):
    return INQUIRY_PAGE.detail(request, pk)


@login_required
@require_POST
def inquiry_act(request, pk: int, step: str):
    """The target's answer from the inquiry's page (as the API's)."""
    return INQUIRY_PAGE.act(request, pk, step)


# --- 折子工程 ------------------------------------------------------------------------------------

def _year(value: str | None) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


@login_required
def task_list(request):
    """折子工程: the tasks in the person's scope, overdue ones first and marked; of one year with ?year=,
    only the overdue ones with ?overdue=1; the command center's form to add one."""
    scope = scope_for(request.user)
    if not (scope.everything or scope.street_ids or scope.department_ids or scope.district_ids):
        raise Http404
    districts = selectors.planning_districts(user=request.user)
    form = forms.TaskForm(request.POST or None, district_ids=districts) if districts else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        status = 400
        if form.is_valid():
            try:
                task = services.task_create(actor=request.user, **form.cleaned_data)
            except REFUSALS as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                messages.success(request, _("Task %(code)s added.") % {"code": task.code})
                return redirect("supervision:task", pk=task.pk)
    year, overdue = _year(request.GET.get("year")), _flag(request.GET.get("overdue"))
    tasks = list(selectors.task_list(user=request.user, year=year, overdue=overdue)[:PAGE_SIZE * 2])
    return render(request, "supervision/workplan.html", {
        "tasks": tasks, "form": form, "year": year, "overdue": overdue,
        "years": selectors.task_years(user=request.user)}, status=status)


def _progress_form(task, *, user, prefix, data=None, files=None):
    return forms.ProgressForm(data, prefix=prefix)


def _inspection_form(task, *, user, prefix, data=None, files=None):
    return forms.InspectionForm(data, prefix=prefix)


def _take_task_step(request, task, step: str, data: dict, form) -> str:
    if step == "progress":
        services.task_report_progress(task=task, actor=request.user, **data)
        return _("Progress reported.")
    if step == "done":
        services.task_mark_done(task=task, actor=request.user)
        return _("Task marked done.")
    services.task_inspect(task=task, actor=request.user, **data)
    return _("Inspection recorded.")


TASK_PAGE = StepPage(
    template="supervision/task_detail.html", object_name="task",
    find=lambda user, pk: selectors.task_detail(user=user).filter(pk=pk).first(),
    forms={"progress": _progress_form, "done": None, "inspect": _inspection_form},
    steps=selectors.task_steps, take=_take_task_step,
    done=lambda task: reverse("supervision:task", kwargs={"pk": task.pk}),
)


@login_required
def task_detail(request, pk: int):
    return TASK_PAGE.detail(request, pk)


@login_required
@require_POST
def task_act(request, pk: int, step: str):
    """Progress, done or an inspection from the task's page (as the API's)."""
    return TASK_PAGE.act(request, pk, step)
