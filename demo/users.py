"""Demo users: one per role and unit, with the password DEMO_PASSWORD, printed as a table; and the
departments' staff sunk to the grids of the demo streets (下沉人员), who make those grids' public
rosters (实名制公示).

Everything is written in bulk (`people.services.memberships_grant`: the same memberships, role groups
and permissions as one grant at a time, in a few queries) and is idempotent: a second run changes
nothing (a password that no longer matches DEMO_PASSWORD is set again).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password

from agencies.models import Agency, Department, District, Street
from agencies.seed import DISTRICT_CODE
from grids.models import GridCell
from haidian.permissions import Role
from people.services import Grant, memberships_grant
from public.seed import demo_name, demo_phone

# The streets whose grids get every department's sunk staff in the demo: the tests' home street
# (北下关) and 学院路. Thousands of grid memberships per street, so not all 29 of them.
DEMO_SUNK_STREETS = ("110108007", "110108009")

GRID_WORKER_DUTY = "网格员：巡查上报、信息采集、政策宣传"

# Department tag → (job title, duty on the roster, how the department sinks its people: each person
# takes the grids of this many neighbouring communities (一人多格), 0 = one grid each (一人一格)).
SUNK_STAFF = {
    "ga": ("社区民警", "社区民警：治安防范、矛盾调解", 1),
    "gs": ("工商专管员", "工商专管员：市场经营秩序、消费纠纷", 4),
    "jt": ("交通民警", "交通民警：道路交通秩序、违章停车", 6),
    "cg": ("城管队员", "城管队员：市容环境秩序", 2),
    "cgzx": ("城市管理监督员", "城市管理监督员：巡查上报城市部件和事件问题", 0),
    "xf": ("消防监督员", "消防监督员：消防安全检查、消防通道巡查", 6),
    "ws": ("卫生监督员", "卫生监督员：餐饮和公共场所卫生", 6),
    "sf": ("司法助理员", "司法助理员：人民调解、法律援助", 3),
    "fg": ("房管员", "房管员：房屋安全、出租房屋管理", 3),
    "rs": ("社保协理员", "社保协理员：就业、社保和救助服务", 3),
    "tj": ("统计员", "统计员：统计调查、普查登记", 6),
    "yl": ("绿化管护员", "绿化管护员：绿地和树木管护", 4),
    "hw": ("环卫保洁员", "环卫保洁员：道路清扫保洁、垃圾清运", 2),
}


@dataclass
class _Login:
    username: str
    full_name: str
    grants: list[tuple] = field(default_factory=list)  # (role, unit, title, duty, public_phone)


class DemoUsers:
    """Collects demo logins and their memberships, then writes them all at once (`save`) with one
    shared password hash (hashing hundreds of times would take minutes)."""

    def __init__(self) -> None:
        self.password_hash = make_password(settings.DEMO_PASSWORD)
        self.rows: list[tuple[str, str, str]] = []
        self._logins: dict[str, _Login] = {}

    def add(self, username: str, *, role: str, units, title: str = "", full_name: str = "", duty: str = "",
            public_phone: str = "", listed: bool = True) -> None:
        login = self._logins.setdefault(username, _Login(username, full_name))
        units = list(units)
        login.grants += [(role, unit, title, duty, public_phone) for unit in units]
        if listed:
            where = str(units[0]) + (f" +{len(units) - 1}" if len(units) > 1 else "")
            self.rows.append((username, Role(role).label, where))

    def save(self) -> int:
        """Create the logins that are missing, set everyone's password, grant the memberships; returns
        how many logins there are."""
        User = get_user_model()
        names = list(self._logins)
        User.objects.bulk_create(
            [User(username=login.username, password=self.password_hash, first_name=login.full_name)
             for login in self._logins.values()],
            ignore_conflicts=True, batch_size=2000,
        )
        users = {user.username: user for user in User.objects.filter(username__in=names)}
        # Demo logins share a few hashes: check each once, re-set only those that no longer match.
        stale = [hashed for hashed in {user.password for user in users.values()}
                 if not check_password(settings.DEMO_PASSWORD, hashed)]
        if stale:
            User.objects.filter(username__in=names, password__in=stale).update(password=self.password_hash)
        memberships_grant(grants=[
            Grant(user=users[login.username], role=role, unit=unit, title=title, duty=duty, public_phone=phone)
            for login in self._logins.values() for role, unit, title, duty, phone in login.grants
        ])
        self._logins.clear()
        return len(names)

    def print_table(self, out, heading: str) -> None:
        self.save()
        width = max((len(name) for name, _r, _u in self.rows), default=8)
        out(heading)
        out(f"{'username'.ljust(width)}  role / unit")
        for username, role, unit in self.rows:
            out(f"{username.ljust(width)}  {role} / {unit}")


def seed_users(out) -> None:
    demo = DemoUsers()
    admin, _created = get_user_model().objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    admin.password = demo.password_hash
    admin.save(update_fields=["password"])
    demo.rows.append(("admin", "superuser", "Django admin"))
    district = District.objects.get(code=DISTRICT_CODE)
    demo.add("district-command", role=Role.DISTRICT_COMMAND, units=[district], full_name="区指挥中心值班员")
    demo.add("district-auditor", role=Role.AUDITOR, units=[district])
    demo.add("district-survey", role=Role.SURVEY_OPERATOR, units=[district])
    # 三员分立: three people, one administrator role each (ADMIN_REQUIRE_OTP is off in the demo).
    demo.add("system-admin", role=Role.SYSTEM_ADMIN, units=[district], full_name="系统管理员")
    demo.add("security-admin", role=Role.SECURITY_ADMIN, units=[district], full_name="安全管理员")
    demo.add("audit-admin", role=Role.AUDIT_ADMIN, units=[district], full_name="审计管理员")
    for department in Department.objects.filter(district=district):
        demo.add(f"{department.code}-admin", role=Role.DEPARTMENT_ADMIN, units=[department])
    for street in Street.objects.filter(district=district):
        demo.add(f"{street.code}-staff", role=Role.STREET_STAFF, units=[street], title="分中心值班员")
    for agency in Agency.objects.filter(department__district=district):
        demo.add(f"{agency.code}-head", role=Role.AGENCY_HEAD, units=[agency], title="负责人")
    demo.print_table(out, f"Demo logins (password: {settings.DEMO_PASSWORD})")


def seed_grid_workers(out) -> None:
    """One grid worker per street for all its grids, named, with a public phone for the roster."""
    demo = DemoUsers()
    grids_by_street: dict[int, list[GridCell]] = {}
    for grid in (GridCell.objects.filter(community__street__district__code=DISTRICT_CODE).defer("boundary")
                 .select_related("community").order_by("code")):
        grids_by_street.setdefault(grid.community.street_id, []).append(grid)
    for street in Street.objects.filter(district__code=DISTRICT_CODE).order_by("code"):
        username = f"{street.code}-grid"
        rng = random.Random(username)
        demo.add(username, role=Role.GRID_WORKER, units=grids_by_street.get(street.pk, []), title="网格员",
                 full_name=demo_name(rng), duty=GRID_WORKER_DUTY, public_phone=demo_phone(rng))
    demo.print_table(out, "Grid workers")


def seed_sunk_staff(out, *, street_codes: tuple[str, ...] | list[str] = DEMO_SUNK_STREETS) -> None:
    """下沉: for each of these streets, every department's staff sunk to all its grids, each person an
    agency staff member of the department's unit serving the street and a sunk member of their grids
    (SUNK_STAFF: one grid each for the city-management supervisors, the grids of one or more
    neighbouring communities for the rest). Logins <street code>-<department tag>-<number>."""
    demo = DemoUsers()
    streets = list(Street.objects.filter(code__in=street_codes).order_by("code"))
    serving: dict[tuple[int, str], Agency] = {}
    for street_id, agency in _agencies_serving(streets):
        serving.setdefault((street_id, agency.department.code.split("-")[1]), agency)
    grids_by_community: dict[int, list[GridCell]] = {}
    for grid in (GridCell.objects.filter(community__street__in=streets).only("id", "community_id")
                 .order_by("community__code", "code")):
        grids_by_community.setdefault(grid.community_id, []).append(grid)
    people = one_grid = several = grids = 0
    for street in streets:
        communities = [grids_by_community[c] for c in street.communities.order_by("code").values_list("id", flat=True)
                       if c in grids_by_community]
        grids += sum(map(len, communities))
        for tag, (title, duty, span) in SUNK_STAFF.items():
            agency = serving[(street.pk, tag)]
            if span:
                shares = [[grid for grid_list in communities[i:i + span] for grid in grid_list]
                          for i in range(0, len(communities), span)]
            else:
                shares = [[grid] for grid_list in communities for grid in grid_list]
            for number, share in enumerate(shares, start=1):
                username = f"{street.code}-{tag}-{number:03d}"
                rng = random.Random(username)
                name, phone = demo_name(rng), demo_phone(rng)
                demo.add(username, role=Role.AGENCY_STAFF, units=[agency], title=title, full_name=name,
                         listed=False)
                demo.add(username, role=Role.SUNK_STAFF, units=share, title=title, duty=duty, public_phone=phone,
                         listed=False)
                people += 1
                one_grid += len(share) == 1
                several += len(share) > 1
    demo.save()
    out(f"Sunk staff: {people} people of {len(SUNK_STAFF)} departments in the {grids} grids of "
        f"{', '.join(street.name for street in streets)} ({one_grid} one person one grid, {several} one person "
        f"several grids); logins <street code>-<department>-<number>, e.g. {streets[0].code}-ga-001"
        if streets else "Sunk staff: no demo street")


def _agencies_serving(streets: list[Street]):
    """(street id, agency) for every agency serving one of these streets, by agency code."""
    through = Agency.streets.through
    agencies = {agency.pk: agency for agency in Agency.objects.filter(streets__in=streets).distinct()
                .select_related("department")}
    for street_id, agency_id in (through.objects.filter(street__in=streets).order_by("agency__code")
                                 .values_list("street_id", "agency_id")):
        yield street_id, agencies[agency_id]
