"""What the database refuses in a membership, and what granting and revoking one changes."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from haidian.permissions import Role
from people.models import Membership
from people.services import membership_grant, membership_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return get_user_model().objects.create_user(username="someone", password="pw")


def test_a_membership_in_two_units_is_refused(person, street, agency):
    with pytest.raises(IntegrityError, match="membership_exactly_one_unit"), transaction.atomic():
        Membership.objects.create(user=person, role=Role.STREET_STAFF, street=street, agency=agency)


def test_a_membership_in_no_unit_is_refused(person):
    with pytest.raises(IntegrityError, match="membership_exactly_one_unit"), transaction.atomic():
        Membership.objects.create(user=person, role=Role.STREET_STAFF)


def test_a_membership_with_an_unknown_role_is_refused(person, street):
    with pytest.raises(IntegrityError, match="membership_role_valid"), transaction.atomic():
        Membership.objects.create(user=person, role="mayor", street=street)


def test_granting_a_membership_gives_the_role_group_and_the_street(person, street, other_street):
    membership = membership_grant(user=person, role=Role.STREET_STAFF, unit=street, title="分中心值班员")

    person = get_user_model().objects.get(pk=person.pk)
    assert membership.street == street and membership.unit == street
    assert list(person.groups.values_list("name", flat=True)) == [Role.STREET_STAFF]
    assert person.has_perm("agencies.serve_street", street)
    assert not person.has_perm("agencies.serve_street", other_street)


def test_granting_the_same_membership_twice_keeps_one_row(person, street):
    first = membership_grant(user=person, role=Role.STREET_STAFF, unit=street)
    second = membership_grant(user=person, role=Role.STREET_STAFF, unit=street)

    assert first.pk == second.pk
    assert Membership.objects.filter(user=person).count() == 1


def test_revoking_a_membership_takes_the_role_group_and_the_street_away(person, street):
    membership = membership_grant(user=person, role=Role.STREET_STAFF, unit=street)

    membership_revoke(membership=membership)

    person = get_user_model().objects.get(pk=person.pk)
    assert not Membership.objects.filter(user=person).exists()
    assert not person.groups.exists()
    assert not person.has_perm("agencies.serve_street", street)


def test_revoking_one_of_two_roles_in_a_street_keeps_the_street(person, street):
    staff = membership_grant(user=person, role=Role.STREET_STAFF, unit=street)
    membership_grant(user=person, role=Role.AUDITOR, unit=street)

    membership_revoke(membership=staff)

    person = get_user_model().objects.get(pk=person.pk)
    assert list(person.groups.values_list("name", flat=True)) == [Role.AUDITOR]
    assert person.has_perm("agencies.serve_street", street)


def test_revoking_a_street_keeps_the_role_held_in_another_street(person, street, other_street):
    here = membership_grant(user=person, role=Role.STREET_STAFF, unit=street)
    membership_grant(user=person, role=Role.STREET_STAFF, unit=other_street)

    membership_revoke(membership=here)

    person = get_user_model().objects.get(pk=person.pk)
    assert list(person.groups.values_list("name", flat=True)) == [Role.STREET_STAFF]
    assert not person.has_perm("agencies.serve_street", street)
    assert person.has_perm("agencies.serve_street", other_street)
