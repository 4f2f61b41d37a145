"""The objective indicators of 2026H1 (the story in conftest.py), checked against numbers computed by
hand: each expected value names the cases or tasks it counts.

Marked `sweep`: the sweep's red card makes C2 overdue, so `make test` runs these on SQLite too."""

import pytest

from assessment import indicators, scoring
from assessment.indicators import case_satisfaction, compute
from dispatch.models import Case, Task, TaskStatus
from tests.assessment.conftest import H1_END, H1_START
from tests.dispatch.conftest import shanghai

pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

# No supervision committee asked anything in this half (tests/supervision asks).
NO_INQUIRIES = {"inquiries": 0, "inquiries_on_time": 0, "inquiries_overdue": 0, "inquiry_on_time_rate": None}
NO_CHECK_INS = {"summoned": 0, "check_ins_on_time": 0, "check_ins_late": 0, "check_ins_missing": 0,
                "check_in_rate": None}  # no street whistled for anyone in the half


@pytest.fixture(scope="module")
def found(half, django_db_blocker):
    with django_db_blocker.unblock():
        return compute(H1_START, H1_END)


def test_the_story_went_as_told(half):
    c = half.cases
    names = ("C1", "C3", "C9", "C10", "C11", "C13", "C15", "C16")
    assert [Case.objects.get(pk=c[name].pk).status for name in names] == [
        "closed", "dispatched", "rejected", "rejected", "closed", "filed", "closed", "reported"]
    assert Case.objects.get(pk=c["C2"].pk).overdue  # the sweep's red card
    assert Case.objects.get(pk=c["C5"].pk).rework_count == 1
    c6_tasks = Task.objects.filter(case=c["C6"]).order_by("id")
    assert [(t.agency.code[-4:], t.role, t.status) for t in c6_tasks] == [
        ("cgfd", "lead", TaskStatus.RETURNED), ("-pcs", "cooperating", TaskStatus.CANCELLED),
        ("-pcs", "lead", TaskStatus.RESPONDED)]
    # A Monday 10:00 dispatch with 3 working days is due on Thursday 10:00; the extension moved C4's.
    assert Task.objects.get(case=c["C1"], agency=half.agency).due_at == shanghai(2026, 3, 5, 10)
    assert Task.objects.get(case=c["C4"]).due_at == shanghai(2026, 4, 10, 10)


def test_the_agency_counts_its_tasks_created_in_the_half(half, found):
    assert found["agency"][half.agency.pk] == {
        "received": 9,          # the 8 below and C6's co-operating task, cancelled with B's returned lead
        "due": 8,               # C1 C2 C3 C4 C5 C6(2nd lead) C8 C12; not C6's cancelled coop task, not C7 (2025)
        "handled": 6,           # C1 C2 C4 C5 C6 C12
        "handled_on_time": 5,   # C1 C4 (extended) C5 (its rework due) C6 C12; C2 answered late
        "overdue": 2,           # C2 answered late, C3 never answered and due 03-26; C8 is due after the half
        "extended": 1,          # C4
        "closed": 6,            # lead tasks of C1 C2 C4 C5 C6 C12
        "reworked": 1,          # C5
        "accept_due": 8,        # every due task has its 签收 time
        "accepted_on_time": 0,  # none was accepted before it was answered: each answer accepted it late
        "return_requests": 0, "returns_approved": 0, "returns_refused": 0,
        "letters": 3,           # L1 L2 L3; L4 was issued in 2025
        "letters_on_time": 1,   # L1
        "handling_rate": 0.75,          # 6/8
        "on_time_rate": 0.625,          # 5/8
        "rework_rate": 0.1667,          # 1/6
        "extension_rate": 0.125,        # 1/8
        "response_rate": 0.0,           # 0/8
        "return_rate": 0.0,             # 0/9
        "letters_on_time_rate": 0.3333,  # 1/3
        "meetings_attended": 0, "meetings_required": 0, "meeting_attendance_rate": None,  # no meetings held
        "overdue_rate": 0.25,           # 2/8
        **NO_CHECK_INS, **NO_INQUIRIES,
    }


