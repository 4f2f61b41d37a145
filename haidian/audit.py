"""The security audit log (安全审计, GB/T 22239-2019 8.1.4.3): one call records one audited action.

    audit.record(audit.Action.EXPORT, request=request, obj=None, data={"format": "csv", "rows": 120})

Who (the request's user, or `actor`), from which address, for which unit, when, which object and the
outcome go on an `AuditEntry`, which nothing may change or delete afterwards. Recording never raises
into the action it records: a failure to write is logged loudly and re-raised only in tests.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidian.models import AuditEntry
from haidian.permissions import scope_for
from haidian.throttling import request_address

log = logging.getLogger(__name__)

Outcome = AuditEntry.Outcome

# The request being served, set by haidian.middleware.AuditContextMiddleware, so that a signal
# receiver (a user saved, a membership granted) knows who acted and from where without being told.
_current_request: ContextVar = ContextVar("haidian_audit_request", default=None)


@contextmanager
def serving(request):
    """Make `request` the one `record` falls back to while the block runs."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def current_request():
    """The request being served in this thread (None outside one: a Celery task, a command)."""
    return _current_request.get()


def query_filters(request, *, leave_out=("format", "page", "cursor")) -> dict:
    """The query string's parameters as a dict for an export's row (lists only where repeated)."""
    if request is None:
        return {}
    return {name: values if len(values) > 1 else values[0]
            for name, values in request.GET.lists() if name not in leave_out}


class Action(models.TextChoices):
    """Everything the audit log records (the 等保 list: identity, accounts and rights, personal data,
    exports, administration)."""

    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("login failed")
    LOCKED_OUT = "locked_out", _("account locked")
    UNLOCKED = "unlocked", _("account unlocked")
    LOGOUT = "logout", _("logout")
    SESSION_EXPIRED = "session_expired", _("session expired")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_CHANGED = "password_changed", _("password changed")
    USER_CREATED = "user_created", _("user created")
    USER_CHANGED = "user_changed", _("user changed")
    USER_DELETED = "user_deleted", _("user deleted")
    ROLE_GRANTED = "role_granted", _("role granted")
    ROLE_REVOKED = "role_revoked", _("role revoked")
    PERMISSION_CHANGED = "permission_changed", _("permissions changed")
    ADMIN_CHANGE = "admin_change", _("change in the admin")
    SUPERUSER_USED = "superuser_used", _("superuser signed in")
    OTP_DEVICE_ADDED = "otp_device_added", _("second factor set up")
    PERSONAL_DATA_VIEWED = "personal_data_viewed", _("personal data viewed unmasked")
    PERSONAL_DATA_LOOKUP = "personal_data_lookup", _("personal data looked up")
    PERSONAL_DATA_ERASED = "personal_data_erased", _("personal data erased")
    EXPORT = "export", _("export")
    AUDIT_EXPORTED = "audit_exported", _("audit log exported")
    AUDIT_READ_REFUSED = "audit_read_refused", _("audit log read refused")


def client_address(request) -> str | None:
    """The client's address as the rate limits read it (`throttling.request_address`: REMOTE_ADDR, or
    behind PUBLIC_TRUSTED_PROXIES proxies the hop the outermost one saw); None when it does not parse,
    so that a garbled header never makes the row unwritable (an inet column). Also the login
    lockout's address (AXES_CLIENT_IP_CALLABLE)."""
    if request is None:
        return None
    address = request_address(request)
    return str(address) if address is not None else None


# What PostgreSQL cannot store in text or jsonb: NUL and lone surrogates (a tried login, a query string).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value):
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_storable(str(key)): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_storable(item) for item in value]
    return value


def _unit_label(user) -> str:
    try:  # the gate reads memberships through people's source, registered when people is loaded
        scope = scope_for(user)
    except LookupError:
        return ""
    if scope.everything:
        return "superuser"
    return "; ".join(sorted({held.label for held in scope.memberships}))[:120]


def record(action: str, *, request=None, actor=None, obj=None, outcome: str = Outcome.OK, data: dict | None = None,
           object_type: str = "", object_id: str = "", object_repr: str = "", username: str = "") -> AuditEntry | None:
    """Write one audit row. `actor` defaults to the request's user; `username` names an actor that is
    not (or not yet) a user, e.g. the login a failed attempt tried. Without a `request`, the one
    being served (`current_request`) gives the address, and the actor when none is named."""
    if request is None:
        request = current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    try:
        return AuditEntry.objects.create(
            at=timezone.now(), action=str(action), outcome=str(outcome),
            actor_id=actor.pk if actor is not None else None,
            actor_username=_storable(actor.get_username() if actor is not None else username)[:150],
            actor_unit=_unit_label(actor) if actor is not None else "",
            address=client_address(request), object_type=object_type[:60],
            object_id=_storable(str(object_id))[:64], object_repr=_storable(object_repr)[:200],
            data=_storable(data or {}),
        )
    except Exception:
        log.exception("audit: could not record %s by %s", action, getattr(actor, "pk", username))
        if settings.HAIDIAN_ENV == "test":
            raise
        return None
