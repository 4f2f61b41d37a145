"""The demo's supervision (`seed_demo` → demo.supervision.seed_supervision): each demo street's democratic
committee with five members and a secretary who can log in, an open inquiry to its police station, and
three tasks of this year's 折子工程, one overdue; a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from agencies.models import Department, District, Street
from demo import supervision
from demo.users import DEMO_SUNK_STREETS
from haidian.permissions import Role
from supervision.models import BodyKind, BodyMember, Inquiry, SupervisoryBody, WorkPlanTask
from supervision.selectors import bodies_of, overdue_tasks
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def demo_users(db):
    """The demo logins the seeding acts as (demo.users makes them in `seed_demo`)."""
    make_user("district-command", Role.DISTRICT_COMMAND, [District.objects.get(code="110108")])
    make_user("110108-sf-admin", Role.DEPARTMENT_ADMIN, [Department.objects.get(code="110108-sf")])
    for code in DEMO_SUNK_STREETS:
        make_user(f"{code}-staff", Role.STREET_STAFF, [Street.objects.get(code=code)])


def snapshot() -> tuple:
    return (list(SupervisoryBody.objects.order_by("id").values_list("id", "name")),
            list(BodyMember.objects.order_by("id").values_list("id", "name", "user_id", "is_secretary")),
            list(Inquiry.objects.order_by("id").values_list("id", "subject")),
            list(WorkPlanTask.objects.order_by("id").values_list("id", "code", "done_at")))


def test_each_demo_street_gets_its_committee_with_a_secretary_who_can_log_in(demo_users):
    lines: list[str] = []
    supervision.seed_supervision(lines.append, today=TODAY)

    bodies = SupervisoryBody.objects.order_by("street__code")
    assert [(body.street.code, body.kind) for body in bodies] == [
        (code, BodyKind.DEMOCRATIC_COMMITTEE) for code in DEMO_SUNK_STREETS]
    for body in bodies:
        assert body.members.count() == 5
        secretary = body.members.get(is_secretary=True).user
        assert secretary.username == f"{body.street.code}-supervision"
        assert secretary.check_password(settings.DEMO_PASSWORD)
        assert bodies_of(secretary) == {body.pk}
        assert Inquiry.objects.get(body=body).target_agency.kind == "pcs"
    assert lines == ["Supervision: 2 democratic committees (10 members, secretaries' logins "
                     "<street code>-supervision), 2 inquiries; 3 work-plan tasks of 2026 (1 overdue)"]


def test_the_work_plan_has_three_tasks_one_overdue(demo_users):
    supervision.seed_supervision(lambda line: None, today=TODAY)
    tasks = WorkPlanTask.objects.filter(year=2026).order_by("code")
    assert [task.code for task in tasks] == ["2026-01", "2026-02", "2026-03"]
    assert [task.code for task in overdue_tasks(TODAY)] == ["2026-01"]
    assert all(task.clause and task.progress_reports.exists() for task in tasks)
    assert tasks[1].done_at is not None


def test_a_second_run_changes_nothing(demo_users):
    supervision.seed_supervision(lambda line: None, today=TODAY)
    first = snapshot()
    supervision.seed_supervision(lambda line: None, today=TODAY)
    assert snapshot() == first
    assert get_user_model().objects.filter(username__endswith="-supervision").count() == 2
