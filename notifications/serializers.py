from rest_framework import serializers

from haidian.api import ModelSerializer
from notifications.models import Message, Notification


class NotificationSerializer(ModelSerializer):
    case = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "case", "link", "created_at", "read_at", "email_status"]
        read_only_fields = fields

    def get_case(self, note: Notification) -> str | None:
        """The number of the case the notification is about, if any."""
        return note.case_number or None


class MessageSerializer(ModelSerializer):
    """A message to a reporter as the log shows it: the address masked, never whole."""

    to_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Message
        fields = ["channel", "to_masked", "template", "text", "status", "attempts", "created_at"]
        read_only_fields = fields
