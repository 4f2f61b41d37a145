"""属地监督's cast and data: 北下关街道's democratic committee (地区民主管理和监督委员会) with its secretary
and a member with an account, and an inquiry (质询) its secretary put to the street's police station
at 09:00 on Monday 2 November 2026, due ten working days later (Monday 16 November, 09:00). Everything is
made through the services; time is injected (`now=`), never waited for.
"""

from __future__ import annotations

import datetime as dt

import pytest

from agencies.models import Street
from haidian.permissions import Role
from supervision import services
from supervision.models import BodyKind
from tests.conftest import make_user
from tests.dispatch.conftest import (  # noqa: F401
    cooperating_agency,
    cooperating_head,
    nobody,
    other_agency,
    other_agency_head,
    shanghai,
    signed_in,
)

ASKED = shanghai(2026, 11, 2, 9)
DUE = shanghai(2026, 11, 16, 9)  # ten working days on
MINUTE = dt.timedelta(minutes=1)
TOWN = "110108023"  # 海淀镇


@pytest.fixture
def agency_staff(agency):
    """A second person of the home street's police station."""
    return make_user("agency-staff", Role.AGENCY_STAFF, [agency])


@pytest.fixture
def town(db):
    return Street.objects.get(code=TOWN)


@pytest.fixture
def secretary(db):
    """The committee's secretary: an account with no role in any unit."""
    return make_user("secretary")


@pytest.fixture
def member_user(db):
    return make_user("member")


@pytest.fixture
def committee(street, street_staff):
    return services.body_create(actor=street_staff, street=street, kind=BodyKind.DEMOCRATIC_COMMITTEE,
                                now=ASKED - dt.timedelta(days=30))


@pytest.fixture
def seats(committee, street_staff, secretary, member_user):
    """The secretary, a member with an account and one without, all serving since 1 October 2026."""
    joined = dt.date(2026, 10, 1)
    return [
        services.member_add(body=committee, actor=street_staff, name="王秘书", affiliation="街道居民代表",
                            user=secretary, is_secretary=True, joined_on=joined),
        services.member_add(body=committee, actor=street_staff, name="李委员", affiliation="辖区单位代表",
                            user=member_user, joined_on=joined),
        services.member_add(body=committee, actor=street_staff, name="张委员", affiliation="社区居民代表",
                            joined_on=joined),
    ]


@pytest.fixture
def inquiry(committee, seats, secretary, agency):
    """The secretary questions the police station, due ten working days on."""
    return services.inquiry_put(body=committee, actor=secretary, target=agency.code, subject="夜间噪声扰民",
                                question="辖区夜间施工噪声投诉多次未见处理，请说明原因和整改措施。", now=ASKED)


@pytest.fixture
def street_inquiry(committee, seats, street_staff, street):
    """The street's staff record an inquiry of the committee to the street itself."""
    return services.inquiry_put(body=committee, actor=street_staff, target=street.code, subject="社区养老服务",
                                question="请说明社区养老驿站的建设进度。", now=ASKED)
