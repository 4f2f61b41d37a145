"""Co-manager pages: the street's list with its count against the quota and the hire form; the
district's view of every street's count against its quota, where the quotas are set.

Every POST validates a form and calls the same service as the API; a refused action re-renders the
page with the reason (403 wrong person, 409 quota reached or already left, 400 bad input).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Street
from comanagers import forms, selectors, services
from comanagers.models import PayStandard, Post
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput, http_status, put_on_form
from people.selectors import staff_streets


def _street_context(request, street, form) -> dict:
    today = timezone.localdate()
    counted = selectors.with_count_and_quota(Street.objects.filter(pk=street.pk),
                                             year=today.year, on=today).get()
    comanagers = list(selectors.comanager_list(user=request.user).filter(selectors.in_post(today), street=street)
                      .order_by("post__code", "name", "id"))  # the street's own staff: phones whole, audited
    selectors.phones_shown(request=request, count=sum(1 for comanager in comanagers if comanager.phone))
    return {"street": street, "streets": staff_streets(user=request.user), "year": today.year,
            "in_post": counted.in_post, "quota": counted.quota, "over": counted.in_post >= counted.quota,
            "comanagers": comanagers, "form": form, "leave_form": forms.LeaveForm()}


def _own_street(request):
    streets = list(staff_streets(user=request.user))
    if not streets:
        raise Http404
    code = request.POST.get("street") or request.GET.get("street")
    street = next((s for s in streets if s.code == code), None) if code else streets[0]
    if street is None:
        raise Http404
    return street


@login_required
def street_page(request):
    """协管员: the street's co-managers in post, their count against the year's quota, and hiring."""
    street = _own_street(request)
    form = forms.HireForm(request.POST or None, street=street)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                comanager = services.comanager_hire(actor=request.user, street=street, **data)
            except (InvalidInput, ActionForbidden, ActionConflict) as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                messages.success(request, _("%(name)s hired.") % {"name": comanager.name})
                return redirect(reverse("comanagers:street") + "?" + urlencode({"street": street.code}))
    return render(request, "comanagers/street.html", _street_context(request, street, form), status=status)


@login_required
@require_POST
def leave(request, pk: int):
    comanager = selectors.comanager_list(user=request.user).filter(pk=pk).first()
    if comanager is None:
        raise Http404
    if not services.may_hire(request.user, comanager.street):
        raise PermissionDenied(_("Only the sub-center staff of the co-manager's street may do this."))
    form = forms.LeaveForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(form.errors)
        services.comanager_leave(comanager=comanager, actor=request.user, **form.cleaned_data)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except (InvalidInput, ActionConflict) as exc:
        status = http_status(exc)
        messages.error(request, _("Please correct the leaving date.") if status == 400 else str(exc))
        return render(request, "comanagers/street.html",
                      _street_context(request, comanager.street, forms.HireForm(street=comanager.street)),
                      status=status)
    messages.success(request, _("%(name)s has left the post.") % {"name": comanager.name})
    return redirect(reverse("comanagers:street") + "?" + urlencode({"street": comanager.street.code}))


@login_required
def district_page(request):
    """总量控制: every street's co-managers in post against its quota; the command center sets quotas."""
    streets = selectors.command_streets(user=request.user)
    if not streets.exists():
        raise Http404
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:  # as the quota form's years; a date cannot even hold some
        year = today.year
    form = forms.QuotaForm(request.POST or None, streets=streets, initial={"year": year})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                quota = services.quota_set(actor=request.user, **data)
            except (InvalidInput, ActionForbidden, ActionConflict) as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                messages.success(request, _("Quota of %(street)s for %(year)s set to %(count)s.")
                                 % {"street": quota.street.name, "year": quota.year, "count": quota.count})
                return redirect(reverse("comanagers:district") + "?" + urlencode({"year": quota.year}))
    on = today if year == today.year else today.replace(year=year, month=12, day=31)
    rows = list(selectors.with_count_and_quota(streets, year=year, on=on))
    pay = dict(PayStandard.objects.filter(year=year).values_list("post_id", "monthly_amount"))
    return render(request, "comanagers/district.html", {
        "rows": rows, "year": year, "form": form,
        "posts": [(post, pay.get(post.pk)) for post in Post.objects.order_by("code")],
        "pay_form": forms.PayForm(initial={"year": year}),
        "total_in_post": sum(row.in_post for row in rows), "total_quota": sum(row.quota for row in rows),
    }, status=status)


@login_required
@require_POST
def set_pay(request):
    """The district command sets a post's monthly pay for a year."""
    if not selectors.command_streets(user=request.user).exists():
        raise Http404
    form = forms.PayForm(request.POST)
    if form.is_valid():
        try:
            services.pay_standard_set(actor=request.user, **form.cleaned_data)
        except ActionForbidden as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Pay standard saved."))
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("comanagers:district") + "?" + urlencode({"year": form.data.get("year", "")}))

