"""Working time from the working calendar.

`add_working_time(start, amount, unit)` gives a due time; `working_time_between(a, b, unit)` how much
working time passed. Units are working hours, working days (a working day is the hours of
WORKING_PERIODS, so N working days from a working moment land on the same clock time N working days
later) and plain calendar hours. All arithmetic is in Asia/Shanghai local time.

Loaded years come from the CalendarDay table. A year that is not loaded falls back to
Monday–Friday: it never raises, it is logged once per process and `missing_years()` reports it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haidian.models import CalendarDay, CalendarYear

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Loaded years are re-read at most this often, so an admin's edit reaches every process.
_CACHE_SECONDS = 300
_MAX_DAYS = 366 * 20


class TimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_HOURS = "calendar_hours", _("calendar hours")


@functools.lru_cache(maxsize=8)
def _parse_periods(specs: tuple[str, ...]) -> tuple[tuple[dt.time, dt.time], ...]:
    """Parsed once per distinct setting: due times are computed on every dispatch."""
    periods = []
    for spec in specs:
        start, end = (dt.time.fromisoformat(part.strip()) for part in spec.split("-"))
        if end <= start:
            raise ValueError(f"working period {spec!r} ends before it starts")
        periods.append((start, end))
    periods.sort()
    for (_s1, end1), (start2, _e2) in zip(periods, periods[1:], strict=False):
        if start2 < end1:
            raise ValueError(f"working periods overlap: {settings.WORKING_PERIODS}")
    return tuple(periods)


def working_periods() -> tuple[tuple[dt.time, dt.time], ...]:
    return _parse_periods(tuple(settings.WORKING_PERIODS))


def hours_per_working_day() -> float:
    return sum(
        (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)).total_seconds()
        for start, end in working_periods()
    ) / 3600


class _YearCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._years: dict[int, tuple[float, dict[dt.date, bool] | None]] = {}
        self._warned: set[int] = set()

    def clear(self) -> None:
        with self._lock:
            self._years.clear()

    def days(self, year: int) -> dict[dt.date, bool] | None:
        """{date: is_working_day} for a loaded year, None for a year that is not loaded."""
        entry = self._years.get(year)
        if entry is not None and time.monotonic() - entry[0] < _CACHE_SECONDS:
            return entry[1]
        if CalendarYear.objects.filter(year=year).exists():
            days = dict(CalendarDay.objects.filter(year_id=year).values_list("date", "is_working_day"))
        else:
            days = None
            if year not in self._warned:
                self._warned.add(year)
                log.warning("working calendar: %s is not loaded, falling back to Monday-Friday", year)
        with self._lock:
            self._years[year] = (time.monotonic(), days)
        return days


_cache = _YearCache()


def clear_cache() -> None:
    """Forget cached years (after the calendar tables were written in this process)."""
    _cache.clear()


def is_working_day(day: dt.date) -> bool:
    days = _cache.days(day.year)
    if days is not None and day in days:
        return days[day]
    return day.weekday() < 5


def missing_years(today: dt.date | None = None) -> list[int]:
    """This year and next that have no loaded arrangement (and so fall back to Monday–Friday)."""
    today = today or timezone.localdate()
    wanted = [today.year, today.year + 1]
    loaded = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in loaded]


def _local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("working time needs an aware datetime")
    return moment.astimezone(SHANGHAI)


def _periods_on(day: dt.date):
    for start, end in working_periods():
        yield (dt.datetime.combine(day, start, tzinfo=SHANGHAI), dt.datetime.combine(day, end, tzinfo=SHANGHAI))


def _add_working_seconds(start: dt.datetime, seconds: float) -> dt.datetime:
    moment = _local(start)
    remaining = dt.timedelta(seconds=seconds)
    day = moment.date()
    for _step in range(_MAX_DAYS):
        if is_working_day(day):
            for period_start, period_end in _periods_on(day):
                if moment >= period_end:
                    continue
                begin = max(moment, period_start)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        moment = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    raise ValueError("working time too long to add: more than 20 years")


def _working_seconds_between(a: dt.datetime, b: dt.datetime) -> float:
    a, b = _local(a), _local(b)
    total = 0.0
    day = a.date()
    for _step in range(_MAX_DAYS):
        if day > b.date():
            return total
        if is_working_day(day):
            for period_start, period_end in _periods_on(day):
                overlap = (min(b, period_end) - max(a, period_start)).total_seconds()
                if overlap > 0:
                    total += overlap
        day += dt.timedelta(days=1)
    raise ValueError("working time span too long to measure: more than 20 years")


def add_working_time(start: dt.datetime, amount: float, unit: str) -> dt.datetime:
    """The moment `amount` of `unit` after `start` (aware, in Asia/Shanghai)."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    if unit == TimeUnit.CALENDAR_HOURS:
        return _local(start) + dt.timedelta(hours=amount)
    if unit == TimeUnit.WORKING_HOURS:
        return _add_working_seconds(start, amount * 3600)
    if unit == TimeUnit.WORKING_DAYS:
        return _add_working_seconds(start, amount * hours_per_working_day() * 3600)
    raise ValueError(f"unknown time unit {unit!r}")


def working_time_between(a: dt.datetime, b: dt.datetime, unit: str) -> float:
    """How much of `unit` lies between a and b (negative when b is before a)."""
    if b < a:
        return -working_time_between(b, a, unit)
    if unit == TimeUnit.CALENDAR_HOURS:
        return (b - a).total_seconds() / 3600
    if unit == TimeUnit.WORKING_HOURS:
        return _working_seconds_between(a, b) / 3600
    if unit == TimeUnit.WORKING_DAYS:
        return _working_seconds_between(a, b) / 3600 / hours_per_working_day()
    raise ValueError(f"unknown time unit {unit!r}")
