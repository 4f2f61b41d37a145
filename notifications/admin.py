from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from haidian.admin import ReadOnlyAdmin
from notifications.models import Notification
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
