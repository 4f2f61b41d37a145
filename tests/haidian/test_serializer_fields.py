"""Serializer fields built once per class are still bound to each serializer instance."""

import pytest
from rest_framework import serializers

from haidian.api import ModelSerializer, Serializer


class Point(Serializer):
    name = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())


class Line(Serializer):
    start = Point()
    label = serializers.SerializerMethodField()

    def get_label(self, obj) -> str:
        return f"{self.context['prefix']}{obj['start']['name']}"


def test_each_instance_gets_its_own_bound_fields():
    first, second = Point(data={"name": "a", "tags": []}), Point(data={"name": "b", "tags": ["x"]})

    assert first.fields["name"] is not second.fields["name"]
    assert first.fields["name"].parent is first and second.fields["name"].parent is second
    assert first.fields["tags"].child is not second.fields["tags"].child
    assert first.fields["tags"].child.parent is first.fields["tags"]
    assert first.is_valid() and second.is_valid()
    assert (first.validated_data["name"], second.validated_data["tags"]) == ("a", ["x"])
    assert all(field.parent is None for field in Point._field_template.values())  # the template stays unbound


def test_nested_serializers_read_their_own_root_context():
    line = {"start": {"name": "起点", "tags": []}}

    assert Line(line, context={"prefix": "甲"}).data["label"] == "甲起点"
    assert Line(line, context={"prefix": "乙"}).data["label"] == "乙起点"
    assert Line(line, context={"prefix": "甲"}).fields["start"].fields["name"].root.context == {"prefix": "甲"}


@pytest.mark.django_db
def test_model_serializers_map_model_fields_once_per_class():
    from dispatch.models import Category

    class CategoryCodes(ModelSerializer):
        class Meta:
            model = Category
            fields = ["code", "name"]

    category = Category.objects.filter(parent__isnull=False).first()
    assert CategoryCodes(category).data == {"code": category.code, "name": category.name}
    template = CategoryCodes._field_template
    assert CategoryCodes(category).data["code"] == category.code
    assert CategoryCodes._field_template is template