def test_a_returned_task_is_not_due_but_a_cooperating_one_is(half, found):
    assert found["agency"][half.cooperating_agency.pk] == {
        "received": 3,          # coop on C1 and C2, C6's lead
        "due": 2,               # coop on C1 and C2; C6's lead was returned (approved, before it was late)
        "handled": 2,
        "handled_on_time": 1,   # C1 (03-03 11:00 before 03-05 10:00)
        "overdue": 1,           # C2 (03-17 after 03-12)
        "extended": 0,
        "closed": 0,            # no lead task
        "reworked": 0,
        "accept_due": 2,
        "accepted_on_time": 0,
        "return_requests": 1,   # C6: asked to return it, and the street approved
        "returns_approved": 1,
        "returns_refused": 0,
        "letters": 1,           # L5
        "letters_on_time": 1,
        "handling_rate": 1.0,
        "on_time_rate": 0.5,
        "rework_rate": None,
        "extension_rate": 0.0,
        "response_rate": 0.0,
        "return_rate": 0.3333,  # 1/3: the return is not free
        "letters_on_time_rate": 1.0,
        "meetings_attended": 0, "meetings_required": 0, "meeting_attendance_rate": None,
        "overdue_rate": 0.5,            # 1/2
        **NO_CHECK_INS, **NO_INQUIRIES,
    }


def test_a_department_sums_its_agencies_and_its_own_district_tasks(half, found):
    assert found["department"][half.department.pk] == {
        "received": 10,         # A's 9 and C15's task of the department itself
        "due": 9,               # A's 8 and C15's task of the department itself
        "handled": 7,
        "handled_on_time": 6,
        "overdue": 2,
        "extended": 1,
        "closed": 7,
        "reworked": 1,
        "accept_due": 9,
        "accepted_on_time": 0,
        "return_requests": 0, "returns_approved": 0, "returns_refused": 0,
        "letters": 3,
        "letters_on_time": 1,
        "handling_rate": 0.7778,        # 7/9
        "on_time_rate": 0.6667,         # 6/9
        "rework_rate": 0.1429,          # 1/7
        "extension_rate": 0.1111,       # 1/9
        "response_rate": 0.0,           # 0/9
        "return_rate": 0.0,             # 0/10
        "letters_on_time_rate": 0.3333,  # 1/3
        "meetings_attended": 0, "meetings_required": 0, "meeting_attendance_rate": None,  # no meetings held
        "overdue_rate": 0.2222,         # 2/9
        **NO_CHECK_INS, **NO_INQUIRIES,
    }
    assert found["department"][half.cooperating_department.pk] == found["agency"][half.cooperating_agency.pk]


def test_the_street_counts_the_cases_reported_in_the_half(half, found):
    assert found["street"][half.street.pk] == {
        "volume": 15,           # C1–C6, C8–C16; not C7 (2025) nor C17 (07-01 00:00)
        "accepted": 12,         # without C9 C10 (rejected) and C16 (still reported)
        "closed": 8,            # C1 C2 C4 C5 C6 C11 C12 C15
        "closed_on_time": 7,    # C2 was overdue
        "resolved": 7,          # all closed but C2, whose reporter is dissatisfied
        "public_reports": 2,    # C12 (resident), C13 (12345)
        "satisfied": 4,         # C1 C6 C11 C12 (C1's call-back heard "dissatisfied": not the reporter's word)
        "basically_satisfied": 1,  # C5
        "dissatisfied": 1,      # C2 (C7 was reported in 2025; C4's "satisfied" was a call-back)
        "closure_rate": 0.6667,          # 8/12
        "on_time_closure_rate": 0.5833,  # 7/12
        "resolution_rate": 0.5833,       # 7/12
        "satisfaction_rate": 0.8333,     # 5/6
        "public_report_rate": 0.1667,    # 2/12
        **NO_INQUIRIES,
    }


