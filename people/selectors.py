"""Who holds which role where: the role predicates every app asks, read from the permission gate's
one reading of the person's memberships (`haidian.permissions.scope_for`: one query per request).

A superuser holds every role everywhere (they may act on anything), though they serve nowhere: their
scope is everything, and they get no workplace pages of their own.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agencies.models import Agency, Department, District, Street
from grids.models import Community, GridCell
from haidian.errors import ActionForbidden
from haidian.permissions import ADMIN_ROLES, Held, Role, membership_source, scope_for
from people.models import Membership, PasswordState

UNIT_MODELS = {"district": District, "department": Department, "street": Street, "agency": Agency,
               "community": Community, "grid": GridCell}


@membership_source
def _memberships_of(user) -> list[Held]:
    """Every membership of `user` with its unit's code and name, in one query (the gate's source)."""
    rows = (Membership.objects.filter(user=user).select_related(*Membership.UNIT_FIELDS)
            .defer("grid__boundary").order_by("id"))
    return [Held(membership.role, membership.unit_field, membership.unit.pk,
                 f"{membership.unit.code} {membership.unit}") for membership in rows]


def memberships(user) -> tuple[Held, ...]:
    """(role, unit field, unit id, "code name") of every membership: the request's one reading."""
    if user is None or not user.is_authenticated:
        return ()
    return scope_for(user).memberships


def holds(user, role: str, field: str | None = None, unit_id: int | None = None) -> bool:
    """Whether `user` holds `role` (in the unit `field` = `unit_id`, when given). A superuser holds
    every role everywhere."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or scope_for(user).serves(role, field, unit_id)


def unit_ids(user, role: str, field: str) -> list[int]:
    """The units of kind `field` (street, department, …) in which `user` holds `role`; for a
    superuser, every unit of that kind (as `holds`)."""
    if user is None or not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(UNIT_MODELS[field].objects.order_by("pk").values_list("pk", flat=True))
    return [held.unit_id for held in memberships(user) if held.role == role and held.field == field]


def staff_streets(*, user) -> QuerySet[Street]:
    """The streets whose sub-center the user works in (a superuser: every street, as `holds`)."""
    if user.is_authenticated and user.is_superuser:
        return Street.objects.order_by("code")
    return Street.objects.filter(pk__in=unit_ids(user, Role.STREET_STAFF, "street")).order_by("code")


def acting_as(user, role: str, field: str, unit_id: int | None = None, *, refusal: str) -> str:
    """The seat a service step needs: `user` must hold `role` in the unit `field` = `unit_id` (in any
    unit of that kind when `unit_id` is None), else ActionForbidden(refusal), a 403. Returns what the
    step's event records as the acting unit: the membership's "code name" ("superuser" for a superuser
    acting without one)."""
    if not holds(user, role, field if unit_id is not None else None, unit_id):
        raise ActionForbidden(str(refusal))
    for held in memberships(user):
        if held.role == role and held.field == field and unit_id in (None, held.unit_id):
            return held.label
    return "superuser"


# --- who to tell: the people of a unit, as user ids ---------------------------------------------

AGENCY_ROLES = (Role.AGENCY_HEAD, Role.AGENCY_STAFF)


def people_ids(rule: Q) -> list[int]:
    """The users whose memberships match `rule`, each once, in id order."""
    return list(Membership.objects.filter(rule).values_list("user_id", flat=True).order_by("user_id").distinct())


def handler_rule(*, agency_id: int | None, department_id: int | None) -> Q:
    """Who answers for an agency (its head and staff) or a department (its administrators)."""
    if agency_id:
        return Q(agency_id=agency_id, role__in=AGENCY_ROLES)
    return Q(department_id=department_id, role=Role.DEPARTMENT_ADMIN)


def handler_ids(*, agency_id: int | None, department_id: int | None) -> list[int]:
    return people_ids(handler_rule(agency_id=agency_id, department_id=department_id))


def street_staff_ids(street_id: int) -> list[int]:
    return people_ids(Q(role=Role.STREET_STAFF, street_id=street_id))


def command_ids(district_id: int) -> list[int]:
    """The district command center's people (区社会服务管理监督和应急指挥中心)."""
    return people_ids(Q(role=Role.DISTRICT_COMMAND, district_id=district_id))


# --- identity (身份鉴别, 三员分立) ------------------------------------------------------------------------

def password_change_required(user) -> bool:
    """Whether an administrator set `user`'s password and they have not chosen their own since."""
    return PasswordState.objects.filter(user=user, must_change=True).exists()


def admin_role_of(user) -> str | None:
    """The administrator role `user` holds (system, security or audit; one at most), from the database
    (not the request's cached scope: the admin asks about other people too)."""
    return (Membership.objects.filter(user=user, role__in=ADMIN_ROLES).values_list("role", flat=True)
            .order_by("role").first())
