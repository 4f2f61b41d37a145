"""The cast of work access: a department's admin, the district command, the staff of two streets.

The API client is the root one (tests/conftest.py `api`): in English, failing the test on any 5xx.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from agencies.models import Department
from haidian.permissions import Role
from tests.conftest import make_user
from workaccess import services


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def other_department(district):
    return Department.objects.get(code="110108-cg")


@pytest.fixture
def other_department_admin(other_department):
    return make_user("other-department-admin", Role.DEPARTMENT_ADMIN, [other_department])


@pytest.fixture
def draft(department, department_admin):
    return services.request_create(
        actor=department_admin, department=department, title="背街小巷停车秩序巡查",
        description="街道负责背街小巷停车秩序的日常巡查与劝导。", powers="劝导、登记、移交违法停车线索",
        budget_yuan=Decimal("480000.00"), staff_count=6)


@pytest.fixture
def submitted(draft, department_admin):
    return services.request_submit(request=draft, actor=department_admin)


@pytest.fixture
def approved(submitted, district_command):
    return services.request_decide(request=submitted, actor=district_command, approve=True,
                                   meeting_reference="区政府常务会〔2026〕8号")


@pytest.fixture
def refused(submitted, district_command):
    return services.request_decide(request=submitted, actor=district_command, approve=False,
                                   meeting_reference="区政府常务会〔2026〕9号")


@pytest.fixture
def assignment(approved, district_command, street):
    return services.request_assign(request=approved, actor=district_command, streets=[street])[0]


TODAY = dt.date(2026, 6, 15)
