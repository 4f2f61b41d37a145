"""Admin for categories (editable) and a read-only view of cases, tasks and their events.

Cases change only through the workflow services, so that every change leaves an event.
"""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dispatch.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    DeadlineLetter,
    EmailStatus,
    Notification,
    Task,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "default_department", "default_agency_kind", "time_limit",
                    "time_limit_unit"]
    list_filter = ["parent", "time_limit_unit"]
    list_select_related = ["parent", "default_department"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["agency", "department", "role", "status", "due_at", "responded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(TaskInline):
    model = CaseEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "actor_unit", "note"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "status", "tier", "street", "category", "created_at", "overdue"]
    list_filter = ["status", "tier", "source", "overdue", "street"]
    list_select_related = ["street", "category"]
    search_fields = ["=number", "title"]
    show_full_result_count = False  # a million cases: don't COUNT(*) on every page
    date_hierarchy = "created_at"
    inlines = [TaskInline, EventInline]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["case", "agency", "department", "role", "status", "due_at"]
    list_filter = ["status", "role"]
    list_select_related = ["case", "agency", "department"]
    search_fields = ["=case__number"]
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """Events are append-only: the admin can only look."""

    list_display = ["at", "case", "action", "from_status", "to_status", "actor", "actor_unit"]
    list_filter = ["action"]
    list_select_related = ["case", "actor"]
    search_fields = ["=case__number"]
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "content_type", "size", "uploaded_at"]
    list_select_related = ["case"]
    search_fields = ["=case__number"]


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
        from dispatch.tasks import send_notification_emails

        count = queryset.filter(email_status__in=[EmailStatus.FAILED, EmailStatus.SENDING]).update(
            email_status=EmailStatus.PENDING, email_attempts=0)
        transaction.on_commit(send_notification_emails.delay)
        self.message_user(request, _("%(count)s email(s) queued again.") % {"count": count})


@admin.register(DeadlineLetter)
class DeadlineLetterAdmin(ReadOnlyAdmin):
    list_display = ["number", "street", "agency", "status", "overdue", "deadline", "issued_at", "answered_at"]
    list_filter = ["status", "overdue", "street"]
    list_select_related = ["street", "agency"]
    search_fields = ["number", "requirement"]
