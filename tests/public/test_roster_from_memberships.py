"""A grid's public roster (实名制公示) is built from who serves the grid: its grid workers and the
department staff sunk to it (下沉人员, each with their agency, duty and public phone), then the
entries administrators made for people without an account. Revoking a membership takes the person
off at once."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from agencies.models import Agency
from grids.models import GridCell
from haidian.permissions import Role
from people.models import Membership
from people.services import membership_grant, membership_revoke
from public import selectors
from public.models import RosterEntry
from tests.conftest import make_user
from tests.public.conftest import main_text

pytestmark = pytest.mark.django_db


def person(username: str, surname: str, given: str):
    user = make_user(username)
    user.last_name, user.first_name = surname, given
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def next_grid(grid):
    """Another grid of the home street."""
    return GridCell.objects.filter(community__street=grid.community.street).exclude(pk=grid.pk).order_by("code")[0]


@pytest.fixture
def cast(street, grid, next_grid):
    """The grid worker of the home grid; a police officer sunk to it and the next grid (一人多格); a
    sanitation worker of the service area's 环卫所 sunk to the home grid alone (一人一格); the
    community's party secretary, entered by hand (no account)."""
    worker = person("roster-grid-worker", "刘", "晓梅")
    membership_grant(user=worker, role=Role.GRID_WORKER, unit=grid, title="网格员",
                     duty="网格员：巡查上报、信息采集", public_phone="010-62322220")
    officer = person("roster-officer", "张", "卫东")
    membership_grant(user=officer, role=Role.AGENCY_STAFF, unit=Agency.objects.get(code=f"{street.code}-pcs"))
    for unit in (grid, next_grid):
        membership_grant(user=officer, role=Role.SUNK_STAFF, unit=unit, duty="社区民警：治安防范、矛盾调解",
                         public_phone="010-62311110")
    cleaner = person("roster-cleaner", "赵", "国强")
    membership_grant(user=cleaner, role=Role.AGENCY_STAFF, unit=Agency.objects.get(code="110108-hw-03"))
    membership_grant(user=cleaner, role=Role.SUNK_STAFF, unit=grid, title="环卫保洁员",
                     public_phone="010-62333330")
    secretary = RosterEntry.objects.create(grid=grid, order=10, name="孙丽华", unit=f"{grid.community.name}党委",
                                           duty="社区党委书记", public_phone="010-62344440")
    return {"worker": worker, "officer": officer, "cleaner": cleaner, "secretary": secretary}


def lines(grid) -> list[tuple[str, str, str, str]]:
    return [(line.name, line.unit, line.duty, line.public_phone) for line in selectors.roster(grid)]


def test_the_roster_lists_the_grid_worker_the_sunk_staff_and_the_manual_entries_in_that_order(grid, street, cast):
    assert lines(grid) == [
        ("刘晓梅", f"{grid.community.name}居委会", "网格员：巡查上报、信息采集", "010-62322220"),
        ("张卫东", "北下关派出所", "社区民警：治安防范、矛盾调解", "010-62311110"),
        ("赵国强", "北下关地区环卫所", "环卫保洁员", "010-62333330"),  # no duty given: the job title
        ("孙丽华", f"{grid.community.name}党委", "社区党委书记", "010-62344440"),
    ]


def test_one_person_sunk_to_several_grids_is_on_each_of_their_grids(grid, next_grid, cast):
    assert [name for name, *_rest in lines(next_grid)] == ["张卫东"]
    assert "张卫东" in [name for name, *_rest in lines(grid)]


def test_a_revoked_membership_takes_the_person_off_that_grids_roster_only(grid, next_grid, cast):
    officer = cast["officer"]

    membership_revoke(membership=Membership.objects.get(user=officer, role=Role.SUNK_STAFF, grid=grid))

    assert "张卫东" not in [name for name, *_rest in lines(grid)]
    assert [name for name, *_rest in lines(next_grid)] == ["张卫东"]


def test_the_page_shows_the_roster_and_never_a_login_name(visitor, grid, cast):
    nameless = make_user("nameless-login")
    membership_grant(user=nameless, role=Role.SUNK_STAFF, unit=grid, duty="统计员")
    gone = person("roster-left", "钱", "多多")
    membership_grant(user=gone, role=Role.SUNK_STAFF, unit=grid, duty="房管员")
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    response = visitor.get(f"/grids/{grid.code}/")

    text = main_text(response)
    assert text.index("刘晓梅") < text.index("张卫东") < text.index("赵国强") < text.index("孙丽华")
    for shown in ("北下关派出所", "社区民警：治安防范、矛盾调解", "北下关地区环卫所", "010-62333330"):
        assert shown in text
    assert 'href="tel:01062311110"' in response.content.decode()
    for hidden in ("nameless-login", "统计员", "钱多多", "roster-officer"):
        assert hidden not in text
    assert "Demo data" not in text


def test_the_roster_page_still_reads_in_two_queries(visitor, grid, cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the grid with its community and street; its roster (one union)
        response = visitor.get(f"/grids/{grid.code}/")
    assert "张卫东" in main_text(response)


def test_the_poster_lists_the_same_people(visitor, grid, cast):
    text = PdfReader(io.BytesIO(visitor.get(f"/grids/{grid.code}/poster.pdf").content)).pages[0].extract_text()

    for shown in ("刘晓梅", "张卫东", "北下关派出所", "赵国强", "北下关地区环卫所", "孙丽华", "010-62311110"):
        assert shown in text


def test_a_member_with_a_demo_phone_marks_the_roster_as_demo(visitor, grid):
    made_up = person("demo-officer", "周", "建")
    membership_grant(user=made_up, role=Role.SUNK_STAFF, unit=grid, duty="社区民警", public_phone="010-01234567")

    assert "Demo data: these people and phone numbers are made up." in main_text(visitor.get(f"/grids/{grid.code}/"))


def test_the_unit_is_the_persons_agency_serving_the_grids_street(grid, street, other_street):
    officer = person("two-stations", "吴", "磊")
    membership_grant(user=officer, role=Role.AGENCY_STAFF, unit=Agency.objects.get(code=f"{other_street.code}-pcs"))
    membership_grant(user=officer, role=Role.AGENCY_HEAD, unit=Agency.objects.get(code=f"{street.code}-pcs"))
    membership_grant(user=officer, role=Role.SUNK_STAFF, unit=grid, duty="社区民警")

    assert lines(grid) == [("吴磊", "北下关派出所", "社区民警", "")]


def test_names_in_latin_letters_read_first_name_first(grid):
    visitor_officer = person("latin-name", "Smith", "Anna")
    membership_grant(user=visitor_officer, role=Role.SUNK_STAFF, unit=grid, duty="外事民警")

    assert [name for name, *_rest in lines(grid)] == ["Anna Smith"]
