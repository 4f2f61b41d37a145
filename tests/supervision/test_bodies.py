"""The supervision bodies: a street's or town's democratic committee, a town's congresses and villagers'
assembly (never a street's), their members with one secretary at a time, and their meetings. The street's
staff or the district command center set them up."""

import datetime as dt

import pytest

from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from supervision import services
from supervision.models import BodyKind, BodyMember, SupervisoryBody
from tests.supervision.conftest import ASKED


def test_a_street_has_a_democratic_committee_named_after_it(committee, street):
    assert (committee.street, committee.kind, committee.active) == (street, BodyKind.DEMOCRATIC_COMMITTEE, True)
    assert committee.name == f"{street.name}地区民主管理和监督委员会"


@pytest.mark.parametrize("kind", BodyKind.town_only_values())
def test_town_only_kinds_are_refused_for_a_street(street, street_staff, kind):
    with pytest.raises(InvalidInput) as refused:
        services.body_create(actor=street_staff, street=street, kind=kind)
    assert list(refused.value.errors) == ["kind"]
    assert "不是镇" in str(refused.value.errors["kind"][0])  # Chinese first
    assert not SupervisoryBody.objects.exists()


@pytest.mark.parametrize("kind", BodyKind.values)
def test_a_town_may_have_every_kind_of_body(town, district_command, kind):
    body = services.body_create(actor=district_command, street=town, kind=kind)
    assert body.street == town and body.name.startswith(town.name)


def test_a_second_active_body_of_one_kind_is_a_conflict(committee, street, district_command):
    with pytest.raises(ActionConflict):
        services.body_create(actor=district_command, street=street, kind=BodyKind.DEMOCRATIC_COMMITTEE)
    SupervisoryBody.objects.filter(pk=committee.pk).update(active=False)  # its term ended
    assert services.body_create(actor=district_command, street=street, kind=BodyKind.DEMOCRATIC_COMMITTEE).active


def test_only_the_streets_staff_or_the_command_center_set_up_its_bodies(street, other_street_staff, agency_head,
                                                                        department_admin, nobody):
    for person in (other_street_staff, agency_head, department_admin, nobody):
        with pytest.raises(ActionForbidden):
            services.body_create(actor=person, street=street, kind=BodyKind.DEMOCRATIC_COMMITTEE)
    assert not SupervisoryBody.objects.exists()


def test_the_secretary_needs_an_account_and_a_body_has_one_at_a_time(committee, seats, street_staff, nobody):
    with pytest.raises(InvalidInput) as refused:
        services.member_add(body=committee, actor=street_staff, name="赵委员", is_secretary=True)
    assert list(refused.value.errors) == ["user"]
    with pytest.raises(ActionConflict):
        services.member_add(body=committee, actor=street_staff, name="赵委员", user=nobody, is_secretary=True)
    services.member_leave(member=seats[0], actor=street_staff, left_on=dt.date(2026, 11, 1))
    new = services.member_add(body=committee, actor=street_staff, name="赵委员", user=nobody, is_secretary=True,
                              joined_on=dt.date(2026, 11, 1))
    assert list(BodyMember.objects.filter(body=committee, is_secretary=True, left_on=None)) == [new]


def test_an_account_has_one_seat_in_a_body(committee, seats, street_staff, member_user):
    with pytest.raises(ActionConflict):
        services.member_add(body=committee, actor=street_staff, name="李委员", user=member_user)


def test_a_member_leaves_once_and_not_before_joining(seats, street_staff):
    member = seats[2]
    with pytest.raises(InvalidInput):
        services.member_leave(member=member, actor=street_staff, left_on=dt.date(2026, 9, 1))
    services.member_leave(member=member, actor=street_staff, left_on=dt.date(2026, 12, 1))
    with pytest.raises(ActionConflict):
        services.member_leave(member=member, actor=street_staff)


def test_a_meeting_records_the_members_who_came(committee, seats, district_command, other_street, street_staff):
    meeting = services.meeting_record(body=committee, actor=district_command, held_at=ASKED, topic="听取派出所工作汇报",
                                      minutes="委员就夜间噪声提出质询。", attendees=[seats[0], seats[1].pk])
    assert set(meeting.attendees.all()) == set(seats[:2])
    outsider = BodyMember.objects.create(
        body=services.body_create(actor=district_command, street=other_street,
                                  kind=BodyKind.DEMOCRATIC_COMMITTEE),
        name="外街委员", joined_on=dt.date(2026, 1, 1))
    with pytest.raises(InvalidInput) as refused:
        services.meeting_record(body=committee, actor=street_staff, held_at=ASKED, topic="x", attendees=[outsider])
    assert list(refused.value.errors) == ["attendees"]
