"""API pieces every app shares."""

import copy

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.views import exception_handler as drf_exception_handler

from haidian import inputs, parsers
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class CodeCursorPagination(CursorPagination):
    """Cursor pages over a stable, unique code: constant time however deep the page."""

    ordering = "code"
    page_size_query_param = "page_size"
    max_page_size = 500


# Fields that own another field (a child) are deep-copied, so that the child binds to its own parent.
_COMPOUND_FIELDS = (serializers.BaseSerializer, serializers.ListField, serializers.DictField,
                    serializers.ManyRelatedField)


class FieldsOnce:
    """Build a serializer's fields once per class instead of once per instance.

    DRF maps model fields to serializer fields for every ModelSerializer instance and deep-copies
    every declared field for every Serializer instance: most of a single-object request's
    serializer time (create, workflow actions, detail) in bench/run.py's profile. Here each
    instance gets shallow copies of the class's plain fields (binding then sets their name and
    parent on the copy) and deep copies of compound ones. Safe because our fields do not depend on
    the request or context when they are built; anything that does reads `self.context` later.
    """

    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_field_template")
        if template is None:
            # Every text and integer field refuses what no field may take (haidian.inputs).
            template = inputs.guard_serializer_fields(super().get_fields())
            cls._field_template = template
        return {name: copy.deepcopy(field) if isinstance(field, _COMPOUND_FIELDS) else copy.copy(field)
                for name, field in template.items()}


class Serializer(FieldsOnce, serializers.Serializer):
    pass


class ModelSerializer(FieldsOnce, serializers.ModelSerializer):
    pass


def exception_handler(exc, context):
    """DRF's handler, plus the services' business errors and model validation errors."""
    if isinstance(exc, ActionConflict):
        exc = Conflict(str(exc))
    elif isinstance(exc, ActionForbidden):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, InvalidInput):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, RequestDataTooBig):  # DRF reads JSON and form bodies through request.body
        exc = parsers.PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = inputs.printable(response.data)  # an echoed lone surrogate cannot be encoded
    return response


def not_found(request, exception=None):
    """The site's 404 (haidian.urls.handler404): under /api/, the body every API 404 has, in JSON,
    for a path that no route matches (a path parameter outside its pattern, a NUL in the path)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND,
                            json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)
