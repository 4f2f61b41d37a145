"""Reference data comes from each app in install order.

An app that has reference data provides `<app>/seed.py` with `seed_haidian(out)`; `out(line)` prints
progress. Each function is idempotent. (Demo data is the demo app's: `manage.py seed_demo`.)
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import transaction


def run_seeders(name: str, out: Callable[[str], None]) -> None:
    with transaction.atomic():
        for config in apps.get_app_configs():
            module_name = f"{config.name}.seed"
            if find_spec(module_name) is None:
                continue
            seeder = getattr(import_module(module_name), name, None)
            if seeder is not None:
                seeder(out)
