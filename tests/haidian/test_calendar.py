"""The working calendar: official holidays and makeup days, the Monday–Friday fallback, and
working-time arithmetic.

The 2026 National Day arrangement, as chinesecalendar 1.11 has it: 1–7 October are holidays,
Thursday 8 October is back to work, and Saturday 10 October is a makeup working day.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from haidian import calendar
from haidian.calendar import TimeUnit, add_working_time, is_working_day, missing_years, working_time_between
from haidian.models import CalendarYear
from haidian.services import calendar_set_day

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def fresh_calendar_cache(db, settings):
    """The year cache lives for the whole process: start from the table and leave no edit behind."""
    settings.WORKING_PERIODS = ["08:30-12:00", "13:00-17:30"]
    calendar.clear_cache()
    yield
    calendar.clear_cache()


# Days


def test_national_day_2026_is_a_holiday():
    assert not is_working_day(dt.date(2026, 10, 1))
    assert not is_working_day(dt.date(2026, 10, 7))


def test_thursday_after_the_national_day_week_is_a_working_day_again():
    assert is_working_day(dt.date(2026, 10, 8))


def test_saturday_10_october_2026_is_a_makeup_working_day():
    assert dt.date(2026, 10, 10).weekday() == 5
    assert is_working_day(dt.date(2026, 10, 10))


def test_an_ordinary_saturday_is_not_a_working_day():
    assert dt.date(2026, 10, 17).weekday() == 5
    assert not is_working_day(dt.date(2026, 10, 17))


def test_a_year_that_is_not_loaded_falls_back_to_monday_to_friday():
    assert not CalendarYear.objects.filter(year=2027).exists()

    assert is_working_day(dt.date(2027, 1, 1))  # a Friday: New Year is unknown until published
    assert not is_working_day(dt.date(2027, 1, 2))  # a Saturday
    assert is_working_day(dt.date(2027, 1, 4))  # a Monday


def test_working_time_in_a_year_that_is_not_loaded_is_counted_without_raising():
    friday_afternoon = at(2027, 1, 8, 16, 30)

    assert add_working_time(friday_afternoon, 2, TimeUnit.WORKING_HOURS) == at(2027, 1, 11, 9, 30)


def test_missing_years_reports_next_year_when_it_is_not_loaded():
    assert missing_years(today=dt.date(2026, 11, 26)) == [2027]


def test_missing_years_is_empty_when_this_year_and_next_are_loaded():
    assert missing_years(today=dt.date(2025, 6, 1)) == []


def test_loading_a_year_chinesecalendar_does_not_know_fails_naming_that_year():
    with pytest.raises(CommandError, match="2027"):
        call_command("load_calendar", "--years", "2027", verbosity=0)

    assert not CalendarYear.objects.filter(year=2027).exists()


def test_an_administrators_correction_changes_whether_a_day_is_worked():
    saturday = dt.date(2026, 10, 17)

    calendar_set_day(day=saturday, is_working_day=True, name="调休上班")
    # on_commit never fires inside a test's transaction, so clear the cache by hand.
    calendar.clear_cache()

    assert is_working_day(saturday)
    assert add_working_time(at(2026, 10, 16, 17, 0), 1, TimeUnit.WORKING_HOURS) == at(2026, 10, 17, 9, 0)


def test_an_administrator_can_turn_a_working_day_into_a_holiday():
    monday = dt.date(2026, 10, 12)

    calendar_set_day(day=monday, is_working_day=False, name="临时放假")
    calendar.clear_cache()

    assert not is_working_day(monday)


# Working days


def test_one_working_day_before_national_day_lands_after_the_holiday_week():
    assert add_working_time(at(2026, 9, 30, 10, 0), 1, TimeUnit.WORKING_DAYS) == at(2026, 10, 8, 10, 0)


def test_working_days_across_national_day_count_the_makeup_saturday():
    start = at(2026, 9, 30, 10, 0)

    assert add_working_time(start, 2, TimeUnit.WORKING_DAYS) == at(2026, 10, 9, 10, 0)
    assert add_working_time(start, 3, TimeUnit.WORKING_DAYS) == at(2026, 10, 10, 10, 0)
    assert add_working_time(start, 4, TimeUnit.WORKING_DAYS) == at(2026, 10, 12, 10, 0)


def test_half_a_working_day_is_half_the_working_hours():
    assert add_working_time(at(2026, 10, 12, 8, 30), 0.5, TimeUnit.WORKING_DAYS) == at(2026, 10, 12, 13, 30)


# Working hours


def test_working_hours_skip_the_lunch_break():
    assert add_working_time(at(2026, 10, 12, 11, 0), 2, TimeUnit.WORKING_HOURS) == at(2026, 10, 12, 14, 0)


def test_working_hours_carry_over_the_end_of_the_day():
    assert add_working_time(at(2026, 10, 12, 16, 30), 2, TimeUnit.WORKING_HOURS) == at(2026, 10, 13, 9, 30)


def test_working_hours_carry_over_the_weekend():
    assert add_working_time(at(2026, 10, 16, 16, 30), 2, TimeUnit.WORKING_HOURS) == at(2026, 10, 19, 9, 30)


def test_working_hours_that_end_at_closing_time_end_that_day():
    assert add_working_time(at(2026, 10, 12, 15, 30), 2, TimeUnit.WORKING_HOURS) == at(2026, 10, 12, 17, 30)


def test_a_start_during_lunch_counts_from_the_afternoon_opening():
    assert add_working_time(at(2026, 10, 12, 12, 30), 1, TimeUnit.WORKING_HOURS) == at(2026, 10, 12, 14, 0)


def test_a_start_before_opening_counts_from_the_morning_opening():
    assert add_working_time(at(2026, 10, 12, 7, 0), 1, TimeUnit.WORKING_HOURS) == at(2026, 10, 12, 9, 30)


def test_a_start_in_the_evening_counts_from_the_next_mornings_opening():
    assert add_working_time(at(2026, 10, 12, 19, 0), 1, TimeUnit.WORKING_HOURS) == at(2026, 10, 13, 9, 30)


def test_a_start_on_a_holiday_counts_from_the_first_working_morning():
    assert add_working_time(at(2026, 10, 3, 10, 0), 1, TimeUnit.WORKING_HOURS) == at(2026, 10, 8, 9, 30)


def test_a_start_given_in_utc_is_counted_in_beijing_time():
    start = dt.datetime(2026, 10, 12, 3, 0, tzinfo=dt.UTC)  # 11:00 in Beijing

    assert add_working_time(start, 2, TimeUnit.WORKING_HOURS) == at(2026, 10, 12, 14, 0)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        add_working_time(dt.datetime(2026, 10, 12, 11, 0), 1, TimeUnit.WORKING_HOURS)


# Calendar hours


def test_calendar_hours_ignore_holidays_weekends_and_closing_time():
    assert add_working_time(at(2026, 9, 30, 10, 0), 48, TimeUnit.CALENDAR_HOURS) == at(2026, 10, 2, 10, 0)
    assert add_working_time(at(2026, 10, 12, 23, 0), 2, TimeUnit.CALENDAR_HOURS) == at(2026, 10, 13, 1, 0)


# Measuring


@pytest.mark.parametrize(
    ("start", "amount", "unit"),
    [
        (at(2026, 9, 30, 10, 0), 1, TimeUnit.WORKING_DAYS),
        (at(2026, 9, 30, 10, 0), 4, TimeUnit.WORKING_DAYS),
        (at(2026, 10, 12, 11, 0), 2, TimeUnit.WORKING_HOURS),
        (at(2026, 10, 16, 16, 30), 2, TimeUnit.WORKING_HOURS),
        (at(2026, 10, 12, 19, 0), 5.5, TimeUnit.WORKING_HOURS),
        (at(2026, 9, 30, 10, 0), 48, TimeUnit.CALENDAR_HOURS),
    ],
)
def test_working_time_between_measures_what_add_working_time_added(start, amount, unit):
    due = add_working_time(start, amount, unit)

    assert working_time_between(start, due, unit) == pytest.approx(amount)


def test_working_time_between_is_negative_when_the_moments_are_reversed():
    start, due = at(2026, 9, 30, 10, 0), at(2026, 10, 8, 10, 0)

    assert working_time_between(due, start, TimeUnit.WORKING_DAYS) == pytest.approx(-1)
    assert working_time_between(due, start, TimeUnit.WORKING_HOURS) == pytest.approx(-8)


def test_no_working_time_passes_over_the_holiday_week():
    assert working_time_between(at(2026, 10, 1, 0, 0), at(2026, 10, 8, 8, 30), TimeUnit.WORKING_HOURS) == 0