def test_a_community_counts_only_its_own_cases(half, found):
    assert found["community"][half.community.pk] == {
        # all but C14
        "volume": 14, "accepted": 11, "closed": 8, "closed_on_time": 7, "resolved": 7, "public_reports": 2,
        "satisfied": 4, "basically_satisfied": 1, "dissatisfied": 1,
        "closure_rate": 0.7273,          # 8/11
        "on_time_closure_rate": 0.6364,  # 7/11
        "resolution_rate": 0.6364,       # 7/11
        "satisfaction_rate": 0.8333,     # 5/6
        "public_report_rate": 0.1818,    # 2/11
    }
    assert found["community"][half.community_2.pk] == {
        "volume": 1, "accepted": 1, "closed": 0, "closed_on_time": 0, "resolved": 0, "public_reports": 0,  # C14
        "satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0,
        "closure_rate": 0.0, "on_time_closure_rate": 0.0, "resolution_rate": 0.0, "satisfaction_rate": None,
        "public_report_rate": 0.0,
    }


def test_the_grid_worker_counts_reports_checks_and_patrols(half, found):
    assert found["grid_worker"][half.grid_worker.pk] == {
        "reported": 12,         # C1–C6, C8–C11, C15, C16 (C12–C14 were not theirs; C7, C17 outside)
        "valid": 10,            # not C9 (rejected) nor C16 (never filed); C10 is a duplicate, C11 closed on site
        "checks": 6,            # C7 (01-01), C1, C2, C5 failed, C5 passed, C15
        "checks_on_time": 4,    # C7 18 h after a respond of 2025, C1 5 h, C5 failed 2 h, C15 23 h;
                                # C2 48 h (B's later answer does not count), C5 passed 25 h after the second answer
        "patrols": 2,           # 03-02 and 06-30 08:00; the one of new year's eve began in 2025, the last never ended
        "valid_report_rate": 0.8333,   # 10/12
        "on_time_check_rate": 0.6667,  # 4/6
    }


def test_units_with_nothing_in_the_half_get_zeros_and_none(half, found):
    assert set(found) == set(indicators.KINDS)
    assert found["street"][half.other_street.pk] == {
        "volume": 0, "accepted": 0, "closed": 0, "closed_on_time": 0, "resolved": 0, "public_reports": 0,
        "satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0,
        "closure_rate": None, "on_time_closure_rate": None, "resolution_rate": None, "satisfaction_rate": None,
        "public_report_rate": None, **NO_INQUIRIES,
    }
    assert found["grid_worker"][half.idle_grid_worker.pk] == {
        "reported": 0, "valid": 0, "checks": 0, "checks_on_time": 0, "patrols": 0,
        "valid_report_rate": None, "on_time_check_rate": None,
    }
    idle_agency = next(unit for unit, row in found["agency"].items() if unit != half.agency.pk and row["due"] == 0)
    assert found["agency"][idle_agency]["handling_rate"] is None
    assert found["agency"][idle_agency]["response_rate"] is None and found["agency"][idle_agency]["return_rate"] is None
    # every unit of the seed appears: 29 streets, 13 departments, 314 agencies (agencies/seed.py: every
    # department's force in every street), 570 communities
    assert (len(found["street"]), len(found["department"]), len(found["agency"]), len(found["community"])) == (
        29, 13, 314, 570)


def test_both_reads_are_a_fixed_number_of_statements(half, django_db_blocker, django_assert_num_queries):
    # 5 unit lists, tasks, letters, meetings, check-ins (whistle), inquiries (supervision), cases,
    # reports, checks, patrols: however many cases there are. (14: the check-ins and the inquiries
    # are one grouped query each of their own.)
    with django_db_blocker.unblock(), django_assert_num_queries(14):
        compute(H1_START, H1_END)
    # 5 unit lists, agencies, departments, the grid workers' grids, grids (streets, communities).
    with django_db_blocker.unblock(), django_assert_num_queries(9):
        case_satisfaction(H1_START, H1_END)


