"""Work access and delegated enforcement endpoints.

Reads go through the scoped selectors (an object outside your scope is a 404); every write
validates its input (400), then calls the service, which answers 403 for the wrong person and 409
for the wrong moment.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from workaccess import selectors, serializers, services


def _newest_first(field: str) -> type[CursorPagination]:
    return type(f"Newest{field.title()}Pagination", (CursorPagination,),
                {"ordering": (f"-{field}", "-id"), "page_size_query_param": "page_size", "max_page_size": 200})


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class AccessRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Work access requests (工作准入): a department drafts and submits; the district command approves or
    refuses under the meeting's reference and assigns an approved task to streets."""

    serializer_class = serializers.AccessRequestSerializer
    pagination_class = _newest_first("created_at")

    def get_queryset(self):
        return selectors.request_list(user=self.request.user).prefetch_related("assignments__street")

    def _render(self, obj, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=code)

    @extend_schema(request=serializers.AccessRequestInput, responses={201: serializers.AccessRequestSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(serializers.AccessRequestInput, request)
        created = services.request_create(actor=request.user, **data)
        return self._render(created, status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._render(services.request_submit(request=self.get_object(), actor=request.user))

    @extend_schema(request=serializers.DecisionInput)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = _input(serializers.DecisionInput, request)
        return self._render(services.request_decide(request=self.get_object(), actor=request.user, approve=True,
                                                    **data))

    @extend_schema(request=serializers.DecisionInput)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        data = _input(serializers.DecisionInput, request)
        return self._render(services.request_decide(request=self.get_object(), actor=request.user, approve=False,
                                                    **data))

    @extend_schema(request=serializers.AssignInput)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = _input(serializers.AssignInput, request)
        return self._render(services.request_assign(request=self.get_object(), actor=request.user, **data)[0].request)


class StreetTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Tasks assigned to streets, with the powers, money and people that came with them."""

    serializer_class = serializers.StreetTaskSerializer
    pagination_class = _newest_first("assigned_at")

    def get_queryset(self):
        return selectors.assignment_list(user=self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        done = services.assignment_acknowledge(assignment=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=done.pk)).data)


class DelegatedMatterViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The district's catalogue of matters delegated to streets (委托管理执法事项); the command center
    maintains it."""

    serializer_class = serializers.MatterSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.matter_list(user=self.request.user)

    @extend_schema(request=serializers.MatterInput, responses={201: serializers.MatterSerializer})
    def create(self, request, *args, **kwargs):
        matter = services.matter_create(actor=request.user, **_input(serializers.MatterInput, request))
        return Response(self.get_serializer(matter).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.MatterChange)
    def partial_update(self, request, *args, **kwargs):
        data = _input(serializers.MatterChange, request)
        matter = services.matter_update(matter=self.get_object(), actor=request.user, **data)
        return Response(self.get_serializer(matter).data)


class DelegatedActionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Actions streets took under a delegated matter, each naming its catalogue entry."""

    serializer_class = serializers.ActionSerializer
    pagination_class = _newest_first("at")

    def get_queryset(self):
        return selectors.action_list(user=self.request.user)

    @extend_schema(request=serializers.ActionInput, responses={201: serializers.ActionSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(serializers.ActionInput, request)
        if data.get("at") is None:
            data.pop("at", None)
        done = services.action_record(actor=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=done.pk)).data, status=status.HTTP_201_CREATED)
