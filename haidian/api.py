"""API pieces every app shares."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.views import exception_handler as drf_exception_handler

from haidian.errors import ActionConflict, ActionForbidden, InvalidInput


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class CodeCursorPagination(CursorPagination):
    """Cursor pages over a stable, unique code: constant time however deep the page."""

    ordering = "code"
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """DRF's handler, plus the services' business errors and model validation errors."""
    if isinstance(exc, ActionConflict):
        exc = Conflict(str(exc))
    elif isinstance(exc, ActionForbidden):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, InvalidInput):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
