"""Races on real PostgreSQL: two people acting on one case at the same moment are served one after
the other, and the second gets a clear conflict, never a corrupted case (DESIGN §5).

These tests need committed data that other connections can see, so they are transactional: they
run after every other test, whose teardown may already have emptied the tables, and so seed the
reference data themselves (`seed_haidian` is idempotent and quick when the rows are there).
Every thread has its own database connection and closes it when done.
"""

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command

from dispatch import services
from dispatch.models import Case, CaseEvent, Task
from grids.geometry import grid_index
from haidian.errors import ActionConflict
from tests.conftest import run_together
from tests.dispatch.conftest import shanghai

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def haidian(transactional_db):
    call_command("seed_haidian", stdout=io.StringIO())
    grid_index.invalidate()


def test_two_dispatchers_at_once_leave_exactly_one_set_of_tasks(
    filed_case, street_staff, agency, cooperating_agency, street
):
    third = street.agencies.exclude(pk__in=[agency.pk, cooperating_agency.pk]).order_by("code").first()
    plans = {
        agency.code: [cooperating_agency.code],
        cooperating_agency.code: [agency.code, third.code],
    }

    def dispatch(lead):
        return lambda: services.case_dispatch(case=Case.objects.get(pk=filed_case.pk), actor=street_staff,
                                              lead=lead, cooperating=plans[lead])

    outcomes = run_together(*(dispatch(lead) for lead in plans))

    assert Counter(type(outcome) for outcome in outcomes) == {Case: 1, ActionConflict: 1}, outcomes
    [winner] = [outcome for outcome in outcomes if isinstance(outcome, Case)]
    [loser] = [outcome for outcome in outcomes if isinstance(outcome, ActionConflict)]
    assert str(loser) == "Cannot dispatch: the case is dispatched."
    lead = CaseEvent.objects.get(case=filed_case, action="dispatch").data["lead"]
    tasks = Task.objects.filter(case=filed_case)
    assert tasks.count() == 1 + len(plans[lead])
    assert set(tasks.values_list("agency__code", flat=True)) == {lead, *plans[lead]}
    assert tasks.get(role="lead").agency.code == lead
    assert CaseEvent.objects.filter(case=filed_case, action="dispatch").count() == 1
    assert Case.objects.get(pk=winner.pk).status == "dispatched"


def test_two_dispatch_requests_at_once_get_one_200_and_one_409(api, filed_case, street_staff, agency,
                                                              cooperating_agency):
    clients = [api.as_user(street_staff), api.as_user(street_staff)]
    url = f"/api/v1/cases/{filed_case.number}/dispatch/"

    outcomes = run_together(
        lambda: clients[0].post(url, {"lead": agency.code}, format="json"),
        lambda: clients[1].post(url, {"lead": cooperating_agency.code}, format="json"),
    )

    assert sorted(response.status_code for response in outcomes) == [200, 409], outcomes
    assert Task.objects.filter(case=filed_case).count() == 1
    assert CaseEvent.objects.filter(case=filed_case, action="dispatch").count() == 1


def test_accepting_and_returning_one_task_at_once_leaves_a_consistent_case(dispatched_case, agency_head):
    task = Task.objects.get(case=dispatched_case, role="lead")

    outcomes = run_together(
        lambda: services.task_accept(task=task, actor=agency_head),
        lambda: services.task_return(task=task, actor=agency_head, reason="不属于派出所职责"),
    )

    # Either order is fine: accept then ask to return (both succeed), or the request then a refused
    # accept. The case stays with the agency until the street decides on the return.
    task.refresh_from_db()
    case = Case.objects.get(pk=dispatched_case.pk)
    assert task.status == "return_requested"
    assert (case.status, case.return_count) == ("dispatched", 1)
    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert all(isinstance(outcome, ActionConflict) for outcome in refused), outcomes
    events = CaseEvent.objects.filter(case=dispatched_case, action__in=["accept", "return"]).count()
    assert events == len(outcomes) - len(refused)


