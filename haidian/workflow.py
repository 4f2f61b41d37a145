"""State machines for every object that moves through steps, and who did it.

`SYSTEM` is the actor when nobody signed in acts: the deadline sweep, beat, a data load. It is
passed explicitly; a missing actor (`None`) is a programming error, never a way past the checks.
"""

from __future__ import annotations


class SystemActor:
    """The platform itself acting (sweep, beat, loads): holds no role, serves nowhere, is not a user."""

    pk = None
    id = None
    is_authenticated = False
    is_superuser = False
    is_active = False
    username = "system"

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    if actor is None:
        raise TypeError("actor is required: pass the acting user, or SYSTEM when the platform acts")
    return actor is SYSTEM
