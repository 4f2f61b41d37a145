"""Every write of the assessment: rounds (create, weights, open, close, annotate, publish), the
evaluation forms, incentive awards. Keyword-only and atomic, as the case workflow's services.

Each step locks the round row, checks its status in `ROUND_MOVES` (a step the status forbids is an
ActionConflict, 409) and writes one event on the round's timeline (the `ROUNDS` machine). Running a
round (create, weights, open, close, annotate, publish, compute) is the district command center's,
or beat's (SYSTEM) for opening and closing on their dates; forms are filled by the people of the
rating unit.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, Street
from assessment import plan, scoring
from assessment.models import PERIOD_RE, Award, AwardStatus, ComputeState, Evaluation, Round, RoundEvent, RoundStatus
from haidian import outbox, reform
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from haidian.workflow import SYSTEM, Machine, is_system, unique_or_conflict
from people.selectors import acting_as, holds

logger = logging.getLogger(__name__)
S = RoundStatus
ROUND_MOVES = {
    "weights": {S.DRAFT: S.DRAFT},
    "open": {S.DRAFT: S.OPEN},
    "close": {S.OPEN: S.CLOSED},
    "compute": {status: status for status in S.values},  # the results, in a new version, at any time
    "annotate": {S.DRAFT: S.DRAFT, S.OPEN: S.OPEN, S.CLOSED: S.CLOSED},
    "publish": {S.CLOSED: S.PUBLISHED},
}
STEP_LABELS = {
    "create": gettext_lazy("round created"),
    "weights": gettext_lazy("weights set"),
    "open": gettext_lazy("opened for rating"),
    "close": gettext_lazy("rating closed"),
    "compute": gettext_lazy("computation queued"),
    "annotate": gettext_lazy("annotation written"),
    "publish": gettext_lazy("results published"),
}


def _refusal(round_: Round | None, step: str, status: str) -> str:
    return _("Cannot %(step)s round %(period)s: it is %(status)s.") % {
        "step": step, "period": round_.period if round_ else "", "status": status}


ROUNDS = Machine(model=Round, moves=ROUND_MOVES, events=RoundEvent, refusal=_refusal,
                 step_labels=STEP_LABELS)
# The criteria of every form, scored 0–100 (codes are the keys of Evaluation.scores).
CRITERIA = {
    "duty": "履职尽责",
    "response": "响应速度",
    "cooperation": "协作配合",
    "conduct": "工作作风",
}
# The Celery task that computes a round (assessment.tasks), enqueued by name.
COMPUTE_TASK = "assessment.compute_round"
WEIGHT_FIELDS = ("weight_objective", "weight_upward", "weight_downward", "weight_satisfaction", "weight_oversight")
# Everything a draft round's weights step may set.
SETTINGS_FIELDS = (*WEIGHT_FIELDS, "deputy_street_weight", "callback_share", "indicator_weights")


def runs_rounds(user) -> bool:
    """The district command center runs the rounds (and a superuser)."""
    return holds(user, Role.DISTRICT_COMMAND)


def _require_district(actor) -> str:
    """The unit an event records for the district's step; SYSTEM is beat (rounds open and close by
    themselves on their dates)."""
    if is_system(actor):
        return SYSTEM.unit
    return acting_as(actor, Role.DISTRICT_COMMAND, "district",
                     refusal=_("Only the district command center runs assessment rounds."))


def _check_weights(values: dict) -> None:
    errors = {}
    for field in WEIGHT_FIELDS + ("deputy_street_weight", "callback_share"):
        value = values.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            errors[field] = [_("A whole number of percent from 0 to 100.")]
    if not any(field in errors for field in WEIGHT_FIELDS) and sum(values[f] for f in WEIGHT_FIELDS) != 100:
        errors["weights"] = [_("The five weights must add up to 100.")]
    errors.update(scoring.check_indicator_weights(values.get("indicator_weights")))
    if "deputy_street_weight" not in errors and values["deputy_street_weight"] < reform.SQUAD_DEPUTY_MIN_STREET_WEIGHT:
        errors["deputy_street_weight"] = [
            _("The street's rating must count at least 50 percent of the squad deputy's result.")]
    if errors:
        raise InvalidInput(errors)


def _settings(round_: Round, changes: dict) -> dict:
    """The round's weights with the changes given; an indicator table replaces the tables of the
    kinds it names and keeps the others."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown round settings: {sorted(unknown)}")
    values = {field: getattr(round_, field) for field in SETTINGS_FIELDS}
    values.update({k: v for k, v in changes.items() if v is not None and k != "indicator_weights"})
    table = changes.get("indicator_weights")
    if table is not None:
        if not isinstance(table, dict):
            raise InvalidInput(scoring.check_indicator_weights(table))
        values["indicator_weights"] = {**(values["indicator_weights"] or scoring.default_indicator_weights()),
                                       **table}
    return values


