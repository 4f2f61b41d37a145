"""三员分立: the system, security and audit administrators are three people, each held at the district, each
with their own reach in the admin (people.admin_roles) and none into the cases."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.authtoken.models import Token

from haidian.errors import InvalidInput
from haidian.models import AuditEntry
from haidian.permissions import ADMIN_ROLES, Role
from people.admin_roles import ADMIN_PERMISSIONS
from people.models import Membership, PasswordState
from people.services import Grant, membership_grant, membership_revoke, memberships_grant, roles_ensure
from tests.conftest import api_client, failing_on_server_errors, make_user

pytestmark = pytest.mark.django_db

STRONG = "Xq7!mT2#vLp9"


def administrator(username: str, role: str, district):
    user = make_user(username)
    membership_grant(user=user, role=role, unit=district)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def system_admin(district):
    return administrator("system-admin", Role.SYSTEM_ADMIN, district)


@pytest.fixture
def security_admin(district):
    return administrator("security-admin", Role.SECURITY_ADMIN, district)


@pytest.fixture
def audit_admin(district):
    return administrator("audit-admin", Role.AUDIT_ADMIN, district)


def signed_in(user) -> Client:
    client = failing_on_server_errors(Client())
    client.force_login(user)
    return client


# --- one role per person, at the district -----------------------------------------------------------------

@pytest.mark.parametrize("second", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_no_account_holds_two_administrator_roles(system_admin, district, second):
    with pytest.raises(InvalidInput) as refused:
        membership_grant(user=system_admin, role=second, unit=district)

    assert "三员" in str(refused.value) or "管理员" in str(refused.value)
    assert list(Membership.objects.filter(user=system_admin).values_list("role", flat=True)) == [Role.SYSTEM_ADMIN]


def test_a_batch_may_not_give_one_person_two_administrator_roles(district):
    person = make_user("two-hats")

    with pytest.raises(InvalidInput):
        memberships_grant(grants=[Grant(user=person, role=Role.SECURITY_ADMIN, unit=district),
                                  Grant(user=person, role=Role.AUDIT_ADMIN, unit=district)])

    assert not Membership.objects.filter(user=person).exists()


def test_a_batch_checks_what_the_person_holds_already(security_admin, district):
    with pytest.raises(InvalidInput):
        memberships_grant(grants=[Grant(user=security_admin, role=Role.AUDIT_ADMIN, unit=district)])


def test_the_administrator_roles_are_held_at_the_district(street):
    person = make_user("street-admin")

    with pytest.raises(InvalidInput, match="district|区"):
        membership_grant(user=person, role=Role.SYSTEM_ADMIN, unit=street)


def test_granting_the_same_administrator_role_again_is_fine(system_admin, district):
    membership_grant(user=system_admin, role=Role.SYSTEM_ADMIN, unit=district)

    assert Membership.objects.filter(user=system_admin).count() == 1


def test_an_administrator_role_makes_its_holder_staff_until_the_last_one_goes(district, street):
    person = make_user("admin-for-a-while")
    membership_grant(user=person, role=Role.STREET_STAFF, unit=street)
    held = membership_grant(user=person, role=Role.AUDIT_ADMIN, unit=district)
    assert get_user_model().objects.get(pk=person.pk).is_staff

    membership_revoke(membership=held)

    assert not get_user_model().objects.get(pk=person.pk).is_staff


def test_the_admin_form_refuses_a_second_administrator_role(system_admin, district):
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw-root")

    response = signed_in(root).post("/admin/people/membership/add/", {
        "user": system_admin.pk, "role": Role.AUDIT_ADMIN, "district": district.pk})

    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert Membership.objects.filter(user=system_admin).count() == 1


# --- each role's permissions, written once ------------------------------------------------------------------

def test_each_administrator_group_holds_exactly_its_permissions():
    roles_ensure()

    for role in ADMIN_ROLES:
        group = Group.objects.get(name=role)
        held = {f"{app}.{codename}" for app, codename in
                group.permissions.values_list("content_type__app_label", "codename")}
        assert held == set(ADMIN_PERMISSIONS[role]), role


def test_the_audit_administrator_may_only_read_the_audit_log(audit_admin):
    client = signed_in(audit_admin)

    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/people/membership/").status_code == 403
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.get("/admin/haidian/auditentry/").status_code == 200
    assert audit_admin.has_perm("haidian.view_auditentry")
    assert not audit_admin.has_perm("haidian.change_auditentry")


def test_the_system_administrator_adds_a_user_who_must_change_the_password(system_admin):
    client = signed_in(system_admin)

    response = client.post("/admin/auth/user/add/", {"username": "new-clerk", "usable_password": "true",
                                                      "password1": STRONG, "password2": STRONG})

    clerk = get_user_model().objects.get(username="new-clerk")
    assert response.status_code == 302
    assert PasswordState.objects.get(user=clerk).must_change
    assert not (clerk.is_staff or clerk.is_superuser)


def test_the_system_administrator_cannot_make_superusers_or_give_permissions(system_admin, street_staff):
    client = signed_in(system_admin)

    page = client.get(f"/admin/auth/user/{street_staff.pk}/change/")
    form = page.context["adminform"].form
    client.post(f"/admin/auth/user/{street_staff.pk}/change/", {
        "username": "street-staff", "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "is_staff": "on", "is_superuser": "on", "_save": "Save"})

    assert page.status_code == 200
    assert not {"is_superuser", "is_staff", "user_permissions", "groups"} & set(form.fields)
    street_staff.refresh_from_db()
    assert not (street_staff.is_superuser or street_staff.is_staff)


def test_the_system_administrator_cannot_touch_another_administrators_account(system_admin, security_admin):
    client = signed_in(system_admin)

    assert client.get(f"/admin/auth/user/{security_admin.pk}/password/").status_code == 403
    assert client.post(f"/admin/auth/user/{security_admin.pk}/change/", {"username": "taken-over"}).status_code == 403


def test_the_system_administrator_grants_ordinary_roles_but_not_the_administrators(system_admin, district, street):
    client = signed_in(system_admin)
    person = make_user("clerk")

    page = client.get("/admin/people/membership/add/")
    ordinary = client.post("/admin/people/membership/add/", {"user": person.pk, "role": Role.STREET_STAFF,
                                                             "street": street.pk})
    administrator_role = client.post("/admin/people/membership/add/", {"user": person.pk, "role": Role.AUDIT_ADMIN,
                                                                       "district": district.pk})

    choices = {value for value, _label in page.context["adminform"].form.fields["role"].choices}
    assert not choices & ADMIN_ROLES and Role.STREET_STAFF in choices
    assert ordinary.status_code == 302 and administrator_role.status_code == 200
    assert list(Membership.objects.filter(user=person).values_list("role", flat=True)) == [Role.STREET_STAFF]


def test_the_system_administrator_keeps_the_organisation(system_admin, street):
    client = signed_in(system_admin)

    assert client.get(f"/admin/agencies/street/{street.pk}/change/").status_code == 200
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/haidian/auditentry/").status_code == 403


def test_the_security_administrator_grants_the_administrator_roles(security_admin, district):
    person = make_user("future-auditor")

    response = signed_in(security_admin).post("/admin/people/membership/add/", {
        "user": person.pk, "role": Role.AUDIT_ADMIN, "district": district.pk})

    assert response.status_code == 302
    assert Membership.objects.filter(user=person, role=Role.AUDIT_ADMIN).exists()
    assert get_user_model().objects.get(pk=person.pk).is_staff


def test_the_security_administrator_unlocks_but_adds_no_users(security_admin):
    locked = AccessAttempt.objects.create(username="street-staff", ip_address="10.1.2.3", user_agent="test",
                                          failures_since_start=5, get_data="", post_data="", http_accept="",
                                          path_info="/login/")
    client = signed_in(security_admin)

    unlock = client.post(f"/admin/axes/accessattempt/{locked.pk}/delete/", {"post": "yes"})

    assert unlock.status_code == 302 and not AccessAttempt.objects.filter(pk=locked.pk).exists()
    assert AuditEntry.objects.filter(action="unlocked", actor_username="security-admin").count() == 1
    assert client.get("/admin/auth/group/").status_code == 200
    assert client.get("/admin/auth/user/add/").status_code == 403
    assert client.get("/admin/haidian/auditentry/").status_code == 403


def test_the_administrators_see_no_cases_or_streets_through_the_gate(system_admin, security_admin, audit_admin,
                                                                     district_command):
    def streets(user):
        return api_client(Token.objects.create(user=user).key).get("/api/v1/streets/").json()["results"]

    assert streets(district_command)
    for user in (system_admin, security_admin, audit_admin):
        assert streets(user) == [], user.username


def test_no_administrator_widens_their_own_group(security_admin):
    own = Group.objects.get(name=Role.SECURITY_ADMIN)
    client = signed_in(security_admin)

    response = client.post(f"/admin/auth/group/{own.pk}/change/", {"name": own.name, "permissions": []})

    assert response.status_code == 403
    assert own.permissions.count() == len(ADMIN_PERMISSIONS[Role.SECURITY_ADMIN])
    assert client.get(f"/admin/auth/group/{Group.objects.get(name=Role.STREET_STAFF).pk}/change/").status_code == 200

