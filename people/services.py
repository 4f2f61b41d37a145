"""The only writes of who serves where: a membership, the role group and the guardian permission
that go with it, always together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm
from rest_framework.authtoken.models import Token

from haidian import audit
from haidian.errors import InvalidInput
from haidian.permissions import ADMIN_ROLES, SERVE_PERMISSIONS, Role, forget_scope
from people.admin_roles import ADMIN_PERMISSIONS
from people.models import Membership, PasswordState, public_phone_validator

User = get_user_model()
# The guardian permission a membership of each unit field stands for.
FIELD_PERMISSIONS = {field: SERVE_PERMISSIONS[label] for label, field in Membership.UNIT_FIELD_BY_MODEL.items()}


def _unit_field(unit: models.Model) -> str:
    field = Membership.UNIT_FIELD_BY_MODEL.get(unit._meta.label_lower)
    if field is None:
        raise ValueError(f"{unit._meta.verbose_name} is not an organisation unit")
    return field


def _serve_perm(unit: models.Model) -> str:
    return f"{unit._meta.app_label}.{SERVE_PERMISSIONS[unit._meta.label_lower]}"


def roles_ensure() -> None:
    """Create one auth Group per role (idempotent), and give the three administrators' groups exactly the
    model permissions of people.admin_roles.ADMIN_PERMISSIONS."""
    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=role)
        if role in ADMIN_PERMISSIONS:
            group.permissions.set(_model_permissions(ADMIN_PERMISSIONS[role]))


def _model_permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {(perm.content_type.app_label, perm.codename): perm
             for perm in Permission.objects.filter(codename__in={codename for _app, codename in wanted})
             .select_related("content_type")}
    missing = sorted(".".join(name) for name in wanted - set(found))
    if missing:
        raise LookupError(f"permissions not found (is every app migrated?): {', '.join(missing)}")
    return [found[name] for name in wanted]


def admin_role_check(*, user, role: str, field: str, exclude_pk: int | None = None) -> None:
    """三员分立: an administrator role is held at a district, and no account holds two of them; else
    InvalidInput. `exclude_pk` leaves out the membership being replaced (the admin's change form)."""
    if role not in ADMIN_ROLES:
        return
    if field != "district":
        raise InvalidInput({"role": [_("The administrator roles are held at the district.")]})
    others = Membership.objects.filter(user=user, role__in=ADMIN_ROLES).exclude(role=role)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    held = others.values_list("role", flat=True).first()
    if held is not None:
        raise InvalidInput({"role": [_("%(user)s is already the %(role)s: no account may hold two of the "
                                       "administrator roles.") % {"user": user, "role": Role(held).label}]})


def _lock_accounts(user_ids) -> None:
    """Lock the accounts' rows until the transaction ends: two grants of different administrator roles to
    one person, at the same time, would each find the other not there yet and both succeed."""
    list(User.objects.select_for_update().filter(pk__in=sorted(user_ids)).values_list("pk", flat=True))


def _check(role: str, field: str, public_phone: str) -> None:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    if role == Role.SUNK_STAFF and field != "grid":
        raise ValueError("staff are sunk to grids only")
    if public_phone:
        try:
            public_phone_validator(public_phone)
        except ValidationError as error:
            raise InvalidInput({"public_phone": error.messages}) from None


@transaction.atomic
def membership_grant(*, user, role: str, unit: models.Model, title: str = "", duty: str = "",
                     public_phone: str = "") -> Membership:
    """Make `user` a member of `unit` with `role`: the record, the role group and the permission.

    `duty` and `public_phone` are what a grid's public roster shows of a grid worker or of staff
    sunk to the grid (Role.SUNK_STAFF, a grid only). Granting a membership the person already has
    changes nothing (its title, duty and phone stay as they are)."""
    field = _unit_field(unit)
    _check(role, field, public_phone)
    if role in ADMIN_ROLES:
        _lock_accounts([user.pk])
        admin_role_check(user=user, role=role, field=field)
    membership, _created = Membership.objects.get_or_create(
        user=user, role=role, **{field: unit}, defaults={"title": title, "duty": duty, "public_phone": public_phone}
    )
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    assign_perm(_serve_perm(unit), user, unit)
    if role in ADMIN_ROLES and not user.is_staff:
        user.is_staff = True  # the administrators work in the admin
        user.save(update_fields=["is_staff"])
    forget_scope(user)
    return membership


@dataclass(frozen=True)
class Grant:
    """One membership for `memberships_grant`: the arguments of `membership_grant`."""

    user: object
    role: str
    unit: models.Model
    title: str = ""
    duty: str = ""
    public_phone: str = ""


@transaction.atomic
def memberships_grant(*, grants: Iterable[Grant]) -> int:
    """`membership_grant` for many memberships at once (seeding, imports): the same records, role
    groups and permissions, written in a few queries whatever their number (a demo street's sunk
    staff are thousands of grid memberships). Memberships that exist already are left as they are.
    Returns how many memberships were asked for."""
    grants = list(grants)
    for grant in grants:
        _check(grant.role, _unit_field(grant.unit), grant.public_phone)
    if not grants:
        return 0
    _admin_roles_check_all(grants)
    Membership.objects.bulk_create(
        [Membership(user=grant.user, role=grant.role, title=grant.title, duty=grant.duty,
                    public_phone=grant.public_phone, **{_unit_field(grant.unit): grant.unit}) for grant in grants],
        ignore_conflicts=True, batch_size=2000,
    )
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in {grant.role for grant in grants}}
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user_id, group_id=groups[role].pk)
         for user_id, role in {(grant.user.pk, grant.role) for grant in grants}],
        ignore_conflicts=True, batch_size=2000,
    )
    kinds = {type(grant.unit) for grant in grants}
    content_types = ContentType.objects.get_for_models(*kinds)
    permissions = {model: Permission.objects.get(content_type=content_types[model],
                                                 codename=SERVE_PERMISSIONS[model._meta.label_lower])
                   for model in kinds}
    UserObjectPermission.objects.bulk_create(
        [UserObjectPermission(user_id=user_id, permission=permissions[model], content_type=content_types[model],
                              object_pk=str(unit_pk))
         for user_id, model, unit_pk in {(grant.user.pk, type(grant.unit), grant.unit.pk) for grant in grants}],
        ignore_conflicts=True, batch_size=2000,
    )
    for grant in grants:
        forget_scope(grant.user)
    # bulk_create sends no post_save: one audit row stands for the batch (the demo's seeding).
    audit.record(audit.Action.ROLE_GRANTED, object_type=Membership._meta.label_lower,
                 object_repr=f"{len(grants)} × membership (bulk)",
                 data={"bulk": True, "asked": len(grants), "roles": dict(Counter(grant.role for grant in grants))})
    return len(grants)


