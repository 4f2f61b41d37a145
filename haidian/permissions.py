"""The one permission gate.

Every queryset a user sees goes through `restrict(queryset, user)`. A user's reach is the set of
organisation units they serve in, stored as django-guardian object permissions ("serve_<unit>")
on District, Department, Street, Agency, Community and GridCell rows — never one permission row per
case. Each app registers, for each of its models, the rule that turns that reach into a filter;
`haidian` itself knows no app (imports point one way).

An object outside a user's scope does not exist for them: views answer 404, not 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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


# The guardian permission that says "this user serves in this unit", per unit model label.
SERVE_PERMISSIONS = {
    "agencies.district": "serve_district",
    "agencies.department": "serve_department",
    "agencies.street": "serve_street",
    "agencies.agency": "serve_agency",
    "grids.community": "serve_community",
    "grids.gridcell": "serve_gridcell",
}


@dataclass(frozen=True)
class Scope:
    """Where a user may look, resolved once per request from their guardian permissions.

    The `*_ids` fields are the units the user serves in, as granted. The organisation is seen a
    little wider than that: a department looks at its whole district (`department_district_ids`),
    an agency at the streets it covers (`agency_street_ids`), a community or grid at its street
    (`touched_street_ids`); `member_district_ids` are the districts any of their units lie in.
    Cases are seen through the granted units only (an agency sees the cases it has tasks on).
    """

    everything: bool = False
    user_id: int | None = None
    roles: frozenset[str] = frozenset()
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


Rule = Callable[[Scope], Q]
_RULES: dict[type[models.Model], Rule] = {}
_SCOPE_BUILDERS: list[Callable[[dict[str, set[int]]], dict[str, set[int]]]] = []


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
    """Drop what is cached on the user about their units (scope, memberships) after they changed."""
    user.__dict__.pop("_haidian_scope", None)
    user.__dict__.pop("_haidian_memberships", None)


def _build_scope(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    from guardian.models import UserObjectPermission

    raw: dict[str, set[int]] = {codename: set() for codename in SERVE_PERMISSIONS.values()}
    rows = UserObjectPermission.objects.filter(
        user=user, permission__codename__in=list(SERVE_PERMISSIONS.values())
    ).values_list("permission__codename", "object_pk")
    for codename, object_pk in rows:
        raw[codename].add(int(object_pk))
    ids = {
        "district_ids": raw["serve_district"],
        "department_ids": raw["serve_department"],
        "street_ids": raw["serve_street"],
        "agency_ids": raw["serve_agency"],
        "community_ids": raw["serve_community"],
        "grid_ids": raw["serve_gridcell"],
        "agency_street_ids": set(),
        "department_district_ids": set(),
        "touched_street_ids": set(),
        "member_district_ids": set(),
    }
    if any(ids.values()):
        for expand in _SCOPE_BUILDERS:
            ids = expand(ids)
    roles = frozenset(user.groups.values_list("name", flat=True))
    return Scope(user_id=user.pk, roles=roles, **{key: frozenset(value) for key, value in ids.items()})


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
