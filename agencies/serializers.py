from rest_framework import serializers

from agencies.models import Agency, Department, Street
from haidian.api import ModelSerializer


class StreetSerializer(ModelSerializer):
    district = serializers.CharField(source="district.code", read_only=True)

    class Meta:
        model = Street
        fields = ["code", "name", "short_name", "kind", "district"]


class DepartmentSerializer(ModelSerializer):
    district = serializers.CharField(source="district.code", read_only=True)

    class Meta:
        model = Department
        fields = ["code", "name", "district"]


class AgencySerializer(ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    streets = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "management_mode", "department", "streets"]
