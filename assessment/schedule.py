"""What beat does for the assessment each day (`assessment.daily`), with `today` injectable:

- on 1 January and 1 July (or the first day after it that beat runs, within the rating window's
  length) it opens the round of the half-year just ended, creating it with the default weights if
  the district has not prepared it as a draft;
- it closes open rounds whose rating window has ended;
- it reminds raters whose forms are still empty, once per round, ASSESSMENT_REMIND_DAYS before the
  window closes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from assessment import plan, services
from assessment.models import Evaluation, Round, RoundStatus, UnitKind
from assessment.notices import NoticeKind
from haidian.calendar import SHANGHAI
from haidian.workflow import SYSTEM
from notifications.services import Note, notify
from people.models import Membership


@dataclass
class DailyResult:
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    reminded: int = 0


def half_just_ended(today: dt.date) -> tuple[str, dt.date]:
    """The period that ended before `today`'s half began, and the day `today`'s half began."""
    if today.month >= 7:
        return f"{today.year}H1", dt.date(today.year, 7, 1)
    return f"{today.year - 1}H2", dt.date(today.year, 1, 1)


def daily(*, today: dt.date, now: dt.datetime | None = None) -> DailyResult:
    now = now or dt.datetime.combine(today, dt.time(0, 30), tzinfo=SHANGHAI)
    result = DailyResult()
    period, began = half_just_ended(today)
    if (today - began).days < settings.ASSESSMENT_WINDOW_DAYS:
        round_ = services.round_ensure(actor=SYSTEM, period=period, now=now)
        if round_.status == RoundStatus.DRAFT:
            services.round_open(round=round_, actor=SYSTEM, now=now)
            result.opened.append(period)
    for round_ in Round.objects.filter(status=RoundStatus.OPEN, window_closes_at__lte=now):
        services.round_close(round=round_, actor=SYSTEM, now=now)
        result.closed.append(round_.period)
    soon = now + dt.timedelta(days=settings.ASSESSMENT_REMIND_DAYS)
    for round_ in Round.objects.filter(status=RoundStatus.OPEN, window_closes_at__lte=soon):
        result.reminded += remind(round_, now)
    return result


def remind(round_: Round, now: dt.datetime) -> int:
    """A notification to each person whose rating unit still has empty forms (once per round)."""
    empty = set(Evaluation.objects.filter(round=round_, submitted_at=None)
                .values_list("rater_kind", "rater_id").distinct())
    if not empty:
        return 0
    rule = Q(pk__in=[])
    for kind, (role, unit_field) in plan.RATER_ROLES.items():
        ids = [unit_id for rater_kind, unit_id in empty if rater_kind == kind]
        if ids:
            rule |= Q(role=role, **{f"{unit_field}_id__in": ids})
    users = set(Membership.objects.filter(rule).values_list("user_id", flat=True))
    users |= {unit_id for kind, unit_id in empty if kind == UnitKind.GRID_WORKER}
    with override("zh-hans"):
        title = _("Assessment %(period)s: your evaluation forms are due") % {"period": round_.period}
        body = _("The rating window closes at %(closes)s. Fill in your forms under Assessment.") % {
            "closes": round_.window_closes_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")}
    return notify([Note(sorted(users), f"assessment-remind:{round_.period}", NoticeKind.ASSESSMENT, title, body,
                        link=reverse("assessment:mine"))], now)
