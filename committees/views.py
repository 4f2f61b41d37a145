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
from committees.models import MeetingStatus
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput, http_status, put_on_form
from haidian.permissions import Role, scope_for
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
            except InvalidInput as exc:
                put_on_form(form, exc)
            except ActionForbidden as exc:
                status = 403
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Meeting planned."))
                return redirect("committees:meeting", pk=meeting.pk)
    meetings = selectors.meeting_list(user=request.user).prefetch_related("invitations__agency")[:100]
    return render(request, "committees/meetings.html", {
        "meetings": meetings, "form": form, "street": street, "streets": streets}, status=status)


def _visible_meeting(user, pk: int):
    meeting = selectors.meeting_detail(user=user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def _meeting_context(request, meeting, bound: dict | None = None, error: str = "") -> dict:
    bound = bound or {}
    may_act = holds(request.user, Role.STREET_STAFF, "street", meeting.street_id)
    step_forms = {}
    if may_act and meeting.status == MeetingStatus.PLANNED:
        step_forms["hold"] = None
    if may_act and meeting.status == MeetingStatus.HELD:
        step_forms["attendance"] = bound.get("attendance") or forms.AttendanceForm(
            prefix="attendance", invitations=meeting.invitations.all())
        step_forms["minutes"] = bound.get("minutes") or forms.MinutesForm(
            prefix="minutes", initial={"minutes": meeting.minutes})
        step_forms["decision"] = bound.get("decision") or forms.DecisionForm(prefix="decision", street=meeting.street)
    case_forms = {}
    if may_act:
        for decision in meeting.decisions.all():
            if decision.case_id is None:
                case_forms[decision.pk] = bound.get(f"case-{decision.pk}") or forms.CreateCaseForm(
                    prefix=f"case-{decision.pk}", initial={"title": decision.text[:200]})
    return {"meeting": meeting, "step_forms": step_forms, "case_forms": case_forms, "error": error}


@login_required
def meeting_detail(request, pk: int):
    meeting = _visible_meeting(request.user, pk)
    return render(request, "committees/meeting_detail.html", _meeting_context(request, meeting))


MEETING_STEPS = ("hold", "attendance", "minutes", "decision")


@login_required
@require_POST
def meeting_act(request, pk: int, step: str):
    meeting = _visible_meeting(request.user, pk)
    if step not in MEETING_STEPS:
        raise Http404
    form = None
    if step == "attendance":
        form = forms.AttendanceForm(request.POST, prefix=step, invitations=meeting.invitations.all())
    elif step == "minutes":
        form = forms.MinutesForm(request.POST, prefix=step)
    elif step == "decision":
        form = forms.DecisionForm(request.POST, prefix=step, street=meeting.street)
    try:
        if form is not None and not form.is_valid():
            raise InvalidInput({})
        if step == "hold":
            services.meeting_hold(meeting=meeting, actor=request.user)
        elif step == "attendance":
            services.attendance_record(meeting=meeting, actor=request.user, attendance=form.attendance())
        elif step == "minutes":
            services.minutes_record(meeting=meeting, actor=request.user, **form.cleaned_data)
        else:
            services.decision_add(meeting=meeting, actor=request.user, **form.cleaned_data)
    except (ActionForbidden, ActionConflict, InvalidInput) as exc:
        status = http_status(exc)
        if isinstance(exc, InvalidInput) and form is not None:
            put_on_form(form, exc)
        message = _("Please correct the errors below.") if status == 400 else str(exc)
        return render(request, "committees/meeting_detail.html", _meeting_context(
            request, _visible_meeting(request.user, pk), {step: form} if form else {}, message), status=status)
    messages.success(request, _("Done."))
    return redirect("committees:meeting", pk=meeting.pk)


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
    except (ActionForbidden, ActionConflict, InvalidInput) as exc:
        status = http_status(exc)
        if isinstance(exc, InvalidInput):
            put_on_form(form, exc)
        message = _("Please correct the errors below.") if status == 400 else str(exc)
        meeting = _visible_meeting(request.user, decision.meeting_id)
        return render(request, "committees/meeting_detail.html",
                      _meeting_context(request, meeting, {prefix: form}, message), status=status)
    messages.success(request, _("Case %(number)s created and dispatched.") % {"number": case.number})
    return redirect("committees:meeting", pk=decision.meeting_id)


# --- joint enforcement team ----------------------------------------------------------------------

TEAM_STEPS = ("create", "member", "operation")


def _team_context(request, street, team, bound: dict | None = None, error: str = "") -> dict:
    bound = bound or {}
    may_act = holds(request.user, Role.STREET_STAFF, "street", street.pk)
    step_forms = {}
    if may_act and team is None:
        step_forms["create"] = bound.get("create") or forms.TeamForm(prefix="create")
    if may_act and team is not None:
        step_forms["member"] = bound.get("member") or forms.MemberForm(prefix="member", street=street)
        if team.members.all():
            step_forms["operation"] = bound.get("operation") or forms.OperationForm(
                prefix="operation", team=team, user=request.user)
    return {"street": street, "team": team, "step_forms": step_forms, "error": error,
            "streets": _team_streets(request.user)}


def _team_streets(user):
    """Streets whose team the user may look at: their sub-center's, their agency's, their district's."""
    scope = scope_for(user)
    if scope.everything:
        return list(Street.objects.order_by("code"))
    return list(Street.objects.filter(Q(pk__in=scope.area_street_ids) | Q(district_id__in=scope.district_ids))
                .order_by("code"))


def _team_street(request):
    streets = _team_streets(request.user)
    if not streets:
        raise Http404
    code = request.GET.get("street")
    street = next((s for s in streets if s.code == code), None) if code else streets[0]
    if street is None:
        raise Http404
    return street


@login_required
def team_page(request):
    street = _team_street(request)
    team = selectors.team_detail(user=request.user).filter(street=street).first()
    return render(request, "committees/team.html", _team_context(request, street, team))


@login_required
@require_POST
def team_act(request, step: str):
    if step not in TEAM_STEPS:
        raise Http404
    street = _team_street(request)
    team = selectors.team_detail(user=request.user).filter(street=street).first()
    form = None
    try:
        if step == "create":
            form = forms.TeamForm(request.POST, prefix=step)
            if not form.is_valid():
                raise InvalidInput({})
            services.team_create(actor=request.user, street=street, **form.cleaned_data)
        else:
            if team is None:
                raise ActionConflict(_("Set up the street's joint enforcement team first."))
            if step == "member":
                form = forms.MemberForm(request.POST, prefix=step, street=street)
                if not form.is_valid():
                    raise InvalidInput({})
                services.member_add(team=team, actor=request.user, **form.cleaned_data)
            else:
                form = forms.OperationForm(request.POST, prefix=step, team=team, user=request.user)
                if not form.is_valid():
                    raise InvalidInput({})
                services.operation_record(team=team, actor=request.user, **form.cleaned_data)
    except (ActionForbidden, ActionConflict, InvalidInput) as exc:
        status = http_status(exc)
        if isinstance(exc, InvalidInput) and form is not None:
            put_on_form(form, exc)
        message = _("Please correct the errors below.") if status == 400 else str(exc)
        team = selectors.team_detail(user=request.user).filter(street=street).first()
        return render(request, "committees/team.html",
                      _team_context(request, street, team, {step: form} if form else {}, message), status=status)
    messages.success(request, _("Done."))
    return redirect(f"{reverse('committees:team')}?street={street.code}")
