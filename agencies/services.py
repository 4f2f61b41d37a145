"""Writes to the organisation."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from guardian.shortcuts import assign_perm, remove_perm

from agencies.models import Membership
from haidian.permissions import SERVE_PERMISSIONS, Role, forget_scope

User = get_user_model()


def _unit_field(unit: models.Model) -> str:
    field = Membership.UNIT_FIELD_BY_MODEL.get(unit._meta.label_lower)
    if field is None:
        raise ValueError(f"{unit._meta.verbose_name} is not an organisation unit")
    return field


def _serve_perm(unit: models.Model) -> str:
    return f"{unit._meta.app_label}.{SERVE_PERMISSIONS[unit._meta.label_lower]}"


def roles_ensure() -> None:
    """Create one auth Group per role (idempotent)."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)


@transaction.atomic
def membership_grant(*, user, role: str, unit: models.Model, title: str = "") -> Membership:
    """Make `user` a member of `unit` with `role`: the record, the role group and the scope."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    field = _unit_field(unit)
    membership, _created = Membership.objects.get_or_create(
        user=user, role=role, **{field: unit}, defaults={"title": title}
    )
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    assign_perm(_serve_perm(unit), user, unit)
    forget_scope(user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    """End a membership; the scope on the unit goes unless another role keeps it."""
    user, unit, role = membership.user, membership.unit, membership.role
    field = _unit_field(unit)
    membership.delete()
    if not Membership.objects.filter(user=user, **{field: unit}).exists():
        remove_perm(_serve_perm(unit), user, unit)
    if not Membership.objects.filter(user=user, role=role).exists():
        user.groups.remove(Group.objects.get(name=role))
    forget_scope(user)
