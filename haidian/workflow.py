"""One way to move an object through its steps, and the record that it moved.

A `Machine` is an object's table of moves (step → {from status: to status}: a step not listed for
the current status is a 409) and its append-only event table (a subclass of `haidian.models.Event`).
A service takes a step like this:

    letter = LETTERS.lock(letter)                          # row lock: a second person waits, then sees
    LETTERS.move(letter, "answer", actor=actor, unit=unit,  # checks the move (409), saves the status and
                 at=now, changes={"answer": text})         # the changes, writes one event row

`SYSTEM` is the actor when nobody signed in acts (the deadline sweep, beat, imports), and `PUBLIC`
a member of the public without an account; both are passed explicitly: a missing actor (`None`) is
a programming error (TypeError), never a way past the checks.

A unique key that two people race for (a work-order number, a budget year, a round's period)
answers 409 through `unique_or_conflict`, not a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, migrations, models, transaction

from haidian.errors import ActionConflict


class _Actor:
    """Someone who is not a signed-in user: holds no role, serves nowhere, is recorded by name only."""

    pk = None
    id = None
    is_authenticated = False
    is_anonymous = True
    is_superuser = False
    is_active = False

    def __init__(self, name: str, unit: str):
        self.username, self.unit = name, unit

    def __repr__(self) -> str:
        return self.username.upper()

    def __str__(self) -> str:
        return self.username


SYSTEM = _Actor("system", "system")  # the platform itself: sweep, beat, imports, commands
PUBLIC = _Actor("public", "")  # a resident without an account (public pages, Open311, rating links)


def require_actor(actor) -> None:
    if actor is None:
        raise TypeError("actor is required: the acting user, SYSTEM or PUBLIC")


def is_system(actor) -> bool:
    require_actor(actor)
    return actor is SYSTEM


def user_or_none(actor):
    """The user to store in an actor column: nobody for SYSTEM, PUBLIC or an anonymous request."""
    require_actor(actor)
    return actor if getattr(actor, "is_authenticated", False) else None


@dataclass(frozen=True)
class Machine:
    """An object's steps: `moves` is step → {from status: to status}; `events` its event table (its
    foreign key to the object is `events.SUBJECT`). `refusal` is the 409's text, a template with %(step)s (also
    %(action)s: the step's verb from `step_verbs`, else its code) and %(status)s, or a function
    (object, step verb, status label) → text. `step_labels` name the steps on the timeline."""

    model: type[models.Model]
    moves: Mapping[str, Mapping[str, str]]
    events: type[models.Model]
    refusal: str | Callable[[models.Model | None, str, str], str]
    step_labels: Mapping[str, str] = field(default_factory=dict)
    step_verbs: Mapping[str, str] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    status_field: str = "status"

    @property
    def subject(self) -> str:
        return self.events.SUBJECT

    def allows(self, obj, step: str) -> bool:
        return getattr(obj, self.status_field) in self.moves[step]

    def steps_open(self, obj, steps: Iterable[str]) -> set[str]:
        """Of `steps`, those the object's status allows now."""
        return {step for step in steps if self.allows(obj, step)}

    def label(self, step: str) -> str:
        return str(self.step_labels.get(step, step))

    def status_label(self, status: str) -> str:
        return str(dict(self.model._meta.get_field(self.status_field).choices).get(status, status))

    def target(self, step: str, current: str, obj=None) -> str:
        """The status `step` leads to from `current`, or ActionConflict (409) saying why not."""
        try:
            return self.moves[step][current]
        except KeyError:
            step_label, status_label = str(self.step_verbs.get(step, step)), self.status_label(current)
            if callable(self.refusal):
                message = self.refusal(obj, step_label, status_label)
            else:
                message = str(self.refusal) % {"step": step_label, "action": step_label, "status": status_label}
            raise ActionConflict(message) from None

    def next_status(self, obj, step: str) -> str:
        return self.target(step, getattr(obj, self.status_field), obj)

    def lock(self, obj):
        """The object's row, locked to the end of the transaction (the caller's @transaction.atomic):
        two people taking a step at once are served one after the other, the second seeing the first's."""
        return (self.model.objects.select_for_update(of=("self",)).select_related(*self.related)
                .get(pk=obj.pk))

    def move(self, obj, step: str, *, actor, at: dt.datetime, unit: str = "", note: str = "",
             data: dict | None = None, changes: Mapping[str, object] | None = None, **event_fields):
        """Take `step` on a locked object: check the move, set the new status and `changes`, save only
        those columns, write the event. Returns the event."""
        from_status = getattr(obj, self.status_field)
        to_status = self.next_status(obj, step)
        setattr(obj, self.status_field, to_status)
        for name, value in (changes or {}).items():
            setattr(obj, name, value)
        obj.save(update_fields=[self.status_field, *(changes or {})])
        return self.record(obj, step, actor=actor, at=at, unit=unit, from_status=from_status,
                           to_status=to_status, note=note, data=data, **event_fields)

    def record(self, obj, step: str, *, actor, at: dt.datetime, unit: str = "", from_status: str = "",
               to_status: str | None = None, note: str = "", data: dict | None = None, **event_fields):
        """Write the event of a step (for a creation, from "" to the object's first status)."""
        require_actor(actor)
        return self.events.objects.create(
            **{self.subject: obj}, action=step, actor=user_or_none(actor),
            actor_unit=unit or getattr(actor, "unit", ""), at=at, from_status=from_status,
            to_status=getattr(obj, self.status_field) if to_status is None else to_status,
            note=note, data=data or {}, **event_fields)

    def timeline(self, obj, statuses: Mapping[str, str] | None = None) -> list[dict]:
        """The object's events, oldest first, ready for templates/_timeline.html."""
        statuses = statuses or dict(self.model._meta.get_field(self.status_field).choices)
        events = self.events.objects.filter(**{self.subject: obj}).select_related("actor").order_by("at", "id")
        return timeline_items(events, self.label, statuses)


def timeline_items(events, label: Callable[[str], str], statuses: Mapping[str, str]) -> list[dict]:
    return [{"event": event, "label": label(event.action),
             "to_label": statuses.get(event.to_status, "") if event.to_status != event.from_status else ""}
            for event in events]


@contextmanager
def unique_or_conflict(message: str, constraint: str):
    """Inside: an insert guarded by the unique constraint named `constraint`. A concurrent duplicate
    it refuses becomes ActionConflict(message) — a 409 — instead of a 500; a savepoint keeps the
    caller's transaction usable. Any other integrity error is raised."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        text = str(exc)
        if constraint in text or "UNIQUE constraint failed" in text:  # SQLite names the columns instead
            raise ActionConflict(message) from None
        raise


# --- migrations ----------------------------------------------------------------------------------

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION haidian_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only (% on row %)', TG_TABLE_NAME, TG_OP, OLD.id;
END
$$ LANGUAGE plpgsql;
"""


def append_only(table: str) -> migrations.RunPython:
    """A migration operation: on PostgreSQL the database itself refuses UPDATE and DELETE on `table`."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(APPEND_ONLY_FUNCTION, params=None)
            schema_editor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                                  "FOR EACH ROW EXECUTE FUNCTION haidian_append_only()", params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", params=None)

    return migrations.RunPython(forwards, backwards)