def _admin_roles_check_all(grants: list[Grant]) -> None:
    """admin_role_check for a batch: held at a district, and one administrator role per account counting
    the batch and what each person holds already. Makes their holders staff."""
    asked: dict[object, set[str]] = {}
    for grant in grants:
        if grant.role in ADMIN_ROLES:
            if _unit_field(grant.unit) != "district":
                raise InvalidInput({"role": [_("The administrator roles are held at the district.")]})
            asked.setdefault(grant.user, set()).add(grant.role)
    if not asked:
        return
    _lock_accounts([user.pk for user in asked])
    for user, roles in asked.items():
        if len(roles) > 1:
            raise InvalidInput({"role": [_("%(user)s would hold two of the administrator roles: no account may.")
                                         % {"user": user}]})
        admin_role_check(user=user, role=next(iter(roles)), field="district")
    for user in asked:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    """End a membership; the permission on the unit goes unless another role keeps it, the role group
    unless another membership has that role."""
    user, unit, role = membership.user, membership.unit, membership.role
    field = _unit_field(unit)
    membership.delete()
    if not Membership.objects.filter(user=user, **{field: unit}).exists():
        remove_perm(_serve_perm(unit), user, unit)
    if not Membership.objects.filter(user=user, role=role).exists():
        user.groups.remove(Group.objects.get(name=role))
    if (role in ADMIN_ROLES and not user.is_superuser
            and not Membership.objects.filter(user=user, role__in=ADMIN_ROLES).exists()):
        user.is_staff = False  # no administrator role left: out of the admin
        user.save(update_fields=["is_staff"])
    forget_scope(user)


# --- passwords (身份鉴别) ---------------------------------------------------------------------------------

