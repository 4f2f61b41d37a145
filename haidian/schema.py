"""The OpenAPI schema (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS): every answer an operation can give,
and fields described as the code reads and writes them.

drf-spectacular documents the success of each operation; the refusals come from the same view,
read the way the request is served (haidian.api.exception_handler turns the services' errors into
them):

- 400 `FieldErrors`: the operation reads a request body or query parameters (a serializer, a filter
  or a query serializer judges them; a body that cannot be parsed is a `detail`);
- 401 `ErrorDetail`: the view needs a signed-in user (its permission classes are not AllowAny);
- 403 `ErrorDetail`: signed in, but the role may not do this (a service's ActionForbidden, a session
  without its CSRF token);
- 404 `ErrorDetail`: the path names an object (outside your scope is "not found" too), or the list is
  paged by a cursor or page number that can be unknown;
- 409 `ErrorDetail`: a signed-in write of ours, refused because of the object's state (ActionConflict);
  a view whose writes never depend on a state says `state_conflicts = False`;
- 413 / 415 `ErrorDetail`: the operation has a request body, too large or of a media type it does
  not read;
- 429 `ErrorDetail` with Retry-After: a throttle of the view counts the method.

A view declares any other refusal as a response without a body, e.g.
`@extend_schema(responses={200: GridSerializer, 404: None})`: the body is filled in here.

Fields, where drf-spectacular's reading differs from what DRF does:

- (a text field's pattern is haidian.inputs' own: its validators are RegexValidators for that);
- a decimal sent as a string needs a digit; a list that may not be empty has `minItems`;
- an answer's field is nullable when its value can be None (a `default=None`, a nullable column
  on the way to it), and a choice read from a column that may be blank admits "";
- request bodies are JSON (multipart where a file is sent): DRF reads forms too, but a form cannot
  say null, a list or an object, so they are not offered.

tests/haidian/test_schema_truth.py and the schemathesis run (tests/haidian/test_api_fuzz.py) hold
the schema to all this.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance, get_lib_doc_excludes, is_serializer
from rest_framework import serializers
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import AllowAny

from haidian.api import FieldsOnce

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_PAGING_PARAMETERS = {"cursor", "page"}
JSON, MULTIPART = "application/json", "multipart/form-data"

# A query string may not hold NUL anywhere (haidian.inputs.InputGuardMiddleware answers 400).
QUERY_TEXT_PATTERN = r"^[^\x00]*$"

ERROR_DETAIL = "ErrorDetail"
FIELD_ERRORS = "FieldErrors"

_COMPONENTS = {
    ERROR_DETAIL: {
        "type": "object",
        "description": _("A refusal, in the language of the request."),
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    FIELD_ERRORS: {
        "type": "object",
        "description": _(
            "Input refused: each field's name with its messages (a nested field's errors nested the same "
            "way, a list's by position); `non_field_errors` for the input as a whole; `detail` when the "
            "request could not be read at all."),
        "additionalProperties": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "object"},
            ]
        },
    },
}

_DESCRIPTIONS = {
    "400": _("Input refused: field errors"),
    "401": _("Not signed in, or the token is invalid or has expired"),
    "403": _("Signed in, but your role may not do this"),
    "404": _("No such object in your scope (or an unknown page cursor)"),
    "409": _("Refused in the object's current state"),
    "413": _("The request body is too large"),
    "415": _("The request body's media type is not one this operation reads"),
    "429": _("Too many requests: try again after Retry-After seconds"),
}


def one_path_per_view(endpoints):
    """SPECTACULAR_SETTINGS["PREPROCESSING_HOOKS"]: a view served at a path both without and with a
    trailing slash (rounds/{period}/results.xlsx: before the router, and the router's own route) is one
    operation, documented at the path without it."""
    def key(path, method, callback):
        # The viewset's action for the method (DRF adds "head" to `actions` once a request is served).
        action = (getattr(callback, "actions", None) or {}).get(method.lower())
        return path.rstrip("/"), method, getattr(callback, "cls", callback), action

    bare = {key(path, method, callback) for path, _regex, method, callback in endpoints if not path.endswith("/")}
    return [(path, regex, method, callback) for path, regex, method, callback in endpoints
            if not (path.endswith("/") and key(path, method, callback) in bare)]


def lib_doc_excludes():
    """SPECTACULAR_SETTINGS["GET_LIB_DOC_EXCLUDES"]: a serializer without a docstring of its own
    does not describe itself with haidian.api.FieldsOnce's (how fields are built)."""
    return [*get_lib_doc_excludes(), FieldsOnce]


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                _no_nul(parameter.get("schema", {}))
        responses = operation["responses"]
        for code, response in responses.items():
            if code in _DESCRIPTIONS and "content" not in response:  # declared by the view, without a body
                responses[code] = self._error_response(code)
        for code in self.error_codes(operation):
            if code not in responses:
                responses[code] = self._error_response(code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def map_parsers(self):
        media_types = super().map_parsers()
        serializer = self.get_request_serializer()
        sends_files = is_serializer(serializer) and any(
            isinstance(field, serializers.FileField) for field in force_instance(serializer).fields.values())
        wanted = MULTIPART if sends_files else JSON
        return [wanted] if wanted in media_types else media_types

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        for prop in schema.get("properties", {}).values():
            _either_blank(prop)
            _portable_patterns(prop)
        if direction == "request":
            # DRF ignores a field it does not read, but judges the whole body first (haidian.parsers:
            # no NUL anywhere): a body says what it is, and nothing else.
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if direction == "response" and not isinstance(field, _MANY):
            nullable, blank = _column_allows(field)
            if nullable or getattr(field, "default", None) is None:
                field.allow_null = True
            if blank and isinstance(field, serializers.ChoiceField):
                field.allow_blank = True
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(schema, dict) and not field.read_only:
            _request_rules(field, schema)
        return schema

    def error_codes(self, operation: dict) -> list[str]:
        """The refusals this operation can answer, from the view that serves it."""
        parameters = operation.get("parameters", [])
        in_path = any(parameter["in"] == "path" for parameter in parameters)
        in_query = {parameter["name"] for parameter in parameters if parameter["in"] == "query"}
        has_body = "requestBody" in operation
        writes = self.method not in _SAFE_METHODS
        codes = []
        if has_body or in_query:  # a query parameter with NUL is a 400 even where none is read
            codes.append("400")
        if self._needs_sign_in():
            codes += ["401", "403"]
        if in_path or (in_query & _PAGING_PARAMETERS and self._pages_can_be_unknown()):
            codes.append("404")
        if writes and self._ours() and self._needs_sign_in() and getattr(self.view, "state_conflicts", True):
            codes.append("409")
        if has_body:
            codes += ["413", "415"]
        if self._throttled():
            codes.append("429")
        return codes

    def _ours(self) -> bool:
        # Our views' writes go through a service, which refuses a move the state forbids (409).
        return not type(self.view).__module__.startswith("rest_framework.")

    def _needs_sign_in(self) -> bool:
        permissions = self.view.get_permissions()
        return bool(permissions) and not any(isinstance(permission, AllowAny) for permission in permissions)

    def _pages_can_be_unknown(self) -> bool:
        # DRF answers 404 for a cursor it cannot decode and a page number past the end.
        return isinstance(getattr(self.view, "paginator", None), CursorPagination | PageNumberPagination)

    def _throttled(self) -> bool:
        # A throttle may say which methods it counts (`methods`, e.g. the writes only); else it counts all.
        for throttle in self.view.get_throttles():
            methods = getattr(throttle, "methods", None)
            if methods is None or self.method in methods:
                return True
        return False

    def _error_response(self, code: str) -> dict:
        name = FIELD_ERRORS if code == "400" else ERROR_DETAIL
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=_COMPONENTS[name],
                                      object=name)
        self.registry.register_on_missing(component)
        response = {"description": _DESCRIPTIONS[code], "content": {JSON: {"schema": component.ref}}}
        if code == "429":
            response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                   "description": _("Seconds to wait before trying again")}}
        if code == "401":
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                        "description": _("How to authenticate: Token")}}
        return response


