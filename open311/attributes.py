"""Service definition attributes (GeoReport v2 "GET Service Definition"): the extra questions a
category asks of a report, kept as JSON on `ServiceDefinition.attributes`, and the check of the
`attribute[code]` answers a POST brings.

One attribute, as the specification writes it:

    {"variable": true, "code": "SIZE", "datatype": "singlevaluelist", "required": true,
     "datatype_description": "", "order": 1, "description": "How large is the pothole?",
     "values": [{"key": "S", "name": "smaller than a plate"}, {"key": "L", "name": "larger"}]}

`values` only for singlevaluelist / multivaluelist. `variable: false` marks a text shown to the
reporter that asks for no input.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from django.utils.translation import gettext as _

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
MAX_ANSWER_LENGTH = 1000
FIELDS = ("variable", "code", "datatype", "required", "datatype_description", "order", "description", "values")


def definition_problems(attributes) -> list[str]:
    """What is wrong with an attributes list an administrator entered; empty when it is usable."""
    if not isinstance(attributes, list):
        return [_("The attributes must be a JSON list of attribute objects.")]
    problems, codes, orders = [], set(), set()
    for number, attribute in enumerate(attributes, start=1):
        where = _("Attribute %(number)s") % {"number": number}
        if not isinstance(attribute, dict):
            problems.append(_("%(where)s is not an object.") % {"where": where})
            continue
        unknown = sorted(set(attribute) - set(FIELDS))
        if unknown:
            problems.append(_("%(where)s has unknown fields: %(fields)s.")
                            % {"where": where, "fields": ", ".join(unknown)})
        code = attribute.get("code")
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            problems.append(_("%(where)s needs a code of letters, digits, _ or - (at most 50).") % {"where": where})
        elif code in codes:
            problems.append(_("%(where)s repeats the code %(code)s.") % {"where": where, "code": code})
        else:
            codes.add(code)
        datatype = attribute.get("datatype")
        if datatype not in DATATYPES:
            problems.append(_("%(where)s needs a datatype, one of %(datatypes)s.")
                            % {"where": where, "datatypes": ", ".join(DATATYPES)})
        for flag in ("variable", "required"):
            if not isinstance(attribute.get(flag), bool):
                problems.append(_("%(where)s needs %(field)s: true or false.") % {"where": where, "field": flag})
        order = attribute.get("order")
        if not isinstance(order, int) or isinstance(order, bool) or order < 1:
            problems.append(_("%(where)s needs an order: a positive whole number.") % {"where": where})
        elif order in orders:
            problems.append(_("%(where)s repeats the order %(order)s.") % {"where": where, "order": order})
        else:
            orders.add(order)
        for text in ("description", "datatype_description"):
            if not isinstance(attribute.get(text, ""), str):
                problems.append(_("%(where)s: %(field)s must be text.") % {"where": where, "field": text})
        if not attribute.get("description"):
            problems.append(_("%(where)s needs a description (the question shown to the reporter).") % {"where": where})
        values = attribute.get("values")
        if datatype in LIST_DATATYPES:
            if not isinstance(values, list) or not values or not all(
                isinstance(v, dict) and set(v) == {"key", "name"} and isinstance(v["key"], str | int)
                and not isinstance(v["key"], bool) and str(v["key"]) and isinstance(v["name"], str) and v["name"]
                for v in values
            ):
                problems.append(_("%(where)s is a list: it needs values, each with a key and a name.")
                                % {"where": where})
            elif len({str(v["key"]) for v in values}) != len(values):
                problems.append(_("%(where)s repeats a value key.") % {"where": where})
        elif values is not None:
            problems.append(_("%(where)s: only singlevaluelist and multivaluelist have values.") % {"where": where})
    return problems


def ordered(attributes: list[dict]) -> list[dict]:
    return sorted(attributes, key=lambda attribute: attribute["order"])


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _datetime(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def check_answers(attributes: list[dict], answers: dict[str, list[str]]) -> tuple[dict, list[str]]:
    """The POST's `attribute[code]` answers against the definition: (clean answers, problems).

    A multivaluelist answer is a list of keys; every other answer one string. Answers to
    attributes that take no input (`variable: false`) are dropped."""
    by_code = {attribute["code"]: attribute for attribute in attributes}
    clean, problems = {}, []
    for code in answers:
        if code not in by_code:
            problems.append(_("This service has no attribute %(code)s.") % {"code": code})
    for attribute in ordered(attributes):
        if not attribute["variable"]:
            continue
        code, datatype = attribute["code"], attribute["datatype"]
        given = [value.strip() for value in answers.get(code, []) if value.strip()]
        if not given:
            if attribute["required"]:
                problems.append(_("attribute[%(code)s] is required: %(question)s")
                                % {"code": code, "question": attribute["description"]})
            continue
        if any(len(value) > MAX_ANSWER_LENGTH for value in given):
            problems.append(_("attribute[%(code)s] is longer than %(limit)s characters.")
                            % {"code": code, "limit": MAX_ANSWER_LENGTH})
            continue
        if datatype != "multivaluelist" and len(given) > 1:
            problems.append(_("attribute[%(code)s] takes one value.") % {"code": code})
            continue
        if datatype in LIST_DATATYPES:
            keys = {str(value["key"]) for value in attribute["values"]}
            wrong = [value for value in given if value not in keys]
            if wrong:
                problems.append(_("attribute[%(code)s] must be one of %(keys)s, not %(wrong)s.")
                                % {"code": code, "keys": ", ".join(sorted(keys)), "wrong": ", ".join(wrong)})
                continue
            clean[code] = list(dict.fromkeys(given)) if datatype == "multivaluelist" else given[0]
        elif datatype == "number" and _number(given[0]) is None:
            problems.append(_("attribute[%(code)s] must be a number.") % {"code": code})
        elif datatype == "datetime" and not _datetime(given[0]):
            problems.append(_("attribute[%(code)s] must be a date and time like 2026-11-26T10:00:00+08:00.")
                            % {"code": code})
        elif datatype == "string" and ("\n" in given[0] or "\r" in given[0]):
            problems.append(_("attribute[%(code)s] must be one line.") % {"code": code})
        else:
            clean[code] = given[0]
    return clean, problems


def answers_as_text(attributes: list[dict], answers: dict) -> str:
    """The answers as lines for the case's description, so street staff read them with the report."""
    lines = []
    for attribute in ordered(attributes):
        answer = answers.get(attribute["code"])
        if answer is None:
            continue
        names = {str(value["key"]): value["name"] for value in attribute.get("values") or []}
        shown = [names.get(key, key) for key in (answer if isinstance(answer, list) else [answer])]
        lines.append(f"{attribute['description']}: {'、'.join(shown)}")
    return "\n".join(lines)
