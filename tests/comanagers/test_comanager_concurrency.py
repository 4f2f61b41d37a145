"""Two hires for the last place at the same moment, on real PostgreSQL connections: the quota row's
lock serves them one after the other, so exactly one is hired and the other is told the quota is
reached.

Transactional (each thread needs committed data), so it builds its own reference data.
"""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from agencies.models import Street
from comanagers import services
from comanagers.models import CoManager, Deployment
from haidian.errors import ActionConflict
from haidian.permissions import Role
from people.selectors import memberships
from tests.comanagers.conftest import seeded_post, set_quota
from tests.conftest import HOME_STREET, make_user, run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def haidian(transactional_db):
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0, stdout=io.StringIO())


def test_two_hires_for_the_last_place_leave_exactly_one_hired():
    street = Street.objects.get(code=HOME_STREET)
    staff = [make_user(f"hirer-{n}", Role.STREET_STAFF, [street]) for n in (1, 2)]
    post = seeded_post("safety-informant")
    set_quota(street, 1)
    hired_on = dt.date(2026, 3, 2)

    for actor in staff:
        memberships(actor)  # read before the race, so that both threads start at the same step

    def hire(actor, name):
        return lambda: services.comanager_hire(actor=actor, street=street, post=post,
                                               name=name, phone="13800001234", hired_at=hired_on,
                                               deployment=Deployment.CENTRAL, central_reason="调解员")

    outcomes = run_together(hire(staff[0], "甲"), hire(staff[1], "乙"))

    assert Counter(type(outcome) for outcome in outcomes) == {CoManager: 1, ActionConflict: 1}, outcomes
    assert CoManager.objects.filter(street=street).count() == 1
