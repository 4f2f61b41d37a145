"""The API's JSON parser: bodies too large or too deep are refused before json.loads runs.

json.loads recurses, and a body nested some thousands deep ends in a RecursionError — a 500. Here:

- the body may be at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes: 413 (DRF reads it through
  request.body, which refuses a larger one with RequestDataTooBig, answered 413 by
  haidian.api.exception_handler; the parser checks again whatever stream it is given);
- it may nest at most MAX_JSON_DEPTH arrays and objects, counted by a scan of its brackets outside
  strings, which costs a regular expression and a loop over the brackets only: 400;
- no string in it, key or value, may hold NUL or a lone surrogate (haidian.inputs.UNSTORABLE): 400
  naming the field, never echoing the value (a lone surrogate cannot even be encoded in the answer).
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status

from haidian.inputs import UNSTORABLE, UNSTORABLE_MESSAGE

DEFAULT_MAX_JSON_DEPTH = 32

# A JSON string, possessive so that a long one costs one pass (Python 3.11's possessive quantifiers).
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_BRACKETS = re.compile(rb"[^\[\]{}]++")


class PayloadTooLarge(exceptions.APIException):
    """413, also for Django's RequestDataTooBig (haidian.api.exception_handler): DRF reads JSON and
    form bodies through request.body, which checks DATA_UPLOAD_MAX_MEMORY_SIZE before any parser runs."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self, detail=None, code=None):
        if detail is None:
            detail = _("The request body is larger than %(limit)s bytes.") % {
                "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        super().__init__(detail, code)


def max_json_depth() -> int:
    return getattr(settings, "MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)


def json_depth(raw: bytes, limit: int) -> int:
    """How deep the arrays and objects of `raw` nest, counting no further than limit + 1."""
    brackets = _BRACKETS.sub(b"", _STRING.sub(b"", raw))
    depth = deepest = 0
    for char in brackets:
        if char in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def _unstorable(value, path: str) -> str | None:
    """The path of the first key or string holding NUL or a lone surrogate, else None."""
    if isinstance(value, str):
        return path if UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            if UNSTORABLE.search(key):
                return path or "non_field_errors"
            found = _unstorable(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser with the limits above (REST_FRAMEWORK's first DEFAULT_PARSER_CLASSES)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = parser_context.get("request")
        too_large = PayloadTooLarge()
        if limit is not None and request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise too_large
        raw = b"" if stream is None else stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise too_large
        depth = max_json_depth()
        if json_depth(raw, depth) > depth:
            raise exceptions.ParseError(_("The JSON body nests deeper than %(depth)s levels.") % {"depth": depth})
        try:
            data = json.loads(raw.decode(encoding), parse_constant=self._refuse_constant)
        except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None
        bad = _unstorable(data, "")
        if bad is not None:
            raise exceptions.ValidationError({bad or "non_field_errors": [str(UNSTORABLE_MESSAGE)]})
        return data

    @staticmethod
    def _refuse_constant(name: str):
        raise ValueError(f"{name} is not JSON")
