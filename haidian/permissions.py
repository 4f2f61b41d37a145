"""The one permission gate.

Every queryset a user sees goes through `restrict(queryset, user)`. A user's reach is the set of
organisation units they serve in, read once per request from their memberships (the `people` app
registers that source with `membership_source`; haidian knows no app), never one permission row
per case. Each app registers, for each of its models, the rule that turns that reach into a filter.

django-guardian's "serve_<unit>" object permissions mirror the memberships for Django's own
permission checks; only `people.services.membership_grant` / `membership_revoke` write them.

An object outside a user's scope does not exist for them: views answer 404, not 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are auth Groups with these names."""

    DISTRICT_COMMAND = "district_command", _("District command center")
    STREET_STAFF = "street_staff", _("Street sub-center staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    AGENCY_HEAD = "agency_head", _("Agency head")
    AGENCY_STAFF = "agency_staff", _("Agency staff")
    DEPARTMENT_ADMIN = "department_admin", _("Department administrator")
    AUDITOR = "auditor", _("Auditor")
    SURVEY_OPERATOR = "survey_operator", _("Survey operator")
    # 下沉人员: a department's staff member sunk to grids (一人一格 / 一人多格), on each grid's public
    # roster. A place on the roster, not a seat: see ROSTER_ONLY_ROLES.
    SUNK_STAFF = "sunk_staff", _("Staff sunk to grids")
    # 三员分立 (GB/T 22239-2019): the system administrator keeps the organisation and the accounts,
    # the security administrator roles, permissions, lockouts and personal-data requests, the audit
    # administrator reads the audit log and changes nothing. No ordinary account holds two of them
    # (ADMIN_ROLES, checked by people.services.membership_grant).
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# Roles that say where a person serves the public without giving them any reach there. A sunk
# police officer or sanitation worker sees and handles what their agency membership gives them (the
# agency's tasks); their grid memberships only put them on those grids' rosters. Counting them as
# grid seats would show them every case of the grid, and its reporters' phones whole while a case
# waits on site (the rule for a grid's own worker), which the reform gives no department.
ROSTER_ONLY_ROLES = frozenset({Role.SUNK_STAFF})

# The three administrators (三员): separate people, held at the district.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


# The guardian permission that says "this user serves in this unit", per unit model label.
SERVE_PERMISSIONS = {
    "agencies.district": "serve_district",
    "agencies.department": "serve_department",
    "agencies.street": "serve_street",
    "agencies.agency": "serve_agency",
    "grids.community": "serve_community",
    "grids.gridcell": "serve_gridcell",
}


# The field of a membership for each kind of unit, and the scope's ids of that kind.
UNIT_IDS = {
    "district": "district_ids",
    "department": "department_ids",
    "street": "street_ids",
    "agency": "agency_ids",
    "community": "community_ids",
    "grid": "grid_ids",
}


class Held(NamedTuple):
    """One membership as the gate reads it: a role in a unit (`field` = "street", "grid", …)."""

    role: str
    field: str
    unit_id: int
    label: str  # "<code> <name>", recorded on events as the acting unit


@dataclass(frozen=True)
class Scope:
    """Where a user may look, resolved once per request from their memberships.

    The `*_ids` fields are the units the user serves in, as granted. The organisation is seen a
    little wider than that: a department looks at its whole district (`department_district_ids`),
    an agency at the streets it covers (`agency_street_ids`), a community or grid at its street
    (`touched_street_ids`); `member_district_ids` are the districts any of their units lie in.
    Cases are seen through the granted units only (an agency sees the cases it has tasks on).
    """

    everything: bool = False
    user_id: int | None = None
    roles: frozenset[str] = frozenset()
    memberships: tuple[Held, ...] = ()
    district_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()
    street_ids: frozenset[int] = frozenset()
    agency_ids: frozenset[int] = frozenset()
    community_ids: frozenset[int] = frozenset()
    grid_ids: frozenset[int] = frozenset()
    agency_street_ids: frozenset[int] = field(default=frozenset())
    department_district_ids: frozenset[int] = field(default=frozenset())
    touched_street_ids: frozenset[int] = field(default=frozenset())
    member_district_ids: frozenset[int] = field(default=frozenset())

    @property
    def area_district_ids(self) -> frozenset[int]:
        """Districts whose organisation the user sees whole."""
        return self.district_ids | self.department_district_ids

    @property
    def area_street_ids(self) -> frozenset[int]:
        """Streets whose organisation the user sees whole."""
        return self.street_ids | self.agency_street_ids

    def has_role(self, *roles: str) -> bool:
        return self.everything or bool(self.roles.intersection(roles))

    def serves(self, role: str, field: str | None = None, unit_id: int | None = None) -> bool:
        """Whether one of the user's own memberships is `role` (in the unit `field` = `unit_id`, when
        given). Memberships only: a superuser serves nowhere (`people.selectors.holds` lets them act)."""
        return any(held.role == role and (field is None or (held.field == field and held.unit_id == unit_id))
                   for held in self.memberships)


Rule = Callable[[Scope], Q]
_RULES: dict[type[models.Model], Rule] = {}
_SCOPE_BUILDERS: list[Callable[[dict[str, set[int]]], dict[str, set[int]]]] = []
_MEMBERSHIP_SOURCES: list[Callable[[object], Iterable[Held]]] = []


def membership_source(func: Callable[[object], Iterable[Held]]):
    """Register the function that reads a user's memberships (one query): the gate's only source."""
    _MEMBERSHIP_SOURCES[:] = [func]
    return func


def scope_rule(model: type[models.Model]) -> Callable[[Rule], Rule]:
    """Register the filter that limits `model` to a scope (used by each app's selectors)."""

    def register(rule: Rule) -> Rule:
        _RULES[model] = rule
        return rule

    return register


def scope_expander(func):
    """Register a function that widens the raw unit ids (e.g. agencies → the streets they cover)."""
    _SCOPE_BUILDERS.append(func)
    return func


def scope_for(user) -> Scope:
    """The user's scope, computed once and kept on the user object for the request."""
    cached = getattr(user, "_haidian_scope", None)
    if cached is not None:
        return cached
    scope = _build_scope(user)
    if user is not None and getattr(user, "is_authenticated", False):
        user._haidian_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the scope cached on the user after their memberships changed."""
    user.__dict__.pop("_haidian_scope", None)


def _build_scope(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    if not _MEMBERSHIP_SOURCES:
        raise LookupError("no membership source registered (is the people app installed?)")
    held = tuple(_MEMBERSHIP_SOURCES[0](user))
    ids: dict[str, set[int]] = {key: set() for key in UNIT_IDS.values()}
    for membership in held:
        # The administrators (三员) work in the admin: their district membership opens none of its cases.
        if membership.role not in ROSTER_ONLY_ROLES and membership.role not in ADMIN_ROLES:
            ids[UNIT_IDS[membership.field]].add(membership.unit_id)
    ids.update({"agency_street_ids": set(), "department_district_ids": set(), "touched_street_ids": set(),
                "member_district_ids": set()})
    if held:
        for expand in _SCOPE_BUILDERS:
            ids = expand(ids)
    return Scope(user_id=user.pk, roles=frozenset(membership.role for membership in held), memberships=held,
                 **{key: frozenset(value) for key, value in ids.items()})


def restrict(queryset: models.QuerySet, user) -> models.QuerySet:
    """Limit `queryset` to what `user` may see. The only way a scoped read is built."""
    scope = scope_for(user)
    if scope.everything:
        return queryset
    if not (user is not None and user.is_authenticated):
        return queryset.none()
    try:
        rule = _RULES[queryset.model]
    except KeyError:
        raise LookupError(f"no scope rule registered for {queryset.model.__name__}") from None
    return queryset.filter(rule(scope))
