"""Representations and inputs of the assessment API."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency, Street
from assessment.models import Award, Evaluation, Result, Round, UnitKind
from assessment.services import CRITERIA
from haidian import reform
from haidian.api import ModelSerializer, Serializer


class RoundSerializer(ModelSerializer):
    class Meta:
        model = Round
        fields = ["period", "status", "window_opens_at", "window_closes_at", "weight_objective", "weight_upward",
                  "weight_downward", "weight_satisfaction", "weight_oversight", "callback_share",
                  "indicator_weights", "deputy_street_weight", "annotation", "opened_at",
                  "closed_at", "published_at", "version", "published_version", "compute_state", "compute_percent",
                  "compute_stage", "compute_error", "computed_at", "compute_seconds"]
        read_only_fields = fields


class RoundSettings(Serializer):
    """A round's weights, as a draft round may set them (assessment.services.SETTINGS_FIELDS)."""

    weight_objective = serializers.IntegerField(required=False, min_value=0, max_value=100)
    weight_upward = serializers.IntegerField(required=False, min_value=0, max_value=100)
    weight_downward = serializers.IntegerField(required=False, min_value=0, max_value=100)
    weight_satisfaction = serializers.IntegerField(required=False, min_value=0, max_value=100)
    weight_oversight = serializers.IntegerField(required=False, min_value=0, max_value=100)
    callback_share = serializers.IntegerField(required=False, min_value=0, max_value=100)
    indicator_weights = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=100)), required=False,
        help_text=_("kind → indicator → weight in percent; each kind given replaces that kind's table and adds up "
                    "to 100"))
    deputy_street_weight = serializers.IntegerField(
        required=False, min_value=reform.SQUAD_DEPUTY_MIN_STREET_WEIGHT, max_value=100,
        error_messages={"min_value": _("The street's rating must count at least 50 percent of the squad deputy's "
                                       "result.")})


class RoundInput(RoundSettings):
    # The years assessment.services.PERIOD_YEARS allows, so that the schema's pattern says them too.
    period = serializers.RegexField(r"^(?:20\d\d|2100)H[12]$", error_messages={
        "invalid": _("A period is written like 2026H1, for a year from 2000 to 2100.")})


class RoundChange(RoundSettings):
    annotation = serializers.CharField(required=False, allow_blank=True)


class OpenInput(Serializer):
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class EvaluationSerializer(ModelSerializer):
    round = serializers.CharField(source="round.period")
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "round", "direction", "rater_kind", "rater_id", "rater_name", "ratee_kind", "ratee_id",
                  "ratee_name", "scores", "comment", "submitted_at", "late"]
        read_only_fields = fields


@extend_schema_field({
    "type": "object",
    "properties": {code: {"type": "integer", "minimum": 0, "maximum": 100, "description": label}
                   for code, label in CRITERIA.items()},
    "required": list(CRITERIA),
    "additionalProperties": False,
})
class ScoresField(serializers.DictField):
    """Each criterion (assessment.services.CRITERIA) scored with a whole number from 0 to 100, no other key
    (the service judges them)."""


class SubmitInput(Serializer):
    scores = ScoresField(child=serializers.JSONField())
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ResultSerializer(ModelSerializer):
    class Meta:
        model = Result
        fields = ["kind", "unit_id", "unit_code", "unit_name", "version", "rank", "grade", "total", "objective",
                  "upward", "downward", "satisfaction", "oversight", "callback", "sample", "sample_ok", "indicators",
                  "breakdown"]
        read_only_fields = fields


class BehindRow(Serializer):
    case = serializers.CharField(allow_null=True)
    ref = serializers.CharField()
    weight = serializers.IntegerField()


class BehindSides(Serializer):
    numerator = BehindRow(many=True)
    denominator = BehindRow(many=True)


class IndicatorBehind(Serializer):
    indicator = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.IntegerField()
    numerator = serializers.CharField()
    numerator_value = serializers.IntegerField()
    denominator = serializers.CharField()
    denominator_value = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    mean = serializers.FloatField()
    shrunk = serializers.BooleanField()
    score = serializers.FloatField()
    points = serializers.FloatField()
    behind = BehindSides(allow_null=True)


class ResultDetailSerializer(ResultSerializer):
    """A result with the case numbers behind each indicator (never a reporter's name or phone)."""

    behind = IndicatorBehind(many=True, read_only=True)

    class Meta(ResultSerializer.Meta):
        fields = [*ResultSerializer.Meta.fields, "behind"]
        read_only_fields = fields


class ResultQuery(Serializer):
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, min_value=1, allow_null=True, default=None)


class AwardSerializer(ModelSerializer):
    street = serializers.CharField(source="street.code")
    agency = serializers.CharField(source="agency.code")
    round = serializers.CharField(source="round.period", default=None)

    class Meta:
        model = Award
        fields = ["id", "year", "round", "street", "agency", "amount", "reason", "status", "recorded_at",
                  "decided_at"]
        read_only_fields = fields


class AwardInput(Serializer):
    street = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all())
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                                      error_messages={"min_value": _("The amount must be more than zero.")})
    reason = serializers.CharField()
    year = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=2000, max_value=2100)


class AwardTotalsQuery(Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class AwardTotalRow(Serializer):
    """One street's approved awards in the year (`awards/summary/`)."""

    street = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="yuan")


class RewardQuery(Serializer):
    street = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all())
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class RewardRow(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    post = serializers.CharField()
    rounds = serializers.DictField(child=serializers.FloatField())
    mean = serializers.FloatField(allow_null=True)
    grade = serializers.CharField(allow_blank=True)
    tier = serializers.CharField(allow_blank=True)