# The years a round may assess: the platform's, with room for a district's history imported, and
# never a year (0000, 9999) that the half-year's date arithmetic cannot take.
PERIOD_YEARS = (2000, 2100)


@transaction.atomic
def round_create(*, actor, period: str, now: dt.datetime | None = None, **weights) -> Round:
    """A half-year's round, a draft; two created at once for the same period: the second is a 409."""
    unit = _require_district(actor)
    if not re.match(PERIOD_RE, period or ""):
        raise InvalidInput({"period": [_("A period is written like 2026H1.")]})
    if not PERIOD_YEARS[0] <= int(period[:4]) <= PERIOD_YEARS[1]:
        raise InvalidInput({"period": [_("A round's year is from %(first)s to %(last)s.")
                                       % {"first": PERIOD_YEARS[0], "last": PERIOD_YEARS[1]}]})
    exists = _("Round %(period)s exists already.") % {"period": period}
    if Round.objects.filter(period=period).exists():
        raise ActionConflict(exists)
    round_ = Round(period=period)
    values = _settings(round_, weights)
    _check_weights(values)
    for field, value in values.items():
        setattr(round_, field, value)
    with unique_or_conflict(exists, "assessment_round_period"):
        round_.save()
    ROUNDS.record(round_, "create", actor=actor, at=now or timezone.now(), unit=unit, data=values)
    return round_


def round_ensure(*, actor, period: str, now: dt.datetime | None = None) -> Round:
    """The period's round, created (with the default weights) if it does not exist yet: beat and
    `open_round` use it; two at once end with one round and no error."""
    round_ = Round.objects.filter(period=period).first()
    if round_ is not None:
        return round_
    try:
        return round_create(actor=actor, period=period, now=now)
    except ActionConflict:  # created by the other one in the meantime
        return Round.objects.get(period=period)


@transaction.atomic
def round_set_weights(*, round: Round, actor, now: dt.datetime | None = None, **weights) -> Round:
    """Weights can change only while the round is a draft."""
    unit = _require_district(actor)
    round_ = ROUNDS.lock(round)
    ROUNDS.next_status(round_, "weights")
    values = _settings(round_, weights)
    _check_weights(values)
    ROUNDS.move(round_, "weights", actor=actor, at=now or timezone.now(), unit=unit, changes=values, data=values)
    return round_


@transaction.atomic
def round_open(*, round: Round, actor, now: dt.datetime | None = None,
               closes_at: dt.datetime | None = None) -> Round:
    """Open the rating window and write every form of the plan (once: the pairs are unique). Beat
    opens the half just ended as SYSTEM."""
    unit = _require_district(actor)
    now = now or timezone.now()
    round_ = ROUNDS.lock(round)
    ROUNDS.next_status(round_, "open")
    closes_at = closes_at or now + dt.timedelta(days=settings.ASSESSMENT_WINDOW_DAYS)
    if closes_at <= now:
        raise InvalidInput({"closes_at": [_("The rating window must close in the future.")]})
    ROUNDS.move(round_, "open", actor=actor, at=now, unit=unit, data={"closes_at": closes_at.isoformat()},
                changes={"opened_at": now, "window_opens_at": now, "window_closes_at": closes_at})
    names = plan.names()
    Evaluation.objects.bulk_create([
        Evaluation(round=round_, direction=p.direction, rater_kind=p.rater_kind, rater_id=p.rater_id,
                   rater_name=names.get((p.rater_kind, p.rater_id), "")[:100], ratee_kind=p.ratee_kind,
                   ratee_id=p.ratee_id, ratee_name=names.get((p.ratee_kind, p.ratee_id), "")[:100])
        for p in sorted(plan.plan(*(moment.date() for moment in round_.bounds)),
                        key=lambda p: (p.rater_kind, p.rater_id, p.ratee_kind, p.ratee_id))
    ], batch_size=2000, ignore_conflicts=True)
    return round_


