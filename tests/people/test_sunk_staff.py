"""Department staff sunk to grids (下沉人员, 一人一格 / 一人多格): an agency membership, and a
membership of each grid they serve in the role SUNK_STAFF, with the duty and public phone the
grid's public roster shows. The grid memberships are a place on the roster, not a seat: they widen
nobody's view of cases."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from guardian.models import UserObjectPermission

from dispatch import services
from dispatch.models import Category, Source
from dispatch.selectors import case_list, sees_reporter_phone
from grids.models import GridCell
from haidian.errors import InvalidInput
from haidian.permissions import Role, scope_for
from people.models import Membership
from people.selectors import holds
from people.services import Grant, membership_grant, membership_revoke, memberships_grant, scope_disagreements
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

DUTY = "社区民警：治安防范、矛盾调解"
PHONE = "010-62311110"


@pytest.fixture
def grids(street):
    return list(GridCell.objects.filter(community__street=street).defer("boundary").order_by("code")[:3])


@pytest.fixture
def officer(agency, grids):
    """A police officer of the home street's station, sunk to its first two grids (一人多格)."""
    person = make_user("officer", Role.AGENCY_STAFF, [agency])
    for grid in grids[:2]:
        membership_grant(user=person, role=Role.SUNK_STAFF, unit=grid, title="社区民警", duty=DUTY, public_phone=PHONE)
    return type(person).objects.get(pk=person.pk)


def test_a_sunk_membership_keeps_its_duty_and_public_phone_with_its_role_group_and_permission(officer, grids):
    membership = Membership.objects.get(user=officer, grid=grids[0])

    assert (membership.role, membership.duty, membership.public_phone) == (Role.SUNK_STAFF, DUTY, PHONE)
    assert officer.groups.filter(name=Role.SUNK_STAFF).exists()
    assert officer.has_perm("grids.serve_gridcell", grids[0])
    assert not officer.has_perm("grids.serve_gridcell", grids[2])
    assert holds(officer, Role.SUNK_STAFF, "grid", grids[1].pk)
    assert scope_disagreements() == []
    call_command("check_scope", stdout=io.StringIO())


def test_revoking_one_grid_keeps_the_others_and_the_role_until_the_last(officer, grids):
    membership_revoke(membership=Membership.objects.get(user=officer, grid=grids[0]))

    assert not officer.has_perm("grids.serve_gridcell", grids[0])
    assert officer.groups.filter(name=Role.SUNK_STAFF).exists()
    membership_revoke(membership=Membership.objects.get(user=officer, grid=grids[1]))
    assert not officer.groups.filter(name=Role.SUNK_STAFF).exists()
    assert scope_disagreements() == []


def test_staff_are_sunk_to_grids_only(street, agency):
    person = make_user("misplaced")

    with pytest.raises(ValueError, match="grids only"):
        membership_grant(user=person, role=Role.SUNK_STAFF, unit=street)
    with pytest.raises(IntegrityError, match="membership_sunk_staff_in_a_grid"), transaction.atomic():
        Membership.objects.create(user=person, role=Role.SUNK_STAFF, agency=agency)


def test_a_public_phone_that_is_not_a_phone_is_refused_and_nothing_is_written(grid):
    person = make_user("typo")

    with pytest.raises(InvalidInput) as refused:
        membership_grant(user=person, role=Role.SUNK_STAFF, unit=grid, public_phone="call me")

    assert "public_phone" in refused.value.errors
    assert not Membership.objects.filter(user=person).exists()


def test_the_sunk_grids_give_no_reach_beyond_the_agency(officer, grids, agency, street):
    scope = scope_for(officer)

    assert scope.grid_ids == frozenset() and scope.street_ids == frozenset()
    assert scope.agency_ids == {agency.pk}
    assert Role.SUNK_STAFF in scope.roles


def test_a_sunk_officer_sees_a_case_of_their_grid_only_when_their_station_has_a_task_on_it(officer, grids, agency,
                                                                                       street_staff):
    worker = make_user("worker", Role.GRID_WORKER, [grids[0]])
    case = services.case_create(actor=worker, title="楼道堆物", lat=grids[0].centroid_lat, lng=grids[0].centroid_lng,
                                source=Source.GRID_PATROL, reporter_phone="13812345678")
    assert not case_list(user=officer).filter(pk=case.pk).exists()

    category = Category.objects.get(code="A06-02")  # 治安隐患: the police station's
    services.case_file(case=case, actor=street_staff, category=category)
    services.case_dispatch(case=case, actor=street_staff, lead=agency.code)
    officer = type(officer).objects.get(pk=officer.pk)

    seen = case_list(user=officer).get(pk=case.pk)
    assert not sees_reporter_phone(user=officer, case=seen)  # an agency sees the reporter's phone masked


def test_granting_in_bulk_writes_what_one_grant_at_a_time_writes(agency, grids, street):
    one, bulk = make_user("one-at-a-time"), make_user("in-bulk")
    for grid in grids:
        membership_grant(user=one, role=Role.SUNK_STAFF, unit=grid, duty=DUTY, public_phone=PHONE)
    membership_grant(user=one, role=Role.AGENCY_STAFF, unit=agency, title="民警")

    with CaptureQueriesContext(connection) as queries:
        asked = memberships_grant(grants=[Grant(bulk, Role.SUNK_STAFF, grid, duty=DUTY, public_phone=PHONE)
                                          for grid in grids] + [Grant(bulk, Role.AGENCY_STAFF, agency, title="民警")])
    memberships_grant(grants=[Grant(bulk, Role.SUNK_STAFF, grids[0], duty="另一个职责")])  # already there

    def written(user):
        rows = Membership.objects.filter(user=user).values_list("role", "grid_id", "agency_id", "title", "duty",
                                                                "public_phone")
        perms = UserObjectPermission.objects.filter(user=user).values_list("permission__codename", "object_pk")
        return sorted(rows, key=str), sorted(perms), sorted(user.groups.values_list("name", flat=True))

    assert asked == 4
    assert written(bulk) == written(one)
    assert len(queries.captured_queries) <= 10  # whatever the number of grids
    assert scope_disagreements() == []


def test_the_seed_makes_the_sunk_staff_role_group():
    call_command("seed_haidian", stdout=io.StringIO())

    assert Group.objects.filter(name=Role.SUNK_STAFF).exists()
