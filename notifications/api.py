"""Your notifications (API): newest first, `?unread=true` for the unread ones; mark one read."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from notifications import selectors, services
from notifications.serializers import NotificationSerializer


class NotificationPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your notifications (cards, escalations, letters, reminders), newest first; `?unread=true` for the
    unread ones."""

    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination

    def get_queryset(self):
        queryset = selectors.notifications(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at=None)
        return queryset

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = services.notification_read(notification=self.get_object(), user=request.user)
        return Response(NotificationSerializer(note).data)