def test_every_weighted_indicator_reads_its_own_counts(half, found):
    # The breakdown of the objective score quotes the very counts the indicators computed.
    for kind in ("agency", "department", "street", "community", "grid_worker"):
        means = scoring.pooled_means(kind, found[kind].values())
        for values in found[kind].values():
            _score, rows = scoring.objective(kind, values, means, scoring.DEFAULT_INDICATOR_WEIGHTS[kind])
            for row in rows:
                assert row["numerator_value"] == values[row["numerator"]]
                assert row["denominator_value"] == values[row["denominator"]]
                assert row["rate"] == values[row["indicator"]]


def test_the_objective_score_inverts_the_lower_is_better_rates(settings):
    settings.ASSESSMENT_MIN_SAMPLE = 1  # no shrinkage: the rates as they are
    values = {"reworked": 10, "closed": 10, "rework_rate": 1.0, "handled": 10, "due": 10, "handling_rate": 1.0}
    weights = {"rework_rate": 50, "handling_rate": 50}
    means = {"rework_rate": 0.5, "handling_rate": 0.5}
    assert scoring.objective("agency", values, means, weights)[0] == 50.0
    # a return rate above 1 (a task asked back twice) scores 0, never less
    values = {"return_requests": 20, "received": 10, "return_rate": 2.0, "handled": 10, "due": 10,
              "handling_rate": 1.0}
    assert scoring.objective("agency", values, {"return_rate": 1.0, "handling_rate": 0.5},
                             {"return_rate": 50, "handling_rate": 50})[0] == 50.0
    # an indicator nobody in the district has a sample of is left out, the others scaled up
    assert scoring.objective("agency", values, {"return_rate": None, "handling_rate": 0.5},
                             {"return_rate": 50, "handling_rate": 50})[0] == 100.0
    assert scoring.objective("agency", {}, {"handling_rate": None}, {"handling_rate": 100}) == (None, [])


def test_case_satisfaction_counts_rated_cases_closed_in_the_half(half, django_db_blocker):
    with django_db_blocker.unblock():
        rated = case_satisfaction(H1_START, H1_END)

    # rated by their reporters and closed in the half: C1 satisfied, C2 dissatisfied, C5 basically,
    # C6 satisfied, C7 dissatisfied (reported in 2025, closed 01-01), C11 satisfied (on site), C12
    # satisfied; the street's call-backs (C1 "dissatisfied", C4 "satisfied") count nowhere
    assert rated["agency"][half.agency.pk] == (3, 1, 2)          # C1 C6 C12 / C5 / C2 C7 (C11 had no task)
    assert rated["agency"][half.cooperating_agency.pk] == (0, 0, 0)  # C6: B returned its lead task, not rated
    assert rated["department"][half.department.pk] == (3, 1, 2)  # A's; C15 was not rated
    assert rated["department"][half.cooperating_department.pk] == (0, 0, 0)  # B's department: nothing rated
    assert rated["street"][half.street.pk] == (4, 1, 2)
    assert rated["community"][half.community.pk] == (4, 1, 2)
    assert rated["community"][half.community_2.pk] == (0, 0, 0)
    assert rated["grid_worker"][half.grid_worker.pk] == (4, 1, 2)
    assert rated["grid_worker"][half.idle_grid_worker.pk] == (0, 0, 0)
    assert rated["street"][half.other_street.pk] == (0, 0, 0)


def test_a_later_half_sees_only_what_happened_in_it(half, django_db_blocker):
    with django_db_blocker.unblock():
        found = compute(H1_END, shanghai(2027, 1, 1))

    assert found["street"][half.street.pk]["volume"] == 1  # C17
    assert found["agency"][half.agency.pk]["due"] == 0
    assert found["grid_worker"][half.grid_worker.pk]["patrols"] == 0


def test_the_half_must_be_aware_and_forward():
    with pytest.raises(ValueError):
        compute(H1_END, H1_START)
    with pytest.raises(ValueError):
        compute(H1_START.replace(tzinfo=None), H1_END)
