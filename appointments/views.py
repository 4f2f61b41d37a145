"""The appointment pages: the list, the department's proposal, the street's direct appointment,
and the detail with its timeline and the step the person may take now (as the API's)."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from agencies.models import Agency
from appointments import forms, selectors, services
from appointments.models import AppointmentStatus
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput, http_status, put_on_form
from haidian.permissions import Role, restrict
from people.selectors import unit_ids

STEP_FORMS = {"attach": forms.DocumentForm, "file": forms.FileForm}


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
            except InvalidInput as exc:
                put_on_form(form, exc)
            except ActionForbidden as exc:
                status = 403
                form.add_error(None, str(exc))
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


def _visible(user, pk: int):
    appointment = selectors.appointment_list(user=user).filter(pk=pk).first()
    if appointment is None:
        raise Http404
    return appointment


def _timeline(appointment) -> list[tuple]:
    rows = [(appointment.proposed_at, _("Proposed"), appointment.proposed_by, "")]
    if appointment.document_at:
        rows.append((appointment.document_at, appointment.get_document_kind_display(), appointment.document_by,
                     f"{appointment.get_verdict_display()} · {appointment.document_text}"))
    if appointment.refused_at:
        rows.append((appointment.refused_at, _("Filing refused as invalid"), appointment.filed_by,
                     appointment.refusal_reason))
    if appointment.filed_at and appointment.status == AppointmentStatus.FILED:
        rows.append((appointment.filed_at, _("Filed with the district HR bureau"), appointment.filed_by,
                     appointment.hr_reference))
    return rows


def _context(request, appointment, bound=None, error: str = "") -> dict:
    steps = services.appointment_steps(request.user, appointment)
    bound = bound or {}
    step_forms = {step: bound.get(step) or form_class(prefix=step)
                  for step, form_class in STEP_FORMS.items() if step in steps}
    return {"appointment": appointment, "step_forms": step_forms, "error": error,
            "timeline": _timeline(appointment), "defect": services.filing_defect(appointment)
            if appointment.status in AppointmentStatus.open_values() else ""}


@login_required
def appointment_detail(request, pk: int):
    appointment = _visible(request.user, pk)
    return render(request, "appointments/detail.html", _context(request, appointment))


@login_required
def appointment_document(request, pk: int):
    appointment = _visible(request.user, pk)
    if not appointment.document_file:
        raise Http404
    return FileResponse(appointment.document_file.open("rb"), content_type=appointment.document_content_type)


@login_required
@require_POST
def appointment_act(request, pk: int, step: str):
    """One step: the street attaches the document, the department files."""
    appointment = _visible(request.user, pk)
    if step not in STEP_FORMS:
        raise Http404
    form = STEP_FORMS[step](request.POST, request.FILES, prefix=step)
    try:
        if not form.is_valid():
            raise InvalidInput({})
        if step == "attach":
            data = form.cleaned_data
            services.appointment_attach_document(appointment=appointment, actor=request.user,
                                                 verdict=data["verdict"], text=data["text"], upload=data["upload"])
        else:
            services.appointment_file(appointment=appointment, actor=request.user, **form.cleaned_data)
    except services.FilingRefused as exc:
        messages.error(request, _("The filing was refused as invalid: %(reason)s")
                       % {"reason": exc.errors["document"][0]})
        return redirect("appointments:detail", pk=appointment.pk)
    except (ActionForbidden, ActionConflict, InvalidInput) as exc:
        status = http_status(exc)
        if isinstance(exc, InvalidInput):
            put_on_form(form, exc)
        message = _("Please correct the errors below.") if status == 400 else str(exc)
        return render(request, "appointments/detail.html",
                      _context(request, _visible(request.user, pk), {step: form}, message), status=status)
    messages.success(request, _("Done."))
    return redirect("appointments:detail", pk=appointment.pk)


class BudgetForm(django_forms.Form):
    agency = django_forms.ChoiceField(label=_lazy("Agency"))
    year = django_forms.IntegerField(label=_lazy("Year"), min_value=2000, max_value=2100)
    amount = django_forms.DecimalField(label=_lazy("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0)
    note = django_forms.CharField(label=_lazy("Note"), max_length=200, required=False)

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
            except (ActionForbidden, ActionConflict, InvalidInput) as exc:
                status = http_status(exc)
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Budget recorded."))
                return redirect("appointments:agencies")
    rows = [{"agency": agency, "schedules": services.Holder(services.who_schedules(agency)).label,
             "holder": services.Holder(services.budget_holder(agency)).label,
             "requirement": services.Requirement(services.requirement(agency)).label,
             "budgets": sorted(agency.budgets.all(), key=lambda b: -b.year)[:3]} for agency in agencies]
    return render(request, "appointments/agencies.html", {"rows": rows, "form": form}, status=status)
