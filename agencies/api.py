"""Read-only organisation endpoints; every queryset comes from a scoped selector."""

from rest_framework import viewsets

from agencies import selectors
from agencies.serializers import AgencySerializer, DepartmentSerializer, StreetSerializer


class StreetViewSet(viewsets.ReadOnlyModelViewSet):
    """Streets and towns (街道 / 镇) in your scope."""

    serializer_class = StreetSerializer
    lookup_field = "code"
    filterset_fields = ["kind"]

    def get_queryset(self):
        return selectors.street_list(user=self.request.user)


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """District departments (专业部门) of your district."""

    serializer_class = DepartmentSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.department_list(user=self.request.user)


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Dispatched agencies (派驻机构) in your scope."""

    serializer_class = AgencySerializer
    lookup_field = "code"
    filterset_fields = ["kind", "management_mode"]

    def get_queryset(self):
        return selectors.agency_list(user=self.request.user)
