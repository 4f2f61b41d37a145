"""Pages: the street's meetings (plan, attendance, minutes, decisions, cases from decisions), the
meetings an agency is invited to, and the street's joint enforcement team.

Every POST validates a form and calls the same service as the API; a refused action re-renders the
page with the reason (403 wrong person, 409 wrong moment, 400 bad input).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Street
from committees import forms, selectors, services
from haidian.errors import ActionConflict, InvalidInput, http_status, put_on_form
from haidian.permissions import Role, scope_for
from haidian.steps import REFUSALS, StepPage
from people.selectors import holds, staff_streets


def _street(request, streets):
    code = request.GET.get("street") or request.POST.get("street")
    return next((s for s in streets if s.code == code), streets[0])


# --- meetings ------------------------------------------------------------------------------------

@login_required
def meeting_list(request):
    """The street's meetings with the planning form, or the meetings an agency is invited to."""
    scope = scope_for(request.user)
    streets = list(staff_streets(user=request.user))
    if not (streets or scope.agency_ids or scope.district_ids):
        raise Http404
    street = _street(request, streets) if streets else None
    form, status = None, 200
    if street is not None:
        form = forms.MeetingForm(request.POST or None, street=street)
    if request.method == "POST":
        if form is None:
            raise Http404
        status = 400
        if form.is_valid():
            try:
                meeting = services.meeting_plan(actor=request.user, street=street, **form.cleaned_data)
            except REFUSALS as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                messages.success(request, _("Meeting planned."))
                return redirect("committees:meeting", pk=meeting.pk)
    meetings = selectors.meeting_list(user=request.user).prefetch_related("invitations__agency")[:100]
    return render(request, "committees/meetings.html", {
        "meetings": meetings, "form": form, "street": street, "streets": streets}, status=status)


def _meeting_steps(user, meeting) -> set[str]:
    if not holds(user, Role.STREET_STAFF, "street", meeting.street_id):
        return set()
    return services.MEETINGS.steps_open(meeting, ("hold", "attendance", "minutes", "decision"))


def _meeting_extra(request, meeting, bound: dict) -> dict:
    case_forms = {}
    if holds(request.user, Role.STREET_STAFF, "street", meeting.street_id):
        for decision in meeting.decisions.all():
            if decision.case_id is None:
                case_forms[decision.pk] = bound.get(f"case-{decision.pk}") or forms.CreateCaseForm(
                    prefix=f"case-{decision.pk}", initial={"title": decision.text[:200]})
    return {"case_forms": case_forms, "timeline": services.MEETINGS.timeline(meeting)}


def _attendance_form(meeting, *, user, prefix, data=None, files=None):
    return forms.AttendanceForm(data, prefix=prefix, invitations=meeting.invitations.all())


def _minutes_form(meeting, *, user, prefix, data=None, files=None):
    return forms.MinutesForm(data, prefix=prefix, initial={"minutes": meeting.minutes})


def _decision_form(meeting, *, user, prefix, data=None, files=None):
    return forms.DecisionForm(data, prefix=prefix, street=meeting.street)


def _take_meeting_step(request, meeting, step: str, data: dict, form) -> None:
    if step == "hold":
        services.meeting_hold(meeting=meeting, actor=request.user)
    elif step == "attendance":
        services.attendance_record(meeting=meeting, actor=request.user, attendance=form.attendance())
    elif step == "minutes":
        services.minutes_record(meeting=meeting, actor=request.user, **data)
    else:
        services.decision_add(meeting=meeting, actor=request.user, **data)


MEETING_PAGE = StepPage(
    template="committees/meeting_detail.html", object_name="meeting",
    find=lambda user, pk: selectors.meeting_detail(user=user).filter(pk=pk).first(),
    forms={"hold": None, "attendance": _attendance_form, "minutes": _minutes_form, "decision": _decision_form},
    steps=_meeting_steps, take=_take_meeting_step, extra=_meeting_extra,
    done=lambda meeting: reverse("committees:meeting", kwargs={"pk": meeting.pk}),
)


@login_required
def meeting_detail(request, pk: int):
    return MEETING_PAGE.detail(request, pk)


@login_required
@require_POST
def meeting_act(request, pk: int, step: str):
    return MEETING_PAGE.act(request, pk, step)


@login_required
@require_POST
def decision_create_case(request, pk: int):
    decision = selectors.decision_list(user=request.user).filter(pk=pk).first()
    if decision is None:
        raise Http404
    prefix = f"case-{decision.pk}"
    form = forms.CreateCaseForm(request.POST, prefix=prefix)
    try:
        if not form.is_valid():
            raise InvalidInput({})
        case = services.decision_create_case(decision=decision, actor=request.user, **form.cleaned_data)
    except REFUSALS as exc:
        return MEETING_PAGE.refused(request, decision.meeting_id, {prefix: form}, exc)
    messages.success(request, _("Case %(number)s created and dispatched.") % {"number": case.number})
    return redirect("committees:meeting", pk=decision.meeting_id)


# --- joint enforcement team ----------------------------------------------------------------------

def _team_streets(user):
    """Streets whose team the user may look at: their sub-center's, their agency's, their district's."""
    scope = scope_for(user)
    if scope.everything:
        return list(Street.objects.order_by("code"))
    return list(Street.objects.filter(Q(pk__in=scope.area_street_ids) | Q(district_id__in=scope.district_ids))
                .order_by("code"))


def _find_team_street(user, code: str | None):
    """The street whose team page this is (the first the person may look at, unless `code` names one),
    read once with its team and the streets to switch to, for everything the page then asks."""
    streets = _team_streets(user)
    street = next((s for s in streets if s.code == code), None) if code else (streets[0] if streets else None)
    if street is not None:
        street.team_in_scope = selectors.team_detail(user=user).filter(street=street).first()
        street.team_streets = streets
    return street


def _team_steps(user, street) -> set[str]:
    if not holds(user, Role.STREET_STAFF, "street", street.pk):
        return set()
    if street.team_in_scope is None:
        return {"create"}
    return {"member", "operation"} if street.team_in_scope.members.all() else {"member"}


def _team_form(street, *, user, prefix, data=None, files=None):
    return forms.TeamForm(data, prefix=prefix)


def _existing_team(street):
    if street.team_in_scope is None:
        raise ActionConflict(_("Set up the street's joint enforcement team first."))
    return street.team_in_scope


def _member_form(street, *, user, prefix, data=None, files=None):
    _existing_team(street)
    return forms.MemberForm(data, prefix=prefix, street=street)


def _operation_form(street, *, user, prefix, data=None, files=None):
    return forms.OperationForm(data, prefix=prefix, team=_existing_team(street), user=user)


def _take_team_step(request, street, step: str, data: dict, form) -> None:
    if step == "create":
        services.team_create(actor=request.user, street=street, **data)
    elif step == "member":
        services.member_add(team=_existing_team(street), actor=request.user, **data)
    else:
        services.operation_record(team=_existing_team(street), actor=request.user, **data)


TEAM_PAGE = StepPage(
    template="committees/team.html", object_name="street", find=_find_team_street,
    forms={"create": _team_form, "member": _member_form, "operation": _operation_form},
    steps=_team_steps, take=_take_team_step,
    extra=lambda request, street, bound: {"team": street.team_in_scope, "streets": street.team_streets},
    done=lambda street: f"{reverse('committees:team')}?street={street.code}",
)


@login_required
def team_page(request):
    return TEAM_PAGE.detail(request, request.GET.get("street"))


@login_required
@require_POST
def team_act(request, step: str):
    return TEAM_PAGE.act(request, request.GET.get("street"), step)
