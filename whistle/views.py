"""Pages: the summoned units' phone page (the summonses I am in, and a big 报到 button for each), and
the street staff's form to blow the whistle on a case.

Every POST validates a form and calls the same service as the API; a refusal shows the page again
with the reason (403 wrong person, 409 wrong moment, 400 bad input).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dispatch.models import CaseStatus
from dispatch.selectors import case_list
from haidian.errors import http_status, put_on_form, reason
from haidian.permissions import Role, scope_for
from haidian.steps import REFUSALS
from people.selectors import holds
from whistle import forms, selectors, services
from whistle.models import UnitStatus

PAGE_SIZE = 50


def _list_page(request, *, error: str = "", status: int = 200):
    scope = scope_for(request.user)
    if not (scope.everything or scope.street_ids or scope.agency_ids or scope.department_ids or scope.district_ids):
        raise Http404
    summonses = list(selectors.my_summonses(user=request.user)[:PAGE_SIZE])
    # A summoned agency may not see the case page (agencies see the cases they have tasks on): link it
    # only for those who do; everyone gets the place here.
    visible = set(case_list(user=request.user).filter(pk__in={s.case_id for s in summonses})
                  .values_list("pk", flat=True)) if summonses else set()
    for summons in summonses:
        summons.case_visible = summons.case_id in visible
        summons.mine = selectors.reporting_units(summons=summons, user=request.user)
        summons.mine_waiting = [unit for unit in summons.mine if unit.is_waiting]
        summons.pending = any(unit.status == UnitStatus.PENDING for unit in summons.units.all())
    return render(request, "whistle/list.html", {"summonses": summonses, "now": timezone.now(), "error": error},
                  status=status)


@login_required
def summons_list(request):
    """The summonses I am in — those still waiting for my unit first, with the time left — and the
    street's or the district's for their staff."""
    return _list_page(request)


@login_required
@require_POST
def check_in(request, pk: int):
    """报到 from the phone: the phone's point, or the case's point with a note when it gave none."""
    summons = selectors.summons_list(user=request.user).filter(pk=pk).first()
    if summons is None:
        raise Http404
    form = forms.CheckInForm(request.POST)
    if not form.is_valid():
        return _list_page(request, error=" ".join(form.errors.get("__all__", [])) or _("Please try again."),
                          status=400)
    data = form.cleaned_data
    lat, lng, note = data["lat"], data["lng"], data["location_note"]
    if lat is None:
        lat, lng = summons.case.lat, summons.case.lng
        note = note or _("The phone gave no location: the case's point is recorded instead.")
    try:
        unit = services.summons_check_in(summons=summons, actor=request.user, lat=lat, lng=lng,
                                         unit=data["unit"] or None, location_note=note)
    except REFUSALS as exc:
        return _list_page(request, error=reason(exc), status=http_status(exc))
    messages.success(request, _("Reported on site for %(unit)s: %(status)s.")
                     % {"unit": unit.unit.name, "status": unit.get_status_display()})
    return redirect("whistle:list")


@login_required
def summons_new(request, number: str):
    """吹哨 from a case: the street's staff choose the units, the minutes and a note."""
    case = case_list(user=request.user).filter(number=number).first()
    if case is None:
        raise Http404
    if not holds(request.user, Role.STREET_STAFF, "street", case.street_id):
        raise PermissionDenied(_("Only the sub-center staff of the case's street may blow the whistle."))
    is_open = case.status in CaseStatus.open_values()
    form = forms.SummonsForm(request.POST or None, street=case.street)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                summons = services.summons_create(case=case, actor=request.user, **form.cleaned_data)
            except REFUSALS as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                due = timezone.localtime(summons.due_at)
                messages.success(request, _("Whistle blown on case %(number)s: report on site by %(due)s.")
                                 % {"number": case.number, "due": due.strftime("%H:%M")})
                return redirect("dispatch:case", number=case.number)  # its summons shows there, live
    return render(request, "whistle/new.html", {"case": case, "form": form, "is_open": is_open}, status=status)
