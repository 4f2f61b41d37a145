"""Role groups are shown on a person's admin page but cannot be edited there: they follow memberships."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from haidian.permissions import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_posting_groups_on_the_person_page_changes_nothing(client, street):
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw")
    client.force_login(root)
    person = make_user("staff", Role.STREET_STAFF, [street])
    command = Group.objects.get_or_create(name=Role.DISTRICT_COMMAND)[0]

    page = client.get(f"/admin/auth/user/{person.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "groups" not in form.fields
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"username": "staff", "groups": [command.pk], "date_joined_0": "2026-01-01",
                 "date_joined_1": "08:00:00", "_save": "Save"})
    client.post(f"/admin/auth/user/{person.pk}/change/", data)

    assert list(person.groups.values_list("name", flat=True)) == [Role.STREET_STAFF]
