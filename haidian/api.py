"""API pieces every app shares."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers, status
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
            template = super().get_fields()
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
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
