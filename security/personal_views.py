"""The security administrator's personal-data requests (个人信息保护法: a person's right to know and to
have their data deleted): look a person up by their phone or email, see what holds it (masked), and
erase it all with a reason (`security.personal`).

Only the security administrator (安全管理员, Role.SECURITY_ADMIN) and a superuser (whose every use is
audited) reach this page; anyone else signed in gets a 403. The phone travels in a POST body, never
in the address bar, where access logs would keep it. Both the lookup and the erasure are rows of the
audit log, with the contact masked and the counts.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from haidian.permissions import Role, scope_for
from haidian.privacy import mask_contact, mask_email, mask_name, mask_phone, normalise_contact
from security import personal


def handles_personal_data(user) -> bool:
    """The security administrator (or a superuser)."""
    return user.is_authenticated and scope_for(user).has_role(Role.SECURITY_ADMIN)


class LookupForm(forms.Form):
    contact = forms.CharField(label=_("Phone or email"), max_length=254,
                              help_text=_("The number or address the person gave, in any format."))

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            validate_email(value)
        elif len(normalise_contact(value)) < 5:
            raise forms.ValidationError(_("Enter a phone number or an email address."))
        return value


class EraseForm(LookupForm):
    contact = forms.CharField(widget=forms.HiddenInput, max_length=254)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("E.g. the person's written request, its date and reference."))
    confirm = forms.BooleanField(label=_("I have checked the person's identity and request; erasing cannot be "
                                         "undone."))


def _rows(found: personal.Holdings) -> dict:
    """What the page shows of each holding: masked, never the text."""
    cases = [{"number": case.number, "street": case.street.name, "status": case.get_status_display(),
              "created_at": case.created_at, "ended_at": case.closed_at or case.rejected_at,
              "name": mask_name(case.reporter_name), "phone": mask_phone(case.reporter_phone),
              "email": mask_email(case.reporter_email) if case.reporter_email else ""}
             for case in found.cases]
    comanagers = [{"name": mask_name(c.name), "street": c.street.name, "post": c.post.name,
                   "phone": mask_phone(c.phone), "in_post": c.left_at is None} for c in found.comanagers]
    messages = [{"created_at": m.created_at, "case_number": m.case_number, "channel": m.get_channel_display(),
                 "to": m.to_masked, "status": m.get_status_display()} for m in found.messages]
    return {"cases": cases, "comanagers": comanagers, "messages": messages, "counts": found.counts,
            "contact": found.contact, "limit": personal.LOOKUP_LIMIT}


@login_required
@require_http_methods(["GET", "POST"])
def personal_data(request):
    """GET: the lookup form. POST step=lookup: what holds the contact (audited). POST step=erase: erase
    it all, with the reason (audited), then the lookup again shows nothing left."""
    if not handles_personal_data(request.user):
        raise PermissionDenied(_("Only the security administrator may look up and erase personal data."))
    context: dict = {"form": LookupForm(), "found": None, "erase_form": None, "erased": None}
    status = 200
    if request.method == "POST":
        if request.POST.get("step") == "erase":
            erase_form = EraseForm(request.POST)
            if erase_form.is_valid():
                contact = erase_form.cleaned_data["contact"]
                erased = personal.personal_data_erase(request=request, contact=contact,
                                                      reason=erase_form.cleaned_data["reason"])
                context["erased"] = {**erased.as_dict(), "contact": mask_contact(normalise_contact(contact))}
            else:
                status = 400
                context["erase_form"] = erase_form
                contact = request.POST.get("contact", "")
                if LookupForm({"contact": contact}).is_valid():
                    context["found"] = _rows(personal.personal_data_lookup(request=request, contact=contact))
        else:
            form = LookupForm(request.POST)
            context["form"] = form
            if form.is_valid():
                contact = form.cleaned_data["contact"]
                context["found"] = _rows(personal.personal_data_lookup(request=request, contact=contact))
                context["erase_form"] = EraseForm(initial={"contact": contact})
            else:
                status = 400
    return render(request, "security/personal.html", context, status=status)


urlpatterns = [
    path("personal/", personal_data, name="personal"),
]