@transaction.atomic
def password_set_by_administrator(*, user) -> None:
    """An administrator set `user`'s password (the admin's add form or its set-password page): its owner
    must choose their own at the next login, and the API tokens issued under the old one end."""
    PasswordState.objects.update_or_create(
        user=user, defaults={"must_change": True, "set_by_administrator_at": timezone.now()})
    Token.objects.filter(user=user).delete()


def password_changed_by_owner(*, user) -> None:
    """`user` chose their own password: nothing more is asked of them."""
    PasswordState.objects.update_or_create(user=user, defaults={"must_change": False, "changed_at": timezone.now()})


# --- keeping the mirror honest -----------------------------------------------------------------------

@dataclass(frozen=True)
class Disagreement:
    username: str
    problem: str

    def __str__(self) -> str:
        return f"{self.username}: {self.problem}"


def _expected(user_ids=None) -> tuple[dict[int, set[tuple[str, str]]], dict[int, set[str]]]:
    """From the memberships: each person's (permission codename, unit pk) and role groups."""
    perms: dict[int, set[tuple[str, str]]] = {}
    groups: dict[int, set[str]] = {}
    rows = Membership.objects.all() if user_ids is None else Membership.objects.filter(user_id__in=user_ids)
    for user_id, role, *units in rows.values_list("user_id", "role", *Membership.UNIT_FIELDS):
        for field, unit_id in zip(Membership.UNIT_FIELDS, units, strict=True):
            if unit_id is not None:
                perms.setdefault(user_id, set()).add((FIELD_PERMISSIONS[field], str(unit_id)))
        groups.setdefault(user_id, set()).add(role)
    return perms, groups


def _actual(user_ids=None) -> tuple[dict[int, set[tuple[str, str]]], dict[int, set[str]]]:
    """What guardian and the auth groups say."""
    perms: dict[int, set[tuple[str, str]]] = {}
    groups: dict[int, set[str]] = {}
    serve = UserObjectPermission.objects.filter(permission__codename__in=list(SERVE_PERMISSIONS.values()))
    held = User.groups.through.objects.filter(group__name__in=Role.values)
    if user_ids is not None:
        serve, held = serve.filter(user_id__in=user_ids), held.filter(user_id__in=user_ids)
    for user_id, codename, object_pk in serve.values_list("user_id", "permission__codename", "object_pk"):
        perms.setdefault(user_id, set()).add((codename, str(object_pk)))
    for user_id, name in held.values_list("user_id", "group__name"):
        groups.setdefault(user_id, set()).add(name)
    return perms, groups


def scope_disagreements(*, user_ids=None) -> list[Disagreement]:
    """Everyone whose guardian permissions or role groups say something their memberships do not."""
    expected_perms, expected_groups = _expected(user_ids)
    actual_perms, actual_groups = _actual(user_ids)
    people = set(expected_perms) | set(actual_perms) | set(expected_groups) | set(actual_groups)
    names = dict(User.objects.filter(pk__in=people).values_list("pk", "username"))
    found = []
    for user_id in sorted(people, key=lambda pk: names.get(pk, "")):
        name = names.get(user_id, str(user_id))
        want, have = expected_perms.get(user_id, set()), actual_perms.get(user_id, set())
        found += [Disagreement(name, f"permission {codename} on #{pk} without a membership")
                  for codename, pk in sorted(have - want)]
        found += [Disagreement(name, f"membership without permission {codename} on #{pk}")
                  for codename, pk in sorted(want - have)]
        want, have = expected_groups.get(user_id, set()), actual_groups.get(user_id, set())
        found += [Disagreement(name, f"role group {role} without a membership") for role in sorted(have - want)]
        found += [Disagreement(name, f"membership without role group {role}") for role in sorted(want - have)]
    return found


@transaction.atomic
def scope_repair() -> int:
    """Rewrite every person's permissions and role groups from their memberships; returns how many
    people were changed."""
    changed = {d.username for d in scope_disagreements()}
    if not changed:
        return 0
    users = list(User.objects.filter(username__in=changed))
    UserObjectPermission.objects.filter(user__in=users,
                                        permission__codename__in=list(SERVE_PERMISSIONS.values())).delete()
    User.groups.through.objects.filter(user__in=users, group__name__in=Role.values).delete()
    for membership in Membership.objects.filter(user__in=users).select_related("user", *Membership.UNIT_FIELDS):
        membership_grant(user=membership.user, role=membership.role, unit=membership.unit)
    return len(users)
