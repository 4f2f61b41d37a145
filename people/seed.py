"""The role groups (one auth Group per role), part of the reference data."""

from people.services import roles_ensure


def seed_haidian(out) -> None:
    roles_ensure()
    out("role groups")
