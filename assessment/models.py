"""The half-yearly two-way assessment (DESIGN §6, the reform's 四 完善评价考核机制).

A Round is one half-year (`2026H1`): draft → open → closed → published. Opening it writes the
two-way evaluation forms (who rates whom is `assessment.forms_plan`); closing it stops the
ratings; computing it writes Result rows of one version; publishing freezes that version. A
recomputation after publication writes a new version and keeps the published one.

Units are referred to as (kind, id): the id of a District, Department, Street, Agency, Community,
or of the user for a grid worker or a squad's executive deputy. Names are kept on the rows as
they were, so a published ranking does not change when a unit is renamed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Street
from assessment.scoring import default_indicator_weights
from dispatch.models import Case, Satisfaction
from haidian import reform
from haidian.calendar import SHANGHAI
from haidian.models import Event

PERIOD_RE = r"^\d{4}H[12]$"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for rating")
    CLOSED = "closed", _("closed")
    PUBLISHED = "published", _("published")


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("district")
    DEPARTMENT = "department", _("department")
    STREET = "street", _("street / town")
    AGENCY = "agency", _("dispatched agency")
    COMMUNITY = "community", _("community")
    GRID_WORKER = "grid_worker", _("grid worker")
    SQUAD_DEPUTY = "squad_deputy", _("urban-management squad executive deputy")
    CO_MANAGER = "co_manager", _("co-manager")
    OVERSIGHT = "oversight", _("supervision committee")


# Kinds whose units are people: published only by unit, never by name (assessment.public).
PERSON_KINDS = frozenset({UnitKind.GRID_WORKER, UnitKind.SQUAD_DEPUTY, UnitKind.CO_MANAGER})


class Direction(models.TextChoices):
    UP = "up", _("upward")
    DOWN = "down", _("downward")
    OVERSIGHT = "oversight", _("supervision")


class ComputeState(models.TextChoices):
    IDLE = "", _("not computed")
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("computing")
    DONE = "done", _("computed")
    FAILED = "failed", _("failed")


def period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a half-year in Asia/Shanghai: 2026H1 → 2026-01-01 … 2026-07-01."""
    year, half = int(period[:4]), int(period[5])
    start = dt.datetime(year, 1 if half == 1 else 7, 1, tzinfo=SHANGHAI)
    end = dt.datetime(year, 7, 1, tzinfo=SHANGHAI) if half == 1 else dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    return start, end


