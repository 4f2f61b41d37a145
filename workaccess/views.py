"""Work access pages: the department's requests, the district's queue, the street's assigned tasks,
and the delegated catalogue. Every POST validates a form and calls the same service as the API; a
refused action re-renders the page with the reason (403, 409, 400)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Department
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput, http_status, put_on_form
from haidian.permissions import Role
from haidian.steps import REFUSALS, StepPage
from people.selectors import staff_streets, unit_ids
from workaccess import forms, selectors, services
from workaccess.models import AccessStatus


def _admin_departments(user):
    return Department.objects.filter(pk__in=unit_ids(user, Role.DEPARTMENT_ADMIN, "department"))


@login_required
def index(request):
    if staff_streets(user=request.user).exists() and not request.user.is_superuser:
        return redirect("workaccess:tasks")
    return redirect("workaccess:requests")


# --- requests --------------------------------------------------------------------------------------

def _requests_page(request, form=None, status=200):
    departments = _admin_departments(request.user)
    districts = unit_ids(request.user, Role.DISTRICT_COMMAND, "district")
    if not departments.exists() and not districts:
        raise Http404
    if form is None and departments.exists():
        form = forms.RequestForm(departments=departments)
    rows = selectors.request_list(user=request.user)
    return render(request, "workaccess/requests.html", {
        "form": form, "requests": rows, "is_command": bool(districts),
        "waiting": rows.filter(status=AccessStatus.SUBMITTED).count() if districts else 0,
    }, status=status)


@login_required
def request_list(request):
    """Department admins: their requests and a new one. District command: the queue to decide."""
    return _requests_page(request)


@login_required
@require_POST
def request_new(request):
    departments = _admin_departments(request.user)
    if not departments.exists():
        raise Http404
    form = forms.RequestForm(request.POST, departments=departments)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_create(actor=request.user, **data)
        except REFUSALS as exc:
            put_on_form(form, exc)
            return _requests_page(request, form, http_status(exc))
        messages.success(request, _("Request drafted."))
        return redirect("workaccess:request", pk=created.pk)
    return _requests_page(request, form, 400)


def _decision_form(found, *, user, prefix, data=None, files=None):
    return forms.DecisionForm(data, prefix=prefix)


def _assign_form(found, *, user, prefix, data=None, files=None):
    return forms.AssignForm(data, prefix=prefix, district_id=found.department.district_id)


def _take_step(request, found, step: str, data: dict, form) -> None:
    if step == "submit":
        services.request_submit(request=found, actor=request.user)
    elif step == "assign":
        services.request_assign(request=found, actor=request.user, streets=list(data["streets"]))
    else:
        services.request_decide(request=found, actor=request.user, approve=step == "approve", **data)


def _extra(request, found, bound: dict) -> dict:
    return {"assignments": found.assignments.select_related("street").order_by("street__code"),
            "timeline": services.REQUESTS.timeline(found)}


REQUEST_PAGE = StepPage(
    template="workaccess/request_detail.html", object_name="item",
    find=lambda user, pk: selectors.request_list(user=user).filter(pk=pk).first(),
    forms={"submit": None, "approve": _decision_form, "refuse": _decision_form, "assign": _assign_form},
    steps=services.request_steps, take=_take_step, extra=_extra,
    done=lambda found: reverse("workaccess:request", kwargs={"pk": found.pk}),
)


@login_required
def request_detail(request, pk: int):
    return REQUEST_PAGE.detail(request, pk)


@login_required
@require_POST
def request_act(request, pk: int, step: str):
    """submit, approve, refuse or assign (as the API's)."""
    return REQUEST_PAGE.act(request, pk, step)


# --- the street's tasks ----------------------------------------------------------------------------

def _tasks_page(request, error="", status=200):
    streets = staff_streets(user=request.user)
    if not streets.exists():
        raise Http404
    rows = selectors.assignment_list(user=request.user).filter(street__in=streets)
    return render(request, "workaccess/tasks.html", {"assignments": rows, "error": error}, status=status)


@login_required
def task_list(request):
    """The street's assigned tasks, with the powers, money and people that came with each."""
    return _tasks_page(request)


@login_required
@require_POST
def task_acknowledge(request, pk: int):
    assignment = selectors.assignment_list(user=request.user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    try:
        services.assignment_acknowledge(assignment=assignment, actor=request.user)
    except (ActionForbidden, ActionConflict) as exc:
        return _tasks_page(request, str(exc), http_status(exc))
    messages.success(request, _("Acknowledged."))
    return redirect("workaccess:tasks")


# --- delegated enforcement -------------------------------------------------------------------------

def _catalogue(request, action_form=None, matter_form=None, error="", status=200):
    matters = selectors.matter_list(user=request.user)
    streets = staff_streets(user=request.user)
    districts = unit_ids(request.user, Role.DISTRICT_COMMAND, "district")
    if not matters.exists() and not streets.exists() and not districts:
        raise Http404
    if action_form is None and streets.exists():
        action_form = forms.ActionForm(prefix="record", matters=matters.filter(active=True), streets=streets)
    if matter_form is None and districts:
        matter_form = forms.MatterForm(prefix="matter", district_ids=districts)
    return render(request, "workaccess/delegated.html", {
        "matters": matters, "action_form": action_form, "matter_form": matter_form, "error": error,
        "actions": selectors.action_list(user=request.user)[:50],
    }, status=status)


@login_required
def delegated(request):
    """The district's catalogue of delegated matters; streets record actions, the command adds entries."""
    return _catalogue(request)


@login_required
@require_POST
def delegated_record(request):
    streets = staff_streets(user=request.user)
    if not streets.exists():
        raise Http404
    form = forms.ActionForm(request.POST, prefix="record", matters=selectors.matter_list(user=request.user),
                            streets=streets)
    if not form.is_valid():
        return _catalogue(request, action_form=form, status=400)
    try:
        services.action_record(actor=request.user, **form.cleaned_data)
    except (ActionForbidden, ActionConflict, InvalidInput) as exc:
        put_on_form(form, exc)
        return _catalogue(request, action_form=form, error=str(exc) if http_status(exc) != 400 else "",
                          status=http_status(exc))
    messages.success(request, _("Action recorded."))
    return redirect("workaccess:delegated")


@login_required
@require_POST
def delegated_new(request):
    districts = unit_ids(request.user, Role.DISTRICT_COMMAND, "district")
    if not districts:
        raise Http404
    form = forms.MatterForm(request.POST, prefix="matter", district_ids=districts)
    if not form.is_valid():
        return _catalogue(request, matter_form=form, status=400)
    try:
        services.matter_create(actor=request.user, **form.cleaned_data)
    except (ActionForbidden, ActionConflict, InvalidInput) as exc:
        put_on_form(form, exc)
        return _catalogue(request, matter_form=form, status=http_status(exc))
    messages.success(request, _("Entry added."))
    return redirect("workaccess:delegated")
