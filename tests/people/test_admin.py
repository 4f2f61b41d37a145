"""The admin imports memberships through the service (so scope follows) and shows role groups
without letting anyone edit them past the memberships."""

import tablib
from django.contrib.auth import get_user_model

from people.admin import MembershipResource
from people.models import Membership


def test_imported_membership_grants_scope(db, street):
    person = get_user_model().objects.create_user("imported-person")
    dataset = tablib.Dataset(headers=["user", "role", "title", "district", "department", "street", "agency",
                                      "community", "grid"])
    dataset.append(["imported-person", "street_staff", "值班员", "", "", street.code, "", "", ""])
    result = MembershipResource().import_data(dataset, dry_run=False)
    assert not result.has_errors(), result.row_errors()
    assert Membership.objects.filter(user=person, street=street).exists()
    assert person.has_perm("agencies.serve_street", street)
    assert person.groups.filter(name="street_staff").exists()


def test_membership_import_with_unknown_street_reports_the_row_and_saves_nothing(db):
    get_user_model().objects.create_user("imported-person")
    dataset = tablib.Dataset(headers=["user", "role", "title", "district", "department", "street", "agency",
                                      "community", "grid"])
    dataset.append(["imported-person", "street_staff", "", "", "", "999999999", "", "", ""])
    result = MembershipResource().import_data(dataset, dry_run=False, raise_errors=False)
    assert result.has_validation_errors() or result.has_errors()
    assert not Membership.objects.filter(user__username="imported-person").exists()
