"""吹哨报到's cast and data: a case reported in the home grid at 08:00 on Monday 12 October 2026, and a
summons blown on it at 09:00 calling the home street's police station and the district's public
security bureau (公安分局) to come within 30 minutes. Everything is made through the services.
"""

from __future__ import annotations

import datetime as dt

import pytest

from haidian.permissions import Role
from tests.conftest import make_user
from tests.dispatch.conftest import (  # noqa: F401
    category,
    cooperating_agency,
    cooperating_head,
    make_case,
    nobody,
    other_agency,
    other_agency_head,
    shanghai,
    signed_in,
    work_area,
    workflow,
)
from whistle import services

REPORTED = shanghai(2026, 10, 12, 8)
WHISTLED = shanghai(2026, 10, 12, 9)
MINUTES = 30
DUE = WHISTLED + dt.timedelta(minutes=MINUTES)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def case(make_case):  # noqa: F811 (the imported fixture)
    """An open case (reported) in the home grid."""
    return make_case(title="学院路口井盖塌陷", now=REPORTED)


@pytest.fixture
def agency_staff(agency):
    """A second person of the home street's police station."""
    return make_user("agency-staff", Role.AGENCY_STAFF, [agency])


@pytest.fixture
def summons(case, street_staff, agency, department):
    """The police station and the public security bureau, summoned at 09:00 to come by 09:30."""
    return services.summons_create(case=case, actor=street_staff, units=[agency.code, department.code],
                                   minutes=MINUTES, note="井盖塌陷，请派人到场维护秩序", now=WHISTLED)


def unit_of(summons, unit):
    """The summoned row of `unit` (an Agency or a Department) in `summons`."""
    field = "agency" if unit._meta.model_name == "agency" else "department"
    return summons.units.get(**{field: unit})
