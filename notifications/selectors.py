"""A person's own notifications: nobody else's are visible to them."""

from django.db.models import QuerySet

from notifications.models import Notification


def notifications(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()  # a partial index holds them
