"""What any text, number or moment a person sends must be before anything reads it (入侵防范).

Every input answers 4xx, never 500. Three places apply the rules below, so that no view has to:

- `InputGuardMiddleware`, before any view runs: a path with NUL or another control character is a
  404; a query string with NUL (PostgreSQL cannot store or compare it) is a 400; a page's form
  (not the API's, which the serializers judge; not Open311's, which answers in its own format)
  with NUL, control characters or direction overrides is a 400.
- `guard_serializer_fields`, applied once per serializer class by haidian.api.FieldsOnce: every
  writable text field refuses what `check_text` refuses and, when it may not be blank, text made
  only of invisible characters; every integer field without bounds gets those of a PostgreSQL
  integer column.
- haidian.parsers.JSONParser refuses lone surrogates and NUL anywhere in a JSON body, before a
  serializer could echo one back in an error that cannot be encoded.

Messages never repeat the refused value: it may be exactly what cannot be encoded or displayed.
"""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.utils.formatting import lazy_format

# PostgreSQL cannot store NUL in text; UTF-8 cannot encode a lone surrogate (the JSON renderer fails).
_UNSTORABLE = r"\x00\ud800-\udfff"
# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder what a reader sees
# ("Trojan Source"), so that a title or a file name can show something other than what is stored.
# The marks U+200E/U+200F and Arabic letter mark U+061C stay allowed: they reorder nothing by themselves.
_BIDI = r"\u202a-\u202e\u2066-\u2069"
# What shows nothing on a page: Unicode's white space, and the characters that draw nothing but are
# not white space to str.strip() — soft hyphen, combining grapheme joiner, Hangul and Khmer fillers,
# Mongolian free variation selectors and vowel separator, zero-width spaces, joiners and marks, word
# joiner and invisible operators, braille blank, variation selectors, BOM. A list, not Unicode
# categories, so that one pattern in the OpenAPI schema says exactly the same.
_INVISIBLE = (r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
              r"\xad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u2064\u2800"
              r"\u3164\ufe00-\ufe0f\ufeff\uffa0")
_REFUSED = _CONTROL + r"\ud800-\udfff" + _BIDI  # all three (NUL is a control character too)

UNSTORABLE = re.compile(f"[{_UNSTORABLE}]")
CONTROL = re.compile(f"[{_CONTROL}]")
BIDI_CONTROL = re.compile(f"[{_BIDI}]")
_VISIBLE = re.compile(f"[^{_INVISIBLE}]")
# The same rules as patterns, for the schema (drf-spectacular writes a RegexValidator's pattern):
# text without a refused character, and such text with at least one visible character.
TEXT_PATTERN = rf"^[^{_REFUSED}]*\Z"
VISIBLE_TEXT_PATTERN = rf"^[^{_REFUSED}]*[^{_REFUSED}{_INVISIBLE}][^{_REFUSED}]*\Z"

# A PostgreSQL `integer` column: the range of any integer field that does not state its own.
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1
UNSTORABLE_MESSAGE = gettext_lazy("This text contains characters that cannot be stored (NUL or a lone surrogate).")
CONTROL_MESSAGE = gettext_lazy("This text contains control characters.")
BIDI_MESSAGE = gettext_lazy("This text contains characters that reverse the direction of the text "
                            "(U+202A–U+202E, U+2066–U+2069).")
INVISIBLE_MESSAGE = gettext_lazy("This text is made only of invisible characters.")


def is_invisible(text: str) -> bool:
    """True when nothing of `text` would show on a page (an empty text too)."""
    return _VISIBLE.search(text) is None


def text_problem(text: str) -> str | None:
    """Why `text` cannot be taken as typed text — "unstorable", "control" or "bidi" (the keys of
    PROBLEMS) — or None. Tab, line feed and carriage return pass."""
    if UNSTORABLE.search(text):
        return "unstorable"
    if CONTROL.search(text):
        return "control"
    if BIDI_CONTROL.search(text):
        return "bidi"
    return None


