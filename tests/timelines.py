"""Reading an object's event log as its page shows it, and checking that nobody rewrites it: shared by
the event tests of every machine (haidian.workflow)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.html import parse_html

# A raw change of an event row, which the append-only trigger must refuse.
RAW_CHANGES = ["UPDATE {table} SET note = 'x' WHERE id = %s", "DELETE FROM {table} WHERE id = %s"]


def unit_label(unit) -> str:
    """The acting unit as an event records it: "<code> <name>"."""
    return f"{unit.code} {unit.name}"


def timeline_on(response) -> list[tuple[str, str]]:
    """(step label, who) of each <li> of the page's #timeline, top to bottom."""
    timeline = _element_by_id(parse_html(response.content.decode()), "timeline")
    assert timeline is not None and timeline.name == "ol", "the page shows no #timeline"
    return [(_text(_child(item, "strong")), _text(_child(item, "span"))) for item in _children(timeline, "li")]


def assert_the_database_refuses(event, statement: str) -> None:
    """A raw UPDATE or DELETE of the event (one of RAW_CHANGES) is refused, and the row is as it was."""
    model = type(event)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=model._meta.db_table), [event.pk])
    assert model.objects.get(pk=event.pk).note == event.note


def assert_the_model_refuses_changes(event) -> None:
    """Saving an existing event again, or deleting it through the ORM, is refused."""
    model, note = type(event), event.note
    event.note = "改写历史"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert model.objects.get(pk=event.pk).note == note


def _children(element, name: str) -> list:
    return [child for child in element.children if not isinstance(child, str) and child.name == name]


def _child(element, name: str):
    found = _children(element, name)
    return found[0] if found else None


def _text(element) -> str:
    if element is None:
        return ""
    return " ".join(" ".join(c if isinstance(c, str) else _text(c) for c in element.children).split())


def _element_by_id(element, id_: str):
    if dict(element.attributes).get("id") == id_:
        return element
    for child in element.children:
        if not isinstance(child, str) and (found := _element_by_id(child, id_)) is not None:
            return found
    return None