class Round(models.Model):
    """考核轮次: one half-year's assessment."""

    period = models.CharField(_("period"), max_length=6, unique=True,
                              validators=[RegexValidator(PERIOD_RE, _("A period is written like 2026H1."))])
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    window_opens_at = models.DateTimeField(_("rating opens"), null=True, blank=True)
    window_closes_at = models.DateTimeField(_("rating closes"), null=True, blank=True)
    # Weights in percent; they add up to 100 (a database check).
    weight_objective = models.PositiveSmallIntegerField(
        _("weight of objective indicators"), default=reform.DEFAULT_WEIGHTS["weight_objective"])
    weight_upward = models.PositiveSmallIntegerField(
        _("weight of upward ratings"), default=reform.DEFAULT_WEIGHTS["weight_upward"])
    weight_downward = models.PositiveSmallIntegerField(
        _("weight of downward ratings"), default=reform.DEFAULT_WEIGHTS["weight_downward"])
    weight_satisfaction = models.PositiveSmallIntegerField(
        _("weight of public satisfaction"), default=reform.DEFAULT_WEIGHTS["weight_satisfaction"])
    weight_oversight = models.PositiveSmallIntegerField(
        _("weight of the supervision committee's rating"), default=reform.DEFAULT_WEIGHTS["weight_oversight"])
    callback_share = models.PositiveSmallIntegerField(
        _("share of staff call-backs in public satisfaction (percent)"), default=reform.DEFAULT_CALLBACK_SHARE,
        validators=[MaxValueValidator(100)])
    # kind → indicator → weight in percent (assessment.scoring); each kind adds up to 100.
    indicator_weights = models.JSONField(_("indicator weights"), default=default_indicator_weights, blank=True)
    # The street's rating of the squad's executive deputy counts at least half of that person's result.
    deputy_street_weight = models.PositiveSmallIntegerField(
        _("street's weight in the squad deputy's result"), default=reform.SQUAD_DEPUTY_MIN_STREET_WEIGHT,
        validators=[MinValueValidator(reform.SQUAD_DEPUTY_MIN_STREET_WEIGHT), MaxValueValidator(100)])
    annotation = models.TextField(_("district's annotation"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("results version"), default=0)
    published_version = models.PositiveIntegerField(_("published version"), null=True, blank=True)
    compute_state = models.CharField(_("computation"), max_length=10, choices=ComputeState.choices, blank=True,
                                     default=ComputeState.IDLE)
    compute_percent = models.PositiveSmallIntegerField(_("computed (percent)"), default=0)
    compute_stage = models.CharField(_("computation stage"), max_length=100, blank=True)
    compute_error = models.TextField(_("computation error"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    compute_seconds = models.FloatField(_("computation time (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-period"]
        constraints = [
            models.CheckConstraint(name="round_weights_add_up", condition=Q(
                weight_objective=100 - F("weight_upward") - F("weight_downward") - F("weight_satisfaction")
                - F("weight_oversight"))),
            models.CheckConstraint(name="round_callback_share_percent", condition=Q(callback_share__lte=100)),
            models.CheckConstraint(name="round_deputy_street_weight_at_least_half",
                                   condition=Q(deputy_street_weight__gte=reform.SQUAD_DEPUTY_MIN_STREET_WEIGHT,
                                               deputy_street_weight__lte=100)),
            models.CheckConstraint(name="round_status_valid", condition=Q(status__in=RoundStatus.values)),
        ]

    def __str__(self) -> str:
        return self.period

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return period_bounds(self.period)

    @property
    def weights(self) -> dict[str, int]:
        return {"objective": self.weight_objective, "upward": self.weight_upward,
                "downward": self.weight_downward, "satisfaction": self.weight_satisfaction,
                "oversight": self.weight_oversight}


class RoundEvent(Event):
    """One step on an assessment round (created, weights set, opened, closed, computed, annotated,
    published)."""

    SUBJECT = "round"
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="events", verbose_name=_("round"),
                              db_index=False)

    class Meta(Event.Meta):
        verbose_name = _("round event")
        verbose_name_plural = _("round events")
        indexes = [models.Index(fields=["round", "at"], name="roundevent_round_at_idx")]


class Evaluation(models.Model):
    """One evaluation form: a rater unit scores a ratee unit on each criterion (0–100), with a comment."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("round"))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    rater_kind = models.CharField(_("rater kind"), max_length=15, choices=UnitKind.choices)
    rater_id = models.PositiveIntegerField(_("rater"))
    rater_name = models.CharField(_("rater name"), max_length=100)
    ratee_kind = models.CharField(_("rated kind"), max_length=15, choices=UnitKind.choices)
    ratee_id = models.PositiveIntegerField(_("rated"))
    ratee_name = models.CharField(_("rated name"), max_length=100)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("submitted by"))

    class Meta:
        verbose_name = _("evaluation form")
        verbose_name_plural = _("evaluation forms")
        ordering = ["round", "rater_kind", "rater_id", "ratee_kind", "ratee_name"]
        constraints = [models.UniqueConstraint(fields=["round", "rater_kind", "rater_id", "ratee_kind", "ratee_id"],
                                               name="evaluation_once_per_pair")]
        indexes = [models.Index(fields=["round", "rater_kind", "rater_id"], name="evaluation_rater_idx"),
                   models.Index(fields=["round", "ratee_kind", "ratee_id"], name="evaluation_ratee_idx")]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.rater_name} → {self.ratee_name}"

    @property
    def late(self) -> bool:
        closes = self.round.window_closes_at
        return bool(self.submitted_at and closes and self.submitted_at > closes)


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class Result(models.Model):
    """One unit's result in one version of a round's computation."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results", verbose_name=_("round"))
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=15, choices=UnitKind.choices)
    unit_id = models.PositiveIntegerField(_("unit"))
    unit_code = models.CharField(_("code"), max_length=150, blank=True)
    unit_name = models.CharField(_("name"), max_length=100)
    objective = models.FloatField(_("objective indicators"), null=True, blank=True)
    upward = models.FloatField(_("upward ratings"), null=True, blank=True)
    downward = models.FloatField(_("downward ratings"), null=True, blank=True)
    satisfaction = models.FloatField(_("public satisfaction"), null=True, blank=True)
    oversight = models.FloatField(_("supervision committee's rating"), null=True, blank=True)
    callback = models.FloatField(_("staff call-backs' satisfaction"), null=True, blank=True)
    total = models.FloatField(_("total"), null=True, blank=True)
    sample = models.PositiveIntegerField(_("sample"), null=True, blank=True)
    sample_ok = models.BooleanField(_("enough data to rank"), default=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    indicators = models.JSONField(_("indicators"), default=dict, blank=True)
    # How the total was made: each component's value, sample and weight, each indicator's
    # numerator, denominator, mean, shrinkage and points (assessment.scoring).
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["round", "version", "kind", "rank", "unit_name"]
        constraints = [models.UniqueConstraint(fields=["round", "version", "kind", "unit_id"],
                                               name="result_once_per_unit_and_version")]

    def __str__(self) -> str:
        return f"{self.round_id} v{self.version} {self.unit_name}: {self.total}"


class RatingInvitation(models.Model):
    """The private link a reporter gets when their case closes: one rating per case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating_invitation",
                                verbose_name=_("case"))
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    used_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating invitation")
        verbose_name_plural = _("rating invitations")

    def __str__(self) -> str:
        return str(self.case_id)


class SurveyImport(models.Model):
    """One file of respondent-level answers from the third-party survey firm, for one round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("round"))
    filename = models.CharField(_("file name"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("survey import")
        verbose_name_plural = _("survey imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.filename


class SurveyResponse(models.Model):
    """One respondent's answer about one unit."""

    survey = models.ForeignKey(SurveyImport, on_delete=models.CASCADE, related_name="responses",
                               verbose_name=_("survey import"))
    unit_kind = models.CharField(_("unit kind"), max_length=15, choices=UnitKind.choices)
    unit_id = models.PositiveIntegerField(_("unit"))
    respondent = models.CharField(_("respondent"), max_length=50)
    answer = models.CharField(_("answer"), max_length=20, choices=Satisfaction.choices)
    line = models.PositiveIntegerField(_("line"))

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["unit_kind", "unit_id"], name="survey_unit_idx")]

    def __str__(self) -> str:
        return f"{self.unit_kind} {self.unit_id}: {self.answer}"


class AwardStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class Award(models.Model):
    """统筹激励: money a street gives an agency serving it from its own budget, for a year (and, if
    it rests on one, a published assessment round). A second member of the street's staff approves
    or refuses it; only approved awards count in the street's yearly total."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="awards", verbose_name=_("round"),
                              null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("budget year"))
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+", verbose_name=_("street"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))
    status = models.CharField(_("status"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("approved or refused by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("approved or refused at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incentive award")
        verbose_name_plural = _("incentive awards")
        ordering = ["-recorded_at"]
        constraints = [models.CheckConstraint(name="award_amount_positive", condition=Q(amount__gt=0))]
        indexes = [models.Index(fields=["street", "year"], name="award_street_year_idx")]

    def __str__(self) -> str:
        return f"{self.street_id} → {self.agency_id}: {self.amount}"
