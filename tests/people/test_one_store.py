"""One store answers where a person serves and in which role: their memberships.

The permission gate and the role predicates read them in one query per request; guardian's object
permissions and the role groups only mirror them, are written only by membership_grant / revoke,
and `manage.py check_scope` names anyone for whom the mirror says something else.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from demo import users
from haidian.permissions import Role, scope_for
from people.models import Membership
from people.selectors import holds, memberships, staff_streets, unit_ids
from people.services import membership_grant, membership_revoke, scope_disagreements, scope_repair
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_the_gate_and_the_role_predicates_read_the_memberships_once(street, grid, agency):
    person = make_user("two-hats", Role.STREET_STAFF, [street])
    membership_grant(user=person, role=Role.GRID_WORKER, unit=grid)
    person = fresh(person)

    with CaptureQueriesContext(connection) as queries:
        scope = scope_for(person)
        assert holds(person, Role.STREET_STAFF, "street", street.pk)
        assert holds(person, Role.GRID_WORKER, "grid", grid.pk)
        assert not holds(person, Role.AGENCY_HEAD, "agency", agency.pk)
        assert unit_ids(person, Role.STREET_STAFF, "street") == [street.pk]
        assert {held.role for held in memberships(person)} == {Role.STREET_STAFF, Role.GRID_WORKER}
        assert street.pk in scope.street_ids and grid.pk in scope.grid_ids

    reads = [q["sql"] for q in queries.captured_queries if "people_membership" in q["sql"]]
    assert len(reads) == 1, reads
    assert not [q for q in queries.captured_queries if "guardian" in q["sql"]]
    assert not [q for q in queries.captured_queries if "auth_user_groups" in q["sql"]]


def test_the_gate_follows_the_memberships_not_the_permission_rows(street, other_street):
    person = make_user("staff", Role.STREET_STAFF, [street])
    UserObjectPermission.objects.filter(user=person).delete()  # the mirror broken by hand
    assign_perm("agencies.serve_street", person, other_street)

    scope = scope_for(fresh(person))

    assert scope.street_ids == {street.pk}
    assert list(staff_streets(user=fresh(person))) == [street]


def test_after_grants_and_revokes_no_one_disagrees(street, other_street, grid, agency, department, district):
    person = make_user("busy", Role.STREET_STAFF, [street, other_street])
    membership_grant(user=person, role=Role.AUDITOR, unit=street)
    membership_grant(user=person, role=Role.GRID_WORKER, unit=grid)
    make_user("head", Role.AGENCY_HEAD, [agency])
    make_user("admin", Role.DEPARTMENT_ADMIN, [department])
    make_user("command", Role.DISTRICT_COMMAND, [district])
    membership_revoke(membership=person.memberships.get(role=Role.STREET_STAFF, street=other_street))
    membership_revoke(membership=person.memberships.get(role=Role.AUDITOR))

    assert scope_disagreements() == []
    call_command("check_scope", stdout=io.StringIO())


def test_a_permission_given_by_hand_is_found_and_the_command_fails(street, other_street, capsys):
    person = make_user("staff", Role.STREET_STAFF, [street])
    assign_perm("agencies.serve_street", person, other_street)

    found = scope_disagreements()

    assert [str(d) for d in found] == [f"staff: permission serve_street on #{other_street.pk} without a membership"]
    with pytest.raises(CommandError, match="1 disagreement"):
        call_command("check_scope")
    assert "staff: permission serve_street" in capsys.readouterr().err


def test_a_role_group_given_by_hand_and_a_missing_permission_are_found(street):
    from django.contrib.auth.models import Group

    person = make_user("staff", Role.STREET_STAFF, [street])
    person.groups.add(Group.objects.get_or_create(name=Role.DISTRICT_COMMAND)[0])
    UserObjectPermission.objects.filter(user=person).delete()

    problems = {d.problem for d in scope_disagreements()}

    assert problems == {"role group district_command without a membership",
                        f"membership without permission serve_street on #{street.pk}"}


def test_repair_rewrites_the_mirror_from_the_memberships(street, other_street):
    person = make_user("staff", Role.STREET_STAFF, [street])
    assign_perm("agencies.serve_street", person, other_street)
    UserObjectPermission.objects.filter(user=person, object_pk=str(street.pk)).delete()

    assert scope_repair() == 1

    assert scope_disagreements() == []
    person = fresh(person)
    assert person.has_perm("agencies.serve_street", street)
    assert not person.has_perm("agencies.serve_street", other_street)


def test_the_demo_logins_memberships_and_permissions_agree():
    users.seed_users(lambda line: None)  # one login per role and unit of the district (make demo's)

    assert Membership.objects.count() > 250
    assert scope_disagreements() == []
