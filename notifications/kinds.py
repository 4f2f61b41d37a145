"""The kinds of notification: each app registers its own (a TextChoices class) when it is ready.

The notification's `kind` column takes its choices from here, so the admin and the API know every
kind without this app knowing the apps that send them.
"""

from __future__ import annotations

from django.db import models

_REGISTERED: dict[str, type[models.TextChoices]] = {}


def register(kinds: type[models.TextChoices]) -> type[models.TextChoices]:
    """Register an app's notification kinds (usable as a class decorator); a code is one app's only."""
    for code in kinds.values:
        owner = next((name for name, other in _REGISTERED.items() if code in other.values and other is not kinds),
                     None)
        if owner is not None:
            raise ValueError(f"notification kind {code!r} is already {owner}'s")
    _REGISTERED[f"{kinds.__module__}.{kinds.__qualname__}"] = kinds
    return kinds


def choices() -> list[tuple[str, str]]:
    """Every registered kind as (code, label), for the model field's choices."""
    return [choice for kinds in _REGISTERED.values() for choice in kinds.choices]
