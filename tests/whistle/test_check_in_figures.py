"""The assessment's figures: per summoned agency and department, how often summoned, on time, late and
missing over the summonses whistled in a period."""

from tests.whistle.conftest import DUE, MINUTE, WHISTLED
from whistle import services
from whistle.selectors import check_in_figures


def test_figures_count_each_units_answers_in_the_period(make_case, summons, street_staff, agency_head, agency,
                                                        department):
    services.summons_check_in(summons=summons, actor=agency_head, lat=39.99, lng=116.35, now=DUE)
    second = services.summons_create(case=make_case(title="第二起"), actor=street_staff, units=[agency.code],
                                     minutes=10, now=WHISTLED + 60 * MINUTE)
    services.summons_sweep(now=WHISTLED + 80 * MINUTE)  # the department of the first, the agency of the second
    services.summons_check_in(summons=second, actor=agency_head, lat=39.99, lng=116.35, now=WHISTLED + 90 * MINUTE)

    figures = check_in_figures(start=WHISTLED, end=WHISTLED + 24 * 60 * MINUTE)

    assert figures == {
        ("agency", agency.pk): {"summoned": 2, "on_time": 1, "late": 1, "missing": 0},
        ("department", department.pk): {"summoned": 1, "on_time": 0, "late": 0, "missing": 1},
    }
    assert check_in_figures(start=WHISTLED + MINUTE, end=WHISTLED + 24 * 60 * MINUTE) == {
        ("agency", agency.pk): {"summoned": 1, "on_time": 0, "late": 1, "missing": 0}}
    assert check_in_figures(start=WHISTLED - 60 * MINUTE, end=WHISTLED) == {}


def test_a_unit_still_within_its_time_counts_as_summoned_only(summons, agency, department):
    figures = check_in_figures(start=WHISTLED, end=DUE)
    assert figures[("agency", agency.pk)] == {"summoned": 1, "on_time": 0, "late": 0, "missing": 0}
