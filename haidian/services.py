"""Writes to the shared tables."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from haidian import calendar
from haidian.models import CalendarDay, CalendarYear


class CalendarNotPublished(LookupError):
    """The chinesecalendar package has no arrangement for this year yet."""


def _official_days(year: int) -> list[tuple[dt.date, bool, str]]:
    import chinese_calendar

    days = []
    day = dt.date(year, 1, 1)
    try:
        while day.year == year:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            working = chinese_calendar.is_workday(day)
            label = str(name) if name else ""
            days.append((day, working, label))
            day += dt.timedelta(days=1)
    except NotImplementedError:
        raise CalendarNotPublished(year) from None
    return days


@transaction.atomic
def calendar_load_year(*, year: int) -> CalendarYear:
    """Load (or reload) one year's official arrangement from chinesecalendar.

    Rewrites the year's days; an admin's later edits to single days stay until the next reload.
    """
    days = _official_days(year)
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": CalendarYear.Source.CHINESECALENDAR, "note": "chinesecalendar"}
    )
    CalendarDay.objects.filter(year=calendar_year).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, year=calendar_year, is_working_day=working, name=name)
        for day, working, name in days
    )
    transaction.on_commit(calendar.clear_cache)
    return calendar_year


@transaction.atomic
def calendar_set_day(*, day: dt.date, is_working_day: bool, name: str = "") -> CalendarDay:
    """An administrator's correction to one day; the year must be loaded first."""
    calendar_year = CalendarYear.objects.get(year=day.year)
    row, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"year": calendar_year, "is_working_day": is_working_day, "name": name}
    )
    transaction.on_commit(calendar.clear_cache)
    return row