def test_cases_reported_at_once_get_distinct_consecutive_numbers(grid, grid_worker):
    reporters = 8
    now = shanghai(2026, 11, 26, 9, 30)

    def report(index):
        return lambda: services.case_create(actor=grid_worker, title=f"井盖缺失 {index}", lat=grid.centroid_lat,
                                            lng=grid.centroid_lng, source="grid_patrol", now=now)

    outcomes = run_together(*(report(index) for index in range(reporters)))

    assert all(isinstance(outcome, Case) for outcome in outcomes), outcomes
    numbers = sorted(outcome.number for outcome in outcomes)
    assert all(re.fullmatch(r"HD20261126\d{6}", number) for number in numbers)
    assert [int(number[-6:]) for number in numbers] == list(range(1, reporters + 1))
    assert Case.objects.filter(created_at=now).count() == reporters


def test_the_number_sequence_starts_again_each_local_day(grid, grid_worker):
    just_before_midnight = shanghai(2026, 11, 26, 23, 59)
    numbers = [
        services.case_create(actor=grid_worker, title="井盖缺失", lat=grid.centroid_lat, lng=grid.centroid_lng,
                             source="grid_patrol", now=moment).number
        for moment in (just_before_midnight, just_before_midnight, just_before_midnight + dt.timedelta(minutes=2))
    ]
    assert numbers == ["HD20261126000001", "HD20261126000002", "HD20261127000001"]


# --- the deadline sweep ----------------------------------------------------------------------------

def _overdue_cases(make_case, workflow, count: int) -> None:
    from tests.dispatch.test_deadline_sweep import DISPATCHED

    for _ in range(count):
        workflow.dispatch(make_case(now=DISPATCHED), cooperating=False, now=DISPATCHED)


def test_two_sweeps_at_once_raise_each_card_and_notification_once(make_case, workflow):
    from dispatch import sweep
    from dispatch.models import DeadlineCard
    from notifications.models import Notification
    from tests.dispatch.test_deadline_sweep import ESCALATE

    _overdue_cases(make_case, workflow, 5)

    outcomes = run_together(lambda: sweep.sweep_deadlines(now=ESCALATE),
                            lambda: sweep.sweep_deadlines(now=ESCALATE))

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert DeadlineCard.objects.filter(kind="red").count() == 5
    assert DeadlineCard.objects.filter(kind="yellow").count() == 0  # already past due: red only
    assert Case.objects.filter(tier="district").count() == 5
    assert CaseEvent.objects.filter(action="escalate").count() == 5
    keys = list(Notification.objects.values_list("user_id", "key"))
    assert len(keys) == len(set(keys)) > 0


def test_card_raising_racing_without_the_sweep_lock_still_writes_each_card_once(make_case, workflow):
    """The advisory lock only saves work: the unique constraints alone keep the effects single."""
    from dispatch import sweep
    from dispatch.models import DeadlineCard
    from notifications.models import Notification
    from tests.dispatch.test_deadline_sweep import DUE

    _overdue_cases(make_case, workflow, 8)

    outcomes = run_together(*[lambda: sweep._raise_cards("red", DUE, 3) for _ in range(3)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert DeadlineCard.objects.filter(kind="red").count() == 8
    keys = list(Notification.objects.values_list("user_id", "key"))
    assert len(keys) == len(set(keys)) == 8 * 2  # the agency head and the street's staff, once each


def test_letters_issued_at_once_get_consecutive_numbers_without_gaps(make_case, street_staff, agency, street):
    from dispatch.letters import services as letters

    cases = [make_case() for _ in range(6)]

    def issue(case):
        return lambda: letters.letter_issue(actor=street_staff, agency=agency, cases=[case], requirement="请处理。")

    outcomes = run_together(*[issue(case) for case in cases])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    year = outcomes[0].year
    assert sorted(o.number for o in outcomes) == sorted(f"{street.short_name}函〔{year}〕{n}号" for n in range(1, 7))
