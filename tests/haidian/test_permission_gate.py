"""The one permission gate, `haidian.permissions.restrict`: nobody sees a row by default. Anonymous,
unserving and inactive users see none; a superuser sees everything; a model nobody wrote a scope
rule for is an error, never an open door."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from agencies.models import Agency, Street
from dispatch.models import Case, Task
from grids.models import Community, GridCell
from haidian.permissions import restrict
from tests.conftest import make_user
from tests.dispatch.conftest import (  # noqa: F401  the case workflow's fixtures, for a dispatched case
    category,
    cooperating_agency,
    dispatched_case,
    make_case,
    reported_case,
    work_area,
    workflow,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dispatched_case")]

SCOPED = (Street, Community, GridCell, Agency, Case, Task)


def visible(user) -> dict[str, int]:
    """How many rows of each scoped model the gate lets `user` see."""
    return {model.__name__: restrict(model.objects.all(), user).count() for model in SCOPED}


def nothing() -> dict[str, int]:
    return {model.__name__: 0 for model in SCOPED}


def everything() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SCOPED}


def test_there_is_something_to_see_and_the_street_staff_see_their_part(street_staff):
    seen = visible(street_staff)

    assert all(everything().values())
    assert all(seen.values()) and seen != everything()  # their street's, not the district's


@pytest.mark.parametrize("user", [AnonymousUser(), None], ids=["anonymous", "no-user"])
def test_an_anonymous_visitor_sees_no_rows(user):
    assert visible(user) == nothing()


def test_a_signed_in_user_who_serves_nowhere_sees_no_rows():
    assert visible(make_user("nobody")) == nothing()


def test_an_inactive_user_sees_no_rows_whatever_units_they_still_belong_to(street_staff):
    street_staff.is_active = False
    street_staff.save()

    assert visible(get_user_model().objects.get(pk=street_staff.pk)) == nothing()


def test_a_superuser_sees_everything():
    admin = get_user_model().objects.create_superuser("root", password="pw-root")

    assert visible(admin) == everything()


def test_a_model_without_a_scope_rule_is_an_error_not_every_row(street_staff):
    Group.objects.get_or_create(name="some group")

    for user in (street_staff, make_user("nobody")):
        with pytest.raises(LookupError, match="no scope rule registered for Group"):
            restrict(Group.objects.all(), user)
