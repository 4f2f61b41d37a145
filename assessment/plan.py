"""Who rates whom in a round (the reform's 双向评价), and who fills each rater's forms.

Downward:  district → its streets and its departments; department → its agencies; street → its
           communities, the grid workers of its grids, and the executive deputy of each
           urban-management squad serving it (the deputy's result rests at least half on this
           rating); the squad's department (the district's 城管大队) → the same deputies (the rest of
           their result); the street → its co-managers held centrally, the community → the
           co-managers sunk to its grids (协管员绩效考核).
Upward:    grid worker → their street; community → its street; street → the agencies serving it;
           community and grid worker → the agencies serving their street (the reform's focus:
           "街、镇、社区(村)网格对专业部门及其派驻机构履职情况的考核评价"); agency → its department;
           street → the district's departments.
Oversight: each street's supervision committee (地区民主管理和监督委员会, supervision.selectors) → the
           street and the agencies serving it.

A squad's executive deputy (执行副队长) is the person holding the agency-head role in an
urban-management squad (城管分队): the squad is led in the street by that person.

Each pair appears once: the plan is a set, and the table has a unique constraint on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from agencies.models import Agency, Department, District, Street
from assessment.models import Direction, UnitKind
from comanagers.models import CoManager, Deployment
from grids.models import Community
from haidian.permissions import Role
from people.models import Membership
from people.selectors import memberships
from supervision import selectors as supervision

K = UnitKind

# Which membership fills the forms of each kind of rater (a grid worker fills their own).
RATER_ROLES = {
    K.DISTRICT: (Role.DISTRICT_COMMAND, "district"),
    K.DEPARTMENT: (Role.DEPARTMENT_ADMIN, "department"),
    K.STREET: (Role.STREET_STAFF, "street"),
    K.AGENCY: (Role.AGENCY_HEAD, "agency"),
    K.COMMUNITY: (Role.COMMUNITY_STAFF, "community"),
}


@dataclass(frozen=True)
class Pair:
    direction: str
    rater_kind: str
    rater_id: int
    ratee_kind: str
    ratee_id: int


def _person_name(user) -> str:
    return user.get_full_name() or user.username


def names() -> dict[tuple[str, int], str]:
    """The display name of every unit and assessed person, read in a few queries."""
    result: dict[tuple[str, int], str] = {}
    for kind, model in ((K.DISTRICT, District), (K.DEPARTMENT, Department), (K.STREET, Street),
                        (K.AGENCY, Agency), (K.COMMUNITY, Community)):
        result.update({(kind, pk): name for pk, name in model.objects.values_list("pk", "name")})
    people = get_user_model().objects.filter(memberships__role__in=[Role.GRID_WORKER, Role.AGENCY_HEAD]).distinct()
    for user in people:
        result[(K.GRID_WORKER, user.pk)] = result[(K.SQUAD_DEPUTY, user.pk)] = _person_name(user)
    result.update({(K.CO_MANAGER, pk): name for pk, name in CoManager.objects.values_list("pk", "name")})
    result.update({(K.OVERSIGHT, pk): name for pk, name in supervision.body_names().items()})
    return result


def codes() -> dict[tuple[str, int], str]:
    """Each unit's code (a person's username), for exports and imports."""
    result: dict[tuple[str, int], str] = {}
    for kind, model in ((K.DISTRICT, District), (K.DEPARTMENT, Department), (K.STREET, Street),
                        (K.AGENCY, Agency), (K.COMMUNITY, Community)):
        result.update({(kind, pk): code for pk, code in model.objects.values_list("pk", "code")})
    for pk, username in get_user_model().objects.filter(
            memberships__role__in=[Role.GRID_WORKER, Role.AGENCY_HEAD]).values_list("pk", "username").distinct():
        result[(K.GRID_WORKER, pk)] = result[(K.SQUAD_DEPUTY, pk)] = username
    result.update({(K.CO_MANAGER, pk): f"XG{pk}" for pk in CoManager.objects.values_list("pk", flat=True)})
    result.update({(K.OVERSIGHT, pk): f"JD{pk}" for pk in supervision.body_names()})
    return result


def grid_worker_streets() -> set[tuple[int, int]]:
    """(user id, street id) for every grid worker and each street their grids lie in."""
    return set(Membership.objects.filter(role=Role.GRID_WORKER, grid__isnull=False)
               .values_list("user_id", "grid__community__street_id").distinct())


def squad_deputies() -> set[tuple[int, int, int]]:
    """(user id, squad agency id, street id) for each urban-management squad's deputy and street served."""
    return set(Membership.objects.filter(role=Role.AGENCY_HEAD, agency__kind=Agency.Kind.URBAN_MANAGEMENT_SQUAD)
               .exclude(agency__streets=None).values_list("user_id", "agency_id", "agency__streets"))


