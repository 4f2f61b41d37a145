from rest_framework import serializers

from grids.models import Community, GridCell
from haidian.api import ModelSerializer


class CommunitySerializer(ModelSerializer):
    street = serializers.CharField(source="street.code", read_only=True)

    class Meta:
        model = Community
        fields = ["code", "name", "kind", "street", "synthetic"]


class GridSerializer(ModelSerializer):
    community = serializers.CharField(source="community.code", read_only=True)
    street = serializers.CharField(source="community.street.code", read_only=True)

    class Meta:
        model = GridCell
        fields = ["code", "name", "community", "street", "area_m2", "centroid_lat", "centroid_lng", "synthetic"]


class GridDetailSerializer(GridSerializer):
    class Meta(GridSerializer.Meta):
        fields = [*GridSerializer.Meta.fields, "boundary"]


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
