from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from haidian.admin import ReadOnlyAdmin
from notifications.messages import messages_send_again
from notifications.models import Message, MessageOptOut, Notification
from notifications.services import emails_send_again


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Who was told what, and whether the email went: `failed` after the last retry, `sending` if a
    worker died while sending (never resent automatically: an email is sent at most once)."""

    list_display = ["created_at", "user", "kind", "title", "read_at", "email_status", "email_attempts", "emailed_at"]
    list_filter = ["email_status", "kind"]
    list_select_related = ["user"]
    search_fields = ["title", "user__username", "key"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    @admin.action(description=_("Send the failed emails again"))
    def send_again(self, request, queryset):
        count = emails_send_again(queryset=queryset)
        self.message_user(request, _("%(count)s email(s) queued again.") % {"count": count})


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """What the reporters were told, by SMS or email: the log, read-only. The address is personal
    data and shows masked, here as everywhere (it is not even searchable). `failed` after the last
    attempt (the error says why), `sending` if a worker died while sending: neither is retried
    automatically, "send again" does it."""

    list_display = ["created_at", "case_number", "channel", "recipient", "template", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["case_number", "key"]
    date_hierarchy = "created_at"
    fields = ["key", "case_number", "channel", "recipient", "template", "text", "status", "attempts",
              "last_error", "next_attempt_at", "created_at", "sent_at"]
    readonly_fields = fields
    actions = ["send_again"]

    @admin.display(description=_("to"))
    def recipient(self, message: Message) -> str:
        return message.to_masked

    @admin.action(description=_("Send the failed messages again"))
    def send_again(self, request, queryset):
        count = messages_send_again(queryset=queryset)
        self.message_user(request, _("%(count)s message(s) queued again.") % {"count": count})


@admin.register(MessageOptOut)
class MessageOptOutAdmin(ReadOnlyAdmin):
    """Reporters who asked for no more messages, by a hash of their address (the address is not kept)."""

    list_display = ["created_at", "address_hash"]
    date_hierarchy = "created_at"
