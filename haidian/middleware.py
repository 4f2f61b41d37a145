import base64
import hashlib
import time

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from haidian import audit


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user picked another language with the language switch.

    The browser's Accept-Language is ignored on purpose: the office PCs of a street sub-center
    are often installed in English, and their users still expect the system in Chinese.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not (chosen and chosen in dict(settings.LANGUAGES) and translation.check_for_language(chosen)):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()


class AuditContextMiddleware:
    """Makes the request the audit log's "current request" while it is served, so that receivers of
    model signals (users, memberships, permissions, admin changes) record who acted and from where.
    After AuthenticationMiddleware; an API request's user is read when a row is written, after DRF
    has authenticated it (DRF sets it on this request too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.serving(request):
            return self.get_response(request)


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# django-import-export's export page (admin/import_export/export.html, not ours) has one inline handler
# and two style attributes: that page alone may run exactly those ('unsafe-hashes' with their hashes).
IMPORT_EXPORT_PAGE_CSP = {
    "script-src": ["'unsafe-hashes'", _csp_hash("onSelectToggleChange(event)")],
    "style-src": ["'unsafe-hashes'", _csp_hash("padding: 0;"), _csp_hash("font-weight: bold;")],
}


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware (settings.CONTENT_SECURITY_POLICY, read at each response), plus the one
    third-party admin page whose markup needs an exception (IMPORT_EXPORT_PAGE_CSP)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if (parts.update is None and match is not None and match.namespace == "admin"
                and (match.url_name or "").endswith("_export")):
            parts.update = IMPORT_EXPORT_PAGE_CSP
        return parts


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY as the Permissions-Policy header (Django has no setting for it):
    the grid workers' phone pages may ask for the location and the camera, from this site only, and no
    page, nor anything framed in one, may use the other powerful features. An empty setting sends none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# The session key of the last request's time (seconds since the epoch), for IdleSessionMiddleware.
LAST_ACTIVITY_KEY = "haidian_last_activity"


class IdleSessionMiddleware:
    """Ends a signed-in session after settings.SESSION_IDLE_MINUTES without a request (身份鉴别: 登录连接超时
    自动退出): logs out, records `session_expired` and sends the browser to the login page with a message
    (an htmx request gets HX-Redirect; an API call goes on signed out, and is answered 401 or 403).

    The time of the last request is kept in the session and written at most once a minute, so that a
    busy user's requests do not each save the session. API calls signed in by token have no session and
    pass untouched. After MessageMiddleware."""

    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                return self._expire(request, idle_seconds=now - last)
            if last is None or now - last >= self.WRITE_EVERY_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _expire(self, request, *, idle_seconds: int):
        user = request.user
        audit.record(audit.Action.SESSION_EXPIRED, request=request, actor=user,
                     data={"idle_minutes": idle_seconds // 60})
        request.haidian_session_expired = True  # the logout receiver records no second row
        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)
        messages.info(request, _("Your session ended after %(minutes)d minutes without activity: please log "
                                 "in again.") % {"minutes": settings.SESSION_IDLE_MINUTES})
        login = redirect_to_login(request.get_full_path())
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login["Location"]
            return response
        return login