@transaction.atomic
def round_close(*, round: Round, actor, now: dt.datetime | None = None) -> Round:
    """End the rating window (beat does it as SYSTEM when the window's time is up)."""
    unit = _require_district(actor)
    now = now or timezone.now()
    round_ = ROUNDS.lock(round)
    ROUNDS.move(round_, "close", actor=actor, at=now, unit=unit, changes={"closed_at": now})
    return round_


@transaction.atomic
def round_annotate(*, round: Round, actor, annotation: str, now: dt.datetime | None = None) -> Round:
    """The district's note on the results; published results are frozen, their note too."""
    unit = _require_district(actor)
    round_ = ROUNDS.lock(round)
    ROUNDS.move(round_, "annotate", actor=actor, at=now or timezone.now(), unit=unit, note=annotation,
                changes={"annotation": annotation})
    return round_


@transaction.atomic
def round_publish(*, round: Round, actor, now: dt.datetime | None = None) -> Round:
    """Freeze the current version of the results and show it on the public page."""
    unit = _require_district(actor)
    now = now or timezone.now()
    round_ = ROUNDS.lock(round)
    ROUNDS.next_status(round_, "publish")
    if not round_.version or not round_.results.filter(version=round_.version).exists():
        raise ActionConflict(_("Compute the results before publishing them."))
    ROUNDS.move(round_, "publish", actor=actor, at=now, unit=unit, data={"version": round_.version},
                changes={"published_at": now, "published_version": round_.version})
    return round_


# --- evaluation forms ------------------------------------------------------------------------------

def my_evaluations(*, user, round: Round | None = None):
    """The forms this person fills: only their own rating units' (a superuser sees all)."""
    queryset = Evaluation.objects.select_related("round")
    if round is not None:
        queryset = queryset.filter(round=round)
    if user.is_superuser:
        return queryset
    units = plan.rater_units(user)
    if not units:
        return queryset.none()
    rule = Q()
    for kind, unit_id in units:
        rule |= Q(rater_kind=kind, rater_id=unit_id)
    return queryset.filter(rule)


def _check_scores(scores) -> dict[str, int]:
    if not isinstance(scores, dict):
        raise InvalidInput({"scores": [_("Give a score for each criterion.")]})
    errors = []
    clean = {}
    for code in CRITERIA:
        value = scores.get(code)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100 \
                or value != int(value):
            errors.append(_("%(criterion)s: a whole number from 0 to 100.") % {"criterion": code})
        else:
            clean[code] = int(value)
    unknown = sorted(set(scores) - set(CRITERIA))
    if unknown:
        errors.append(_("Unknown criteria: %(codes)s.") % {"codes": ", ".join(unknown)})
    if errors:
        raise InvalidInput({"scores": errors})
    return clean


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, actor, scores: dict, comment: str = "",
                      now: dt.datetime | None = None) -> Evaluation:
    """Fill (or correct) one's own form while the round is open."""
    now = now or timezone.now()
    evaluation = Evaluation.objects.select_for_update().select_related("round").get(pk=evaluation.pk)
    if not actor.is_superuser and (evaluation.rater_kind, evaluation.rater_id) not in plan.rater_units(actor):
        raise ActionForbidden(_("Only the rating unit fills this form."))
    if evaluation.round.status != RoundStatus.OPEN:
        raise ActionConflict(_("Round %(period)s is not open for rating.") % {"period": evaluation.round.period})
    evaluation.scores, evaluation.comment = _check_scores(scores), comment
    evaluation.submitted_at, evaluation.submitted_by = now, actor
    evaluation.save(update_fields=["scores", "comment", "submitted_at", "submitted_by"])
    return evaluation


# --- incentive awards ------------------------------------------------------------------------------