_MANY = (serializers.ListSerializer, serializers.ManyRelatedField, serializers.ListField)


def _column_allows(field) -> tuple[bool, bool]:
    """(may be None, may be blank) for an answer's field, from the model columns its `source` walks
    through: a nullable foreign key on the way makes the value None (DRF renders None as null)."""
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or source == "*":
        return False, False
    nullable = blank = False
    for attr in source.split("."):
        try:
            column = model._meta.get_field(attr)
        except (FieldDoesNotExist, AttributeError):
            break
        if not getattr(column, "concrete", False):  # a reverse relation or a many-to-many: never None
            break
        nullable = nullable or bool(getattr(column, "null", False))
        blank = bool(getattr(column, "blank", False))
        model = getattr(column, "related_model", None)
        if model is None:
            break
    return nullable, blank


def _request_rules(field, schema: dict) -> None:
    """What DRF and haidian.inputs refuse that drf-spectacular's schema of the field does not say."""
    if isinstance(field, serializers.DecimalField) and schema.get("type") == "string":
        schema["pattern"] = _decimal_pattern(field)
    if schema.get("type") == "array" and getattr(field, "allow_empty", True) is False:
        schema["minItems"] = max(1, schema.get("minItems", 0))


def _decimal_pattern(field: serializers.DecimalField) -> str:
    """A decimal as a string: at least one digit, no more places and whole digits than the field takes,
    a sign only where negative numbers are allowed, and a non-zero digit where zero is too small."""
    places = field.decimal_places if field.decimal_places is not None else ""
    whole = (field.max_digits - (field.decimal_places or 0)) if field.max_digits is not None else ""
    sign = "-?" if field.min_value is None or field.min_value < 0 else ""
    nonzero = "(?=.*[1-9])" if field.min_value is not None and field.min_value > 0 else ""
    if places == 0:
        return rf"^{nonzero}{sign}\d{{1,{whole}}}$"
    return rf"^{nonzero}{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"


def _either_blank(schema: dict) -> None:
    """drf-spectacular writes a field that may be blank as oneOf [its schema, the empty string]; when its
    schema (a text pattern of haidian.inputs) takes "" too, "" matches both and oneOf refuses it."""
    blank = {"type": "string", "maxLength": 0}
    if isinstance(schema.get("oneOf"), list) and blank in schema["oneOf"]:
        schema["anyOf"] = schema.pop("oneOf")


def _portable_patterns(schema) -> None:
    """Patterns other languages' engines compile: no range of lone surrogates, which valid JSON cannot
    carry anyway (haidian.parsers refuses an escaped one) and Rust's or Go's regex refuse to compile —
    a schema tool that cannot compile a pattern ignores it."""
    if isinstance(schema, dict):
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            schema["pattern"] = pattern.replace(r"\ud800-\udfff", "")
        for value in schema.values():
            _portable_patterns(value)
    elif isinstance(schema, list):
        for value in schema:
            _portable_patterns(value)


def _no_nul(schema: dict) -> None:
    """A string query parameter's schema, saying it may not hold NUL (arrays: each item)."""
    if schema.get("type") == "array":
        _no_nul(schema.get("items", {}))
    elif schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
        schema["pattern"] = QUERY_TEXT_PATTERN
