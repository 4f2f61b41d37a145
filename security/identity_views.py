"""身份鉴别's own pages and API: the password page (where an account whose password an administrator set
is sent until its owner chooses one), and the API token's issue and revocation.

`POST /api/v1/auth/token/` keeps DRF's contract (200 `{"token": …}`, 400 for a wrong login or password)
and adds: 429 with Retry-After when the account or the address is locked (django-axes counts the
failures: `authenticate` gets the request), 403 when the account must first change the password an
administrator set. An expired token (API_TOKEN_MAX_AGE_HOURS) is replaced by a new one.
`POST /api/v1/auth/token/revoke/`, signed in by the token, ends it: 204.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import IntegrityError, transaction
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, renderers, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from haidian import audit
from haidian.authentication import TokenAuthentication, token_expired
from haidian.schema import AutoSchema
from people.selectors import password_change_required
from people.services import password_changed_by_owner
from security.identity import PASSWORD_CHANGE_KEY, forget_failures, lockout_response

# --- the password page ------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new one twice, AUTH_PASSWORD_VALIDATORS), in our layout;
    the flag set by an administrator goes once the owner has chosen their own."""

    template_name = "security/password_change.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "required": bool(self.request.session.get(PASSWORD_CHANGE_KEY)),
                "next": self._next()}

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed_by_owner(user=form.user)
        self.request.session.pop(PASSWORD_CHANGE_KEY, None)
        messages.success(self.request, _("Your password has been changed."))
        return response

    def get_success_url(self) -> str:
        return self._next() or reverse(settings.LOGIN_REDIRECT_URL)

    def _next(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                           require_https=self.request.is_secure()):
            return target
        return ""


# --- the API token ---------------------------------------------------------------------------------------

class _RefusalSchema(AutoSchema):
    """The token endpoint's refusals besides bad input: 403 (change the password first), 429 (locked)."""

    def error_codes(self, operation: dict) -> list[str]:
        return [*super().error_codes(operation), "403", "429"]


def _fresh_token(user) -> tuple[Token, bool]:
    """The user's token, or a new one when there is none or it has expired. Two logins at once may both
    find none: the second's insert then fails on the one-token-per-user key and it takes the first's."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and not token_expired(token.created):
            return token, False
        if token is not None:
            token.delete()
        try:
            with transaction.atomic():
                return Token.objects.create(user=user), True
        except IntegrityError:
            return Token.objects.get(user=user), False


class TokenObtainView(APIView):
    """A login for API clients: username and password give the account's token."""

    authentication_classes = ()
    permission_classes = ()
    parser_classes = (parsers.FormParser, parsers.MultiPartParser, parsers.JSONParser)
    renderer_classes = (renderers.JSONRenderer,)
    serializer_class = AuthTokenSerializer
    schema = _RefusalSchema()

    @extend_schema(operation_id="auth_token_create", request=AuthTokenSerializer,
                   responses={200: inline_serializer("IssuedToken", {"token": serializers.CharField()})})
    def post(self, request, *args, **kwargs):
        # django-axes reads the HttpRequest (its address, and it marks a lockout on it for its middleware).
        http_request = request._request
        serializer = AuthTokenSerializer(data=request.data, context={"request": http_request})
        if not serializer.is_valid():
            if getattr(http_request, "axes_locked_out", False):
                return lockout_response(http_request)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        user = serializer.validated_data["user"]
        if password_change_required(user):
            audit.record(audit.Action.TOKEN_ISSUED, request=http_request, actor=user, outcome=audit.Outcome.DENIED,
                         data={"reason": "password_change_required"})
            return Response({"detail": _("Change the password an administrator set for you first, on the "
                                         "password page.")}, status=status.HTTP_403_FORBIDDEN)
        token, created = _fresh_token(user)
        forget_failures(http_request, user.get_username())
        audit.record(audit.Action.TOKEN_ISSUED, request=http_request, actor=user, data={"new": created})
        if user.is_superuser:
            audit.record(audit.Action.SUPERUSER_USED, request=http_request, actor=user, data={"path": request.path})
        return Response({"token": token.key})


class TokenRevokeView(APIView):
    """Ends the token the request is signed in with (a phone handed back, a client retired)."""

    authentication_classes = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)
    state_conflicts = False  # haidian.schema: no 409

    @extend_schema(operation_id="auth_token_revoke", request=None, responses={204: None})
    def post(self, request, *args, **kwargs):
        Token.objects.filter(key=request.auth.key).delete()
        audit.record(audit.Action.TOKEN_REVOKED, request=request._request, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("password/", PasswordChangeView.as_view(), name="password_change"),
]
api_urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
]