def comanager_raters(start: dt.date | None = None, end: dt.date | None = None) -> set[tuple[str, int, int]]:
    """(rater kind, rater id, co-manager id): the community of each grid a co-manager is sunk to,
    or the street for one held centrally (or sunk to no grid yet); those employed in [start, end)."""
    people = CoManager.objects.all()
    if end is not None:
        people = people.filter(hired_at__lt=end)
    if start is not None:
        people = people.exclude(left_at__lt=start)
    result = set()
    sunk = set(people.filter(deployment=Deployment.GRIDS, grids__isnull=False)
               .values_list("pk", "grids__community_id"))
    result |= {(K.COMMUNITY, community_id, pk) for pk, community_id in sunk}
    placed = {pk for pk, _community in sunk}
    result |= {(K.STREET, street_id, pk) for pk, street_id in people.values_list("pk", "street_id")
               if pk not in placed}
    return result


def plan(start: dt.date | None = None, end: dt.date | None = None) -> set[Pair]:
    """Every rater → ratee pair of a round (co-managers: those employed in [start, end))."""
    pairs: set[Pair] = set()
    down, up = Direction.DOWN, Direction.UP
    streets = list(Street.objects.values_list("pk", "district_id"))
    serving = list(Agency.streets.through.objects.values_list("street_id", "agency_id"))
    for street_id, district_id in streets:
        pairs.add(Pair(down, K.DISTRICT, district_id, K.STREET, street_id))
    for agency_id, department_id in Agency.objects.values_list("pk", "department_id"):
        pairs.add(Pair(down, K.DEPARTMENT, department_id, K.AGENCY, agency_id))
        pairs.add(Pair(up, K.AGENCY, agency_id, K.DEPARTMENT, department_id))
    agencies_of: dict[int, list[int]] = {}
    for street_id, agency_id in serving:
        agencies_of.setdefault(street_id, []).append(agency_id)
        pairs.add(Pair(up, K.STREET, street_id, K.AGENCY, agency_id))
    for community_id, street_id in Community.objects.values_list("pk", "street_id"):
        pairs.add(Pair(down, K.STREET, street_id, K.COMMUNITY, community_id))
        pairs.add(Pair(up, K.COMMUNITY, community_id, K.STREET, street_id))
        for agency_id in agencies_of.get(street_id, []):
            pairs.add(Pair(up, K.COMMUNITY, community_id, K.AGENCY, agency_id))
    for user_id, street_id in grid_worker_streets():
        pairs.add(Pair(down, K.STREET, street_id, K.GRID_WORKER, user_id))
        pairs.add(Pair(up, K.GRID_WORKER, user_id, K.STREET, street_id))
        for agency_id in agencies_of.get(street_id, []):
            pairs.add(Pair(up, K.GRID_WORKER, user_id, K.AGENCY, agency_id))
    departments_of: dict[int, list[int]] = {}
    for department_id, district_id in Department.objects.values_list("pk", "district_id"):
        departments_of.setdefault(district_id, []).append(department_id)
        pairs.add(Pair(down, K.DISTRICT, district_id, K.DEPARTMENT, department_id))
    for street_id, district_id in streets:
        for department_id in departments_of.get(district_id, []):
            pairs.add(Pair(up, K.STREET, street_id, K.DEPARTMENT, department_id))
    squad_department = dict(Agency.objects.filter(kind=Agency.Kind.URBAN_MANAGEMENT_SQUAD)
                            .values_list("pk", "department_id"))
    for user_id, agency_id, street_id in squad_deputies():
        pairs.add(Pair(down, K.STREET, street_id, K.SQUAD_DEPUTY, user_id))
        pairs.add(Pair(down, K.DEPARTMENT, squad_department[agency_id], K.SQUAD_DEPUTY, user_id))
    for rater_kind, rater_id, comanager_id in comanager_raters(start, end):
        pairs.add(Pair(down, rater_kind, rater_id, K.CO_MANAGER, comanager_id))
    for body_id, target_kind, target_id in supervision.rating_pairs():
        pairs.add(Pair(Direction.OVERSIGHT, K.OVERSIGHT, body_id, target_kind, target_id))
    return pairs


def rater_units(user) -> set[tuple[str, int]]:
    """The (kind, id) raters whose forms this person fills."""
    units = set()
    roles = {(role, field): kind for kind, (role, field) in RATER_ROLES.items()}
    for role, field, unit_id, _label in memberships(user):
        if (role, field) in roles:
            units.add((roles[(role, field)], unit_id))
        if role == Role.GRID_WORKER:
            units.add((K.GRID_WORKER, user.pk))
    units |= {(K.OVERSIGHT, body_id) for body_id in supervision.bodies_of(user)}
    return units
