"""Your notifications (API): newest first, `?unread=true` for the unread ones; mark one read. The
messages sent to reporters (`?case=<number>`): administrators and the district command center."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from notifications import selectors, services
from notifications.models import Message, Notification
from notifications.serializers import MessageSerializer, NotificationSerializer


class NotificationPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your notifications (cards, escalations, letters, reminders), newest first; `?unread=true` for the
    unread ones."""

    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination
    state_conflicts = False  # marking read is never refused for the state (haidian.schema: no 409)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema's generator, signed in as nobody
            return Notification.objects.none()
        queryset = selectors.notifications(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at=None)
        return queryset

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = services.notification_read(notification=self.get_object(), user=request.user)
        return Response(NotificationSerializer(note).data)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("case", OpenApiTypes.STR, description="a case number: only the messages about that case")]))
class MessageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The SMS and emails sent (or waiting, failed, skipped) to reporters, newest first; `?case=` one
    case's. Administrators and the district command center only (403 for everyone else signed in)."""

    serializer_class = MessageSerializer
    pagination_class = NotificationPagination
    filter_backends = []  # `case` is the one filter, read below

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema's generator, signed in as nobody
            return Message.objects.none()
        return selectors.messages(user=self.request.user, case_number=self.request.query_params.get("case", ""))