PROBLEMS = {"unstorable": UNSTORABLE_MESSAGE, "control": CONTROL_MESSAGE, "bidi": BIDI_MESSAGE}


class TextValidator(RegexValidator):
    """A validator (Django's forms and models, DRF's fields): what `text_problem` refuses, each with
    its own message. `regex` is the same rule as one pattern, for the schema only: the checks
    themselves are a few searches, linear in the text's length."""

    regex = TEXT_PATTERN

    def __call__(self, value):
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise ValidationError(str(PROBLEMS[problem]), code="invalid_characters")


class VisibleTextValidator(TextValidator):
    """TextValidator, and not only invisible characters: for text that must say something (a title)."""

    regex = VISIBLE_TEXT_PATTERN

    def __call__(self, value):
        super().__call__(value)
        if isinstance(value, str) and value and is_invisible(value):
            raise ValidationError(str(INVISIBLE_MESSAGE), code="invisible")


check_text = TextValidator()
check_visible = VisibleTextValidator()


def printable(value):
    """`value` (an error body) with every lone surrogate replaced, so that it can always be encoded."""
    if isinstance(value, str):
        return re.sub("[\ud800-\udfff]", "\ufffd", value) if UNSTORABLE.search(value) else value
    if isinstance(value, dict):
        return {printable(key): printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    return value


# --- the API's serializer fields -----------------------------------------------------------------

def guard_serializer_fields(fields: dict) -> dict:
    """Add the rules above to a serializer's fields (its class's template, built once)."""
    for field in fields.values():
        _guard(field)
    return fields


def _guard(field) -> None:
    """Each change is made to the field and to the arguments it was built with (`_kwargs`): DRF
    deep-copies a list's or dict's child by building it again from those."""
    child = getattr(field, "child", None)
    if isinstance(field, serializers.ListField | serializers.DictField) and child is not None:
        _guard(child)
    if getattr(field, "read_only", False):
        return
    if isinstance(field, serializers.CharField):
        rule = check_text if field.allow_blank else check_visible
        added = [] if any(isinstance(v, TextValidator) for v in field.validators) else [rule]
        if added:
            field.validators = [*field.validators, *added]
            field._kwargs["validators"] = [*field._kwargs.get("validators", ()), *added]
    elif isinstance(field, serializers.IntegerField):
        added = []
        messages = field.error_messages
        if field.max_value is None:
            field.max_value = field._kwargs["max_value"] = MAX_INT
            added.append(MaxValueValidator(MAX_INT, message=lazy_format(messages["max_value"], max_value=MAX_INT)))
        if field.min_value is None:
            field.min_value = field._kwargs["min_value"] = MIN_INT
            added.append(MinValueValidator(MIN_INT, message=lazy_format(messages["min_value"], min_value=MIN_INT)))
        if added:
            field.validators = [*field.validators, *added]
    elif isinstance(field, serializers.DateField | serializers.DateTimeField):
        if not any(isinstance(v, YearValidator) for v in field.validators):
            field.validators = [*field.validators, check_year]
            field._kwargs["validators"] = [*field._kwargs.get("validators", ()), check_year]


# --- dates and moments in request bodies [schema] ------------------------------------------------

# The years a date or a moment sent to the API may name. Before 1901 Beijing kept local mean time
# (+08:05:43), an offset RFC 3339 cannot write, so such a moment came back in an answer no client can
# parse; past 2100 nothing is planned. The schema's pattern (drf-spectacular writes a RegexValidator's)
# names one year less at each end: whatever offset a moment is sent with, its Beijing year is inside.
FIRST_YEAR, LAST_YEAR = 1901, 2100
YEARS_PATTERN = r"^(?:190[2-9]|19[1-9]\d|20\d\d)-"
YEAR_MESSAGE = gettext_lazy("Give a date from the years %(first)s to %(last)s.")


class YearValidator(RegexValidator):
    """A date or moment (DRF's DateField, DateTimeField) from FIRST_YEAR to LAST_YEAR, by its year in
    Beijing time. `regex` is for the schema only."""

    regex = YEARS_PATTERN

    def __call__(self, value):
        if isinstance(value, dt.date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(str(YEAR_MESSAGE) % {"first": FIRST_YEAR, "last": LAST_YEAR}, code="year")


check_year = YearValidator()


# --- moments in query parameters -----------------------------------------------------------------

# An unencoded "+08:00" in a query string arrives as " 08:00".
_LOST_PLUS = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)$")


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 / RFC 3339 moment: a date, or a date and time with or without an offset (…Z, …+08:00,
    any offset Python knows, up to ±23:59), as an aware datetime in UTC. Without an offset it is in the
    current time zone (Beijing). ValueError for anything else.

    Always UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts, and a time handed to it
    with one failed only when the query ran (a 500, or a streamed file cut after its header). A moment
    whose UTC time would leave datetime's range (year 1 with a positive offset, year 9999 with a
    negative one) is the first or last moment datetime knows: no case is before or after it anyway."""
    text = _LOST_PLUS.sub(r"\1+\2", text.strip())
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    moment = dt.datetime.fromisoformat(text)
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(dt.UTC)
    except OverflowError:
        return (dt.datetime.min if moment.year < 5000 else dt.datetime.max).replace(tzinfo=dt.UTC)


class MomentField(forms.DateTimeField):
    """A query parameter that is a moment (parse_moment); 400 with the field's message otherwise."""

    default_error_messages = {
        "invalid": gettext_lazy("Enter a date and time like 2026-11-26T10:00:00+08:00 (a date alone, Z or any "
                                "offset are accepted too)."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        try:
            return parse_moment(str(value))
        except (ValueError, OverflowError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class MomentFilter(django_filters.IsoDateTimeFilter):
    """django-filter's IsoDateTimeFilter, reading the moment with parse_moment (the API's lists and
    exports filter with the same FilterSet, so they accept and refuse the same values)."""

    field_class = MomentField


# --- the middleware --------------------------------------------------------------------------------

BAD_INPUT_MESSAGE = gettext_lazy("The request contains characters that cannot be accepted (NUL, control "
                                 "characters or direction overrides). Remove them and try again.")


def _query_problem(params) -> bool:
    return any(UNSTORABLE.search(text) for name, values in params.lists() for text in (name, *values))


def _form_problem(params) -> bool:
    return any(text_problem(text) for name, values in params.lists() for text in (name, *values))


def _is_api_view(view_func) -> bool:
    # APIView.as_view (and @api_view) mark the view with its class as `cls`; Django's own views do not.
    return isinstance(getattr(view_func, "cls", None), type)


def checks_own_input(view_func):
    """Mark a view that judges its raw input itself and answers in its own format (Open311), as
    csrf_exempt marks one that needs no CSRF token."""
    view_func.checks_own_input = True
    return view_func


class InputGuardMiddleware:
    """Refuses, before the view runs, input no view should ever see (see the module's docstring).
    After CsrfViewMiddleware (which reads a page's form first anyway) and AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "checks_own_input", False):
            return None
        api = _is_api_view(view_func)
        if CONTROL.search(request.path_info) or UNSTORABLE.search(request.path_info):
            if api:  # as the API answers any other unknown object
                return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404,
                                    json_dumps_params={"ensure_ascii": False})
            raise Http404
        if _query_problem(request.GET):
            return self._refuse(request, api)
        if not api and request.method == "POST":
            try:
                post = request.POST
            except Exception:  # an unreadable body: the view (and Django) answer it as before
                return None
            if _form_problem(post):
                return self._refuse(request, api)
        return None

    @staticmethod
    def _refuse(request, api: bool):
        message = str(BAD_INPUT_MESSAGE)
        if api:
            return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(render_to_string("haidian/bad_input.html", {"message": message}, request))