@transaction.atomic
def award_record(*, actor, street: Street, agency: Agency, amount, reason: str, round: Round | None = None,
                 year: int | None = None, now: dt.datetime | None = None) -> Award:
    """统筹激励: the street's own money to an agency serving it, for a budget year (by default this
    year, or the year of the published round it rests on); it waits for a second staff member's approval."""
    now = now or timezone.now()
    if not holds(actor, Role.STREET_STAFF, "street", street.pk):
        raise ActionForbidden(_("Only the street's own staff record its incentive awards."))
    if round is not None and round.status != RoundStatus.PUBLISHED:
        raise ActionConflict(_("Awards are recorded against a published round."))
    if not agency.streets.filter(pk=street.pk).exists():
        raise InvalidInput({"agency": [_("%(code)s is not an agency serving this street.") % {"code": agency.code}]})
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise InvalidInput({"amount": [_("The amount must be more than zero.")]}) from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput({"amount": [_("The amount must be more than zero.")]})
    if not reason.strip():
        raise InvalidInput({"reason": [_("Say what the award is for.")]})
    if year is None:
        year = int(round.period[:4]) if round is not None else timezone.localtime(now).year
    return Award.objects.create(round=round, year=year, street=street, agency=agency, amount=amount, reason=reason,
                                recorded_by=actor, recorded_at=now)


@transaction.atomic
def award_decide(*, award: Award, actor, approve: bool, now: dt.datetime | None = None) -> Award:
    """A second member of the street's staff approves or refuses (never the one who recorded it)."""
    award = Award.objects.select_for_update().select_related("street").get(pk=award.pk)
    if not holds(actor, Role.STREET_STAFF, "street", award.street_id):
        raise ActionForbidden(_("Only the street's own staff approve its incentive awards."))
    if award.recorded_by_id == actor.pk:
        raise ActionForbidden(_("An award is approved by someone other than the person who recorded it."))
    if award.status != AwardStatus.PENDING:
        raise ActionConflict(_("This award has been decided already."))
    award.status = AwardStatus.APPROVED if approve else AwardStatus.REFUSED
    award.decided_by, award.decided_at = actor, now or timezone.now()
    award.save(update_fields=["status", "decided_by", "decided_at"])
    return award


def award_totals(*, year: int, street_ids=None) -> list[dict]:
    """Approved awards per street in a budget year: count and sum (one grouped query)."""
    from django.db.models import Count, Sum

    awards = Award.objects.filter(year=year, status=AwardStatus.APPROVED)
    if street_ids is not None:
        awards = awards.filter(street_id__in=street_ids)
    return list(awards.values("street_id", "street__code", "street__name")
                .annotate(count=Count("id"), total=Sum("amount")).order_by("street__code"))


@transaction.atomic
def round_compute(*, round: Round, actor, now: dt.datetime | None = None) -> Round:
    """Queue the computation on Celery once the transaction commits; one at a time per round. With
    the broker down the round stays `queued` (stage "waiting_for_broker") and the task waits in the
    outbox (haidian.outbox) until the broker is back; if it cannot even be kept, the round is
    marked `failed` with the reason, and can be computed again."""
    unit = _require_district(actor)
    round_ = ROUNDS.lock(round)
    if round_.compute_state in (ComputeState.QUEUED, ComputeState.RUNNING):
        raise ActionConflict(_("Round %(period)s is being computed already.") % {"period": round_.period})
    ROUNDS.move(round_, "compute", actor=actor, at=now or timezone.now(), unit=unit, changes={
        "compute_state": ComputeState.QUEUED, "compute_percent": 0, "compute_stage": "queued", "compute_error": ""})
    transaction.on_commit(lambda: _enqueue_compute(round_))
    return round_


WAITING_FOR_BROKER = "waiting_for_broker"


def _enqueue_compute(round_: Round) -> None:
    """After the commit: send the computation, or keep it; never leave a `queued` round that nothing
    will compute (every later compute would be refused as running)."""
    try:
        sent = outbox.send_or_keep(COMPUTE_TASK, [round_.pk])
    except Exception as exc:  # neither sent nor kept: say so on the round, which stays retryable
        logger.exception("round %s: computation could neither be queued nor kept", round_.period)
        changes = {"compute_state": ComputeState.FAILED, "compute_stage": "",
                   "compute_error": f"not queued: {type(exc).__name__}: {exc}"[:2000]}
    else:
        if sent:
            return
        changes = {"compute_stage": WAITING_FOR_BROKER}
    Round.objects.filter(pk=round_.pk, compute_state=ComputeState.QUEUED).update(**changes)
    for field, value in changes.items():
        setattr(round_, field, value)
