"""The admin's second factor (身份鉴别: 两种或两种以上组合的鉴别技术), /security/otp/: with ADMIN_REQUIRE_OTP
on, whoever reaches the admin (superusers and the three administrators) is sent here once per session
(security.identity.AdminSecondFactorMiddleware).

Someone without a device gets a new TOTP secret as a QR code (and as text) for an authenticator app,
and confirms it with a first code; someone with a confirmed device gives its current code. Either way
the session is then verified (django_otp.login) and goes on to the admin. django-otp throttles wrong
codes (each one doubles the wait); the security administrator removes a lost device in the admin.
"""

from __future__ import annotations

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from haidian import audit


class CodeForm(forms.Form):
    token = forms.RegexField(label=_("Code from the authenticator app"), regex=r"^\s*\d{6,8}\s*$", max_length=12,
                             error_messages={"invalid": _("Enter the 6 digits the app shows.")},
                             widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                           "autofocus": True}))


def _device(user) -> TOTPDevice:
    """The user's confirmed device, else the one being set up (made on the first visit)."""
    devices = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "id")
    return devices.first() or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


@login_required
def otp(request):
    device = _device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            verified = verify_token(request.user, device.persistent_id, form.cleaned_data["token"].strip())
            if verified is not None and not verified.confirmed:
                verified.confirmed = True
                verified.save(update_fields=["confirmed"])
                audit.record(audit.Action.OTP_DEVICE_ADDED, request=request, obj=verified)
        if verified is not None:
            otp_login(request, verified)
            return redirect(_next(request))
        audit.record(audit.Action.LOGIN_FAILED, request=request, outcome=audit.Outcome.FAILED,
                     data={"factor": "totp", "username": request.user.get_username()})
        form.add_error("token", _("That code is not right, or was used already. Wait for the next one; after "
                                  "several wrong codes each try waits longer."))
    context = {"form": form, "setting_up": not device.confirmed, "next": _next(request)}
    if not device.confirmed:
        url = device.config_url
        context |= {"qr": segno.make(url, error="m").svg_data_uri(scale=5), "config_url": url,
                    "secret": url.split("secret=", 1)[1].split("&", 1)[0]}
    return render(request, "security/otp.html", context)


urlpatterns = [
    path("otp/", otp, name="otp"),
]
