"""Input and output shapes of the appointments API."""

from rest_framework import serializers

from agencies.models import Agency, Street
from appointments.models import Appointment, Position, Verdict
from haidian.api import ModelSerializer, Serializer


class AppointmentSerializer(ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    has_document = serializers.SerializerMethodField()
    # Same choices as `requirement`: a plain string keeps the schema to one enum for them.
    document_kind = serializers.CharField(read_only=True, help_text="opinion | consent, once attached")

    class Meta:
        model = Appointment
        fields = ["id", "agency", "street", "candidate_name", "position", "requirement", "status", "proposed_at",
                  "document_kind", "verdict", "document_text", "has_document", "document_at", "filed_at",
                  "hr_reference", "refusal_reason", "refused_at"]
        read_only_fields = fields

    def get_has_document(self, obj) -> bool:
        return bool(obj.document_file)


class AppointmentInput(Serializer):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    street = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all())
    candidate_name = serializers.CharField(max_length=50)
    position = serializers.ChoiceField(choices=Position.choices)


class AppointmentDocumentInput(Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    text = serializers.CharField(max_length=2000)
    upload = serializers.FileField()


class AppointmentFileInput(Serializer):
    hr_reference = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
