"""The demo's department staff sunk to grids (`seed_demo` → demo.users.seed_sunk_staff): in each demo
street every grid has one person of each of the 13 departments, some sunk to that grid alone (一人一格),
most to several (一人多格), each an agency staff member of their department's unit serving the street;
their memberships, permissions and role groups agree; a second run changes nothing; the grids'
public rosters list them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from demo import users
from grids.models import GridCell
from haidian.permissions import Role
from people.models import Membership
from people.services import scope_disagreements
from public import selectors

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list, list]:
    rows = list(Membership.objects.order_by("id").values_list("id", "user_id", "role", "agency_id", "grid_id",
                                                              "title", "duty", "public_phone"))
    people = list(get_user_model().objects.order_by("id").values_list("id", "username", "first_name", "password"))
    return rows, people


@pytest.fixture
def seeded(street):
    lines = []
    users.seed_sunk_staff(lines.append, street_codes=[street.code])
    return lines


def test_every_grid_of_a_demo_street_has_sunk_staff_of_all_13_departments(street, seeded):
    grids = GridCell.objects.filter(community__street=street)
    sunk = Membership.objects.filter(role=Role.SUNK_STAFF, grid__in=grids)

    per_grid = sunk.values("grid_id").annotate(n=Count("id")).values_list("n", flat=True)
    assert sorted(set(per_grid)) == [13] and len(per_grid) == grids.count()
    grids_per_person = sunk.values("user_id").annotate(n=Count("id")).values_list("n", flat=True)
    assert 1 in grids_per_person and max(grids_per_person) > 1  # 一人一格 and 一人多格
    assert seeded[0].startswith(f"Sunk staff: {len(grids_per_person)} people of 13 departments in the "
                                f"{grids.count()} grids of {street.name}")


def test_each_sunk_person_is_staff_of_their_departments_unit_serving_the_street(street, seeded):
    people = get_user_model().objects.filter(memberships__role=Role.SUNK_STAFF).distinct()
    agencies = dict(Membership.objects.filter(role=Role.AGENCY_STAFF, user__in=people)
                    .values_list("user__username", "agency__department__code"))

    assert len(agencies) == people.count()
    for username, department in agencies.items():
        assert username.startswith(f"{street.code}-{department.split('-')[1]}-"), username
    assert not Membership.objects.filter(role=Role.AGENCY_STAFF, user__in=people).exclude(agency__streets=street)
    assert scope_disagreements() == []


def test_seeding_the_sunk_staff_again_changes_nothing(street, seeded):
    before = snapshot()

    users.seed_sunk_staff(lambda line: None, street_codes=[street.code])

    assert snapshot() == before


def test_a_demo_grids_roster_lists_its_grid_worker_and_the_13_sunk_staff_as_demo(street, grid, seeded):
    users.seed_grid_workers(lambda line: None)

    roster = selectors.roster(grid)

    assert len(roster) == 14
    assert roster[0].duty == users.GRID_WORKER_DUTY
    assert {line.duty for line in roster[1:]} == {duty for _title, duty, _span in users.SUNK_STAFF.values()}
    assert all(line.name and line.unit and line.public_phone and line.demo for line in roster)
    units = {line.unit for line in roster[1:]}
    assert {"北下关派出所", "北下关地区环卫所", "海淀区消防救援支队北下关消防救援站",
            "北下关城市管理监督分中心"} <= units
