"""身份鉴别 (GB/T 22239-2019 8.1.4.1) in the request cycle: the audit rows of logins, failures, lockouts and
logouts, the answer to a locked account or address, and two gates, before a page or an API call runs:
a password an administrator set must be changed first, and the admin wants a second factor.

Login failures themselves are counted by django-axes (its database handler; settings "[identity]"):
`axes.backends.AxesStandaloneBackend` refuses a locked account or address before the password is even
checked, and `axes.middleware.AxesMiddleware` turns the refusal into `lockout_response`, the same on the
login page, the admin's and the API's token endpoint.
"""

from __future__ import annotations

import math
import time
from urllib.parse import urlencode

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from haidian import audit
from haidian.middleware import LAST_ACTIVITY_KEY
from people.selectors import password_change_required

# Set in the session at login when the account must change its password (one query per login, none
# per request); dropped when the owner has chosen their own.
PASSWORD_CHANGE_KEY = "haidian_password_change_required"

# Paths a user held at a gate may still reach: the gate's own page, leaving, the language, static files.
_ALWAYS_OPEN = ("/static/", "/i18n/", "/healthz", "/login/", "/logout/", "/admin/logout/")


def _api(request) -> bool:
    return request.path.startswith("/api/")


# --- lockouts ----------------------------------------------------------------------------------------

def lockout_minutes(request=None) -> int:
    return max(1, math.ceil(get_cool_off(request).total_seconds() / 60))


def lockout_message(request=None) -> str:
    return _("Too many failed logins: this account, or the address you use, is locked for %(minutes)d minutes. "
             "Try again later, or ask the security administrator to unlock it.") % {"minutes": lockout_minutes(request)}


def lockout_response(request, original_response=None, credentials=None):
    """What a locked account or address is answered (settings.AXES_LOCKOUT_CALLABLE): 429 Too Many
    Requests with a Retry-After, as JSON `{"detail": …}` on the API, as a page elsewhere."""
    message = lockout_message(request)
    if _api(request):
        response = JsonResponse({"detail": message}, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "security/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(int(get_cool_off(request).total_seconds()))
    return response


def forget_failures(request, username: str) -> None:
    """A successful login forgets that account's failures from that address (连续失败: the count is of
    failures in a row). Failures against the account from elsewhere, and the address's failures on other
    accounts, still count: an attacker's own good login resets nothing of what they tried on others."""
    AccessAttempt.objects.filter(username=username, ip_address=audit.client_address(request)).delete()


# --- the audit rows --------------------------------------------------------------------------------------

@receiver(user_logged_in, dispatch_uid="identity-logged-in")
def _logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    audit.record(audit.Action.LOGIN, request=request, actor=user, data={"path": request.path})
    if user.is_superuser:
        # A superuser is for installation only: every use of one is worth a row of its own.
        audit.record(audit.Action.SUPERUSER_USED, request=request, actor=user, data={"path": request.path})
    forget_failures(request, user.get_username())
    # Signing in is activity: the session's first pages need not write it (IdleSessionMiddleware).
    request.session[LAST_ACTIVITY_KEY] = int(time.time())
    if password_change_required(user):
        request.session[PASSWORD_CHANGE_KEY] = True


@receiver(user_login_failed, dispatch_uid="identity-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    """One row per failed login, with the login that was tried. axes' receiver has run before this one
    (axes is installed before our apps): a try refused because the account or address was locked
    already has no failure count of its own."""
    username = str(credentials.get("username") or "")[:150]
    failures = getattr(request, "axes_failures_since_start", None)
    refused = bool(getattr(request, "axes_locked_out", False)) and failures is None
    audit.record(audit.Action.LOGIN_FAILED, request=request, actor=None, username=username,
                 outcome=audit.Outcome.DENIED if refused else audit.Outcome.FAILED,
                 data={"username": username, "path": getattr(request, "path", ""), "locked": refused,
                       **({"failures": failures} if failures is not None else {})})


@receiver(user_locked_out, dispatch_uid="identity-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    """The lock begins (axes also signals each try while locked: those are login_failed rows)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    audit.record(audit.Action.LOCKED_OUT, request=request, actor=None, username=str(username or "")[:150],
                 outcome=audit.Outcome.DENIED,
                 data={"username": username, "address": ip_address, "failures": failures,
                       "minutes": lockout_minutes(request), "path": request.path})


@receiver(user_logged_out, dispatch_uid="identity-logged-out")
def _logged_out(sender, request, user, **kwargs):
    if user is None or request is None or getattr(request, "haidian_session_expired", False):
        return  # nobody was signed in, or the idle timeout has recorded it already
    audit.record(audit.Action.LOGOUT, request=request, actor=user)


# --- the gates ---------------------------------------------------------------------------------------------

def _open(request, *more: str) -> bool:
    return request.path.startswith(_ALWAYS_OPEN + more)


def _to(url_name: str, request):
    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


class PasswordChangeRequiredMiddleware:
    """An account whose password an administrator set goes to the password page until its owner chooses
    their own (首次登录修改口令); the API answers 403. Reads only the session (flagged at login)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(PASSWORD_CHANGE_KEY) and request.user.is_authenticated:
            page = reverse("security:password_change")
            if not _open(request, page):
                if _api(request):
                    return JsonResponse({"detail": _("Change the password an administrator set for you first, "
                                                     "on the password page.")}, status=403,
                                        json_dumps_params={"ensure_ascii": False})
                return _to("security:password_change", request)
        return self.get_response(request)


def needs_second_factor(request) -> bool:
    """Whether this request is for the admin and must wait for a TOTP code (ADMIN_REQUIRE_OTP): whoever
    reaches the admin (superusers and the three administrators: nobody else is staff) must have
    verified a confirmed device in this session."""
    if not settings.ADMIN_REQUIRE_OTP or not request.path.startswith("/admin/"):
        return False
    user = request.user
    return (user.is_authenticated and (user.is_staff or user.is_superuser)
            and not request.path.startswith(("/admin/login/", "/admin/logout/"))
            and not user.is_verified())


class AdminSecondFactorMiddleware:
    """The admin's second factor: a staff member who has not given a TOTP code in this session goes to
    /security/otp/ (set a device up, or give its code) and back. After OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_second_factor(request):
            return _to("security:otp", request)
        return self.get_response(request)
