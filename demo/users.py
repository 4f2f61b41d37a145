"""Demo users: one per role and unit, with the password DEMO_PASSWORD, printed as a table."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from agencies.models import Agency, Department, District, Street
from agencies.seed import DISTRICT_CODE
from grids.models import GridCell
from haidian.permissions import Role
from people.services import membership_grant


class DemoUsers:
    """Creates demo users with one shared password hash (hashing hundreds of times would take minutes)."""

    def __init__(self) -> None:
        self.password_hash = make_password(settings.DEMO_PASSWORD)
        self.rows: list[tuple[str, str, str]] = []

    def add(self, username: str, *, role: str, units, title: str = "", full_name: str = "") -> None:
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"password": self.password_hash, "first_name": full_name}
        )
        if not created and user.password != self.password_hash:
            user.password = self.password_hash
            user.save(update_fields=["password"])
        units = list(units)
        for unit in units:
            membership_grant(user=user, role=role, unit=unit, title=title)
        where = str(units[0]) + (f" +{len(units) - 1}" if len(units) > 1 else "")
        self.rows.append((username, Role(role).label, where))

    def print_table(self, out, heading: str) -> None:
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
    for department in Department.objects.filter(district=district):
        demo.add(f"{department.code}-admin", role=Role.DEPARTMENT_ADMIN, units=[department])
    for street in Street.objects.filter(district=district):
        demo.add(f"{street.code}-staff", role=Role.STREET_STAFF, units=[street], title="分中心值班员")
    for agency in Agency.objects.filter(department__district=district):
        demo.add(f"{agency.code}-head", role=Role.AGENCY_HEAD, units=[agency], title="负责人")
    demo.print_table(out, f"Demo logins (password: {settings.DEMO_PASSWORD})")


def seed_grid_workers(out) -> None:
    demo = DemoUsers()
    for street in Street.objects.filter(district__code=DISTRICT_CODE):
        grids = GridCell.objects.filter(community__street=street).order_by("code")
        demo.add(f"{street.code}-grid", role=Role.GRID_WORKER, units=grids, title="网格员")
    demo.print_table(out, "Grid workers")
