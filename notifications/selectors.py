"""A person's own notifications: nobody else's are visible to them. The messages to reporters:
administrators and the district command center only."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from haidian.errors import ActionForbidden
from haidian.permissions import Role
from notifications.models import Message, Notification
from people.selectors import holds


def notifications(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()  # a partial index holds them


def may_read_messages(user) -> bool:
    """The log of messages to reporters is for administrators and the district command center: it
    says which case a member of the public reported (their address shows masked)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.is_staff or holds(user, Role.DISTRICT_COMMAND)


def messages(*, user, case_number: str = "") -> QuerySet[Message]:
    """The messages to reporters, newest first (of one case, by its number); ActionForbidden (403)
    for anyone else than `may_read_messages` allows."""
    if not may_read_messages(user):
        raise ActionForbidden(_("Only administrators and the district command center may read the messages "
                                "sent to reporters."))
    queryset = Message.objects.order_by("-created_at", "-id")
    if case_number:
        queryset = queryset.filter(case_number=case_number.strip().upper())
    return queryset
