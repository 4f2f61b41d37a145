"""Input and output shapes of the 吹哨报到 API."""

from django.conf import settings
from rest_framework import serializers

from haidian.api import ModelSerializer, Serializer
from whistle.models import MAX_MINUTES, SummonedUnit, Summons


class SummonedUnitSerializer(ModelSerializer):
    code = serializers.CharField()
    kind = serializers.CharField(help_text="agency or department")
    name = serializers.CharField(source="unit.name")

    class Meta:
        model = SummonedUnit
        fields = ["code", "kind", "name", "status", "due_at", "checked_in_at", "lat", "lng", "location_note"]
        read_only_fields = fields


class SummonsSerializer(ModelSerializer):
    case = serializers.CharField(source="case.number")
    street = serializers.CharField(source="street.code")
    units = SummonedUnitSerializer(many=True)

    class Meta:
        model = Summons
        fields = ["id", "case", "street", "minutes", "note", "created_at", "units"]
        read_only_fields = fields


class WhistleInput(Serializer):
    units = serializers.ListField(child=serializers.CharField(max_length=20), allow_empty=False,
                                  help_text="codes of agencies serving the case's street or of departments "
                                            "of its district")
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_MINUTES, required=False,
                                       help_text="time to report on site; default WHISTLE_MINUTES")
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)

    def validate(self, attrs):
        attrs.setdefault("minutes", settings.WHISTLE_MINUTES)
        return attrs


class CheckInInput(Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    unit = serializers.CharField(required=False, default=None, allow_null=True, max_length=20,
                                 help_text="the unit's code, for someone who reports for several")
    location_note = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
