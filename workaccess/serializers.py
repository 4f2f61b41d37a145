"""Input and output shapes of the work access API."""

from rest_framework import serializers

from agencies.models import Department, Street
from haidian.api import ModelSerializer, Serializer
from workaccess.models import AccessRequest, DelegatedAction, DelegatedMatter, StreetAssignment


class AssignmentSerializer(ModelSerializer):
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)

    class Meta:
        model = StreetAssignment
        fields = ["id", "street", "street_name", "assigned_at", "acknowledged_at"]


class AccessRequestSerializer(ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = AccessRequest
        fields = ["id", "department", "title", "description", "powers", "budget_yuan", "staff_count", "status",
                  "meeting_reference", "created_at", "submitted_at", "decided_at", "assignments"]


class AccessRequestInput(Serializer):
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    title = serializers.CharField(max_length=120)
    description = serializers.CharField()
    powers = serializers.CharField()
    budget_yuan = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    staff_count = serializers.IntegerField(min_value=0, max_value=100000)


class DecisionInput(Serializer):
    meeting_reference = serializers.CharField(max_length=80)


class AssignInput(Serializer):
    streets = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all(), many=True,
                                           allow_empty=False)


class StreetTaskSerializer(ModelSerializer):
    """What a street sees of its assignment: the task and the powers, money and people with it."""

    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    request = serializers.IntegerField(source="request_id", read_only=True)
    department = serializers.CharField(source="request.department.name", read_only=True)
    title = serializers.CharField(source="request.title", read_only=True)
    description = serializers.CharField(source="request.description", read_only=True)
    powers = serializers.CharField(source="request.powers", read_only=True)
    budget_yuan = serializers.DecimalField(source="request.budget_yuan", max_digits=14, decimal_places=2,
                                           read_only=True)
    staff_count = serializers.IntegerField(source="request.staff_count", read_only=True)
    meeting_reference = serializers.CharField(source="request.meeting_reference", read_only=True)

    class Meta:
        model = StreetAssignment
        fields = ["id", "request", "street", "department", "title", "description", "powers", "budget_yuan",
                  "staff_count", "meeting_reference", "assigned_at", "acknowledged_at"]


class MatterSerializer(ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DelegatedMatter
        fields = ["id", "department", "code", "title", "legal_basis", "valid_from", "valid_until", "active"]


class MatterInput(Serializer):
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    code = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=200)
    legal_basis = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False, default=True)


class MatterChange(Serializer):
    title = serializers.CharField(max_length=200, required=False)
    legal_basis = serializers.CharField(required=False)
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


class ActionSerializer(ModelSerializer):
    matter = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    case = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = DelegatedAction
        fields = ["id", "matter", "street", "at", "description", "case"]


class ActionInput(Serializer):
    matter = serializers.SlugRelatedField(slug_field="code", queryset=DelegatedMatter.objects.all())
    street = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all())
    description = serializers.CharField()
    at = serializers.DateTimeField(required=False)
    case_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
