"""The appointment pages: the list, the department's proposal, the street's direct appointment,
and the detail with its timeline and the step the person may take now (as the API's)."""

from __future__ import annotations

from pathlib import PurePath

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.models import Agency
from appointments import forms, selectors, services
from appointments.models import AppointmentStatus
from haidian import uploads
from haidian.errors import http_status, put_on_form
from haidian.permissions import Role, restrict
from haidian.steps import REFUSALS, StepPage
from people.selectors import unit_ids


@login_required
def appointment_list(request):
    """干部任免: the department's proposals, the street's appointments to give a document on."""
    department_ids = unit_ids(request.user, Role.DEPARTMENT_ADMIN, "department")
    street_ids = unit_ids(request.user, Role.STREET_STAFF, "street")
    appointments = selectors.appointment_list(user=request.user)
    status = request.GET.get("status", "")
    if status in AppointmentStatus.values:
        appointments = appointments.filter(status=status)
    return render(request, "appointments/list.html", {
        "appointments": appointments[:200], "statuses": AppointmentStatus.choices, "status": status,
        "may_propose": bool(department_ids), "may_appoint": bool(street_ids),
        "seats": selectors.seat_list(user=request.user).filter(ended_at=None)[:50],
    })


def _appointment_form(request, *, direct: bool):
    if direct:
        street_ids = unit_ids(request.user, Role.STREET_STAFF, "street")
        if not street_ids:
            raise Http404
        form = forms.AppointmentForm(request.POST or None, street_ids=street_ids)
        service, title = services.appointment_by_street, _("Appoint a leader of a local-mode agency")
    else:
        department_ids = unit_ids(request.user, Role.DEPARTMENT_ADMIN, "department")
        if not department_ids:
            raise Http404
        form = forms.AppointmentForm(request.POST or None, department_ids=department_ids)
        service, title = services.appointment_propose, _("Propose an agency leader")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                appointment = service(actor=request.user, **form.cleaned_data)
            except REFUSALS as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                messages.success(request, _("Appointment recorded."))
                return redirect("appointments:detail", pk=appointment.pk)
    return render(request, "appointments/new.html", {"form": form, "title": title}, status=status)


@login_required
def appointment_new(request):
    return _appointment_form(request, direct=False)


@login_required
def appointment_direct(request):
    return _appointment_form(request, direct=True)


def _step_form(form_class):
    return lambda appointment, *, user, prefix, data=None, files=None: form_class(data, files, prefix=prefix)


def _take_step(request, appointment, step: str, data: dict, form):
    if step == "attach":
        services.appointment_attach_document(appointment=appointment, actor=request.user, verdict=data["verdict"],
                                             text=data["text"], upload=data["upload"])
        return None
    try:
        services.appointment_file(appointment=appointment, actor=request.user, **data)
    except services.FilingRefused as exc:  # the refusal is on record: show it, on the page as it is now
        messages.error(request, _("The filing was refused as invalid: %(reason)s")
                       % {"reason": exc.errors["document"][0]})
        return redirect("appointments:detail", pk=appointment.pk)
    return None


def _extra(request, appointment, bound: dict) -> dict:
    open_now = appointment.status in AppointmentStatus.open_values()
    return {"timeline": services.APPOINTMENTS.timeline(appointment),
            "defect": services.filing_defect(appointment) if open_now else ""}


PAGE = StepPage(
    template="appointments/detail.html", object_name="appointment",
    find=lambda user, pk: selectors.appointment_list(user=user).filter(pk=pk).first(),
    forms={"attach": _step_form(forms.DocumentForm), "file": _step_form(forms.FileForm)},
    steps=services.appointment_steps, take=_take_step, extra=_extra,
    done=lambda appointment: reverse("appointments:detail", kwargs={"pk": appointment.pk}),
)


@login_required
def appointment_detail(request, pk: int):
    return PAGE.detail(request, pk)


@login_required
def appointment_document(request, pk: int):
    appointment = PAGE.visible(request.user, pk)
    if not appointment.document_file:
        raise Http404
    suffix = PurePath(appointment.document_file.name).suffix
    return uploads.serve(appointment.document_file, content_type=appointment.document_content_type,
                         download_name=f"appointment-{appointment.pk}-document{suffix}")


@login_required
@require_POST
def appointment_act(request, pk: int, step: str):
    """One step: the street attaches the document, the department files."""
    return PAGE.act(request, pk, step)


class BudgetForm(django_forms.Form):
    agency = django_forms.ChoiceField(label=gettext_lazy("Agency"))
    year = django_forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    amount = django_forms.DecimalField(label=gettext_lazy("Amount (yuan)"), max_digits=14, decimal_places=2,
                                       min_value=0)
    note = django_forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {agency.code: agency for agency in agencies}
        self.fields["agency"].choices = [(code, str(agency)) for code, agency in self.agencies.items()]


@login_required
def agency_management(request):
    """派驻机构管理: each agency's mode, who schedules it, whose budget carries it, what an appointment of
    its head needs, and its budgets per year; the budget is recorded here by whoever carries it."""
    agencies = list(restrict(Agency.objects.select_related("department"), request.user)
                    .prefetch_related("budgets").order_by("code")[:300])
    if not agencies:
        raise Http404
    recordable = [agency for agency in agencies if services.may_record_budget(request.user, agency)]
    form = BudgetForm(request.POST or None, agencies=recordable) if recordable else None
    status = 200
    if request.method == "POST" and form is not None:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.budget_record(actor=request.user, agency=form.agencies[data["agency"]], year=data["year"],
                                       amount=data["amount"], note=data["note"])
            except REFUSALS as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                messages.success(request, _("Budget recorded."))
                return redirect("appointments:agencies")
    rows = [{"agency": agency, "schedules": services.Holder(services.who_schedules(agency)).label,
             "holder": services.Holder(services.budget_holder(agency)).label,
             "requirement": services.Requirement(services.requirement(agency)).label,
             "budgets": sorted(agency.budgets.all(), key=lambda b: -b.year)[:3]} for agency in agencies]
    return render(request, "appointments/agencies.html", {"rows": rows, "form": form}, status=status)
