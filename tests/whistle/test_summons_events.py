"""The summons' record: each step writes one event, named for the unit it is about, oldest first; nobody
rewrites it, not even with raw SQL (haidian.workflow.append_only)."""

import pytest

from haidian.errors import ActionConflict
from tests.timelines import RAW_CHANGES, assert_the_database_refuses, assert_the_model_refuses_changes
from tests.whistle.conftest import DUE, MINUTE
from whistle import selectors, services
from whistle.models import SummonsEvent


def test_every_step_writes_exactly_one_event_in_order(summons, agency_head, department_admin, street_staff):
    services.summons_check_in(summons=summons, actor=agency_head, lat=39.99, lng=116.35, now=DUE)
    services.summons_sweep(now=DUE + MINUTE)
    services.summons_check_in(summons=summons, actor=department_admin, lat=39.99, lng=116.35, now=DUE + 5 * MINUTE)
    assert [(item["event"].action, item["to_label"]) for item in selectors.timeline(summons)] == [
        ("whistle", "waiting to report"), ("check_in_on_time", "reported on time"),
        ("mark_missing", "did not report"), ("check_in_late", "reported late")]
    assert [str(item["label"]) for item in selectors.timeline(summons)] == [
        "whistle blown", "reported on site in time", "did not report in time", "reported on site late"]


def test_a_refused_step_writes_no_event(summons, agency_head):
    services.summons_check_in(summons=summons, actor=agency_head, lat=39.99, lng=116.35, now=DUE)
    with pytest.raises(ActionConflict):
        services.summons_check_in(summons=summons, actor=agency_head, lat=39.99, lng=116.35, now=DUE)
    assert SummonsEvent.objects.filter(summons=summons).count() == 2


def test_the_model_refuses_to_rewrite_an_event(summons):
    assert_the_model_refuses_changes(SummonsEvent.objects.get(summons=summons))


@pytest.mark.parametrize("statement", RAW_CHANGES, ids=["update", "delete"])
def test_the_database_refuses_a_raw_change_of_an_event(summons, statement):
    assert_the_database_refuses(SummonsEvent.objects.get(summons=summons), statement)
