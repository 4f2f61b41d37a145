"""Admin for categories (editable) and a read-only view of cases, tasks and their events.

Cases change only through the workflow services, so that every change leaves an event.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dispatch.files import attachment_url
from dispatch.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    DeadlineLetter,
    Task,
)
from haidian.admin import ReadOnlyAdmin
from haidian.privacy import mask_email, mask_name, mask_phone


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "default_department", "default_agency_kind", "time_limit",
                    "time_limit_unit", "accept_limit_hours"]
    list_filter = ["parent", "time_limit_unit"]
    list_select_related = ["parent", "default_department"]
    search_fields = ["code", "name"]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["agency", "department", "role", "status", "accept_due_at", "accepted_at", "due_at", "responded_at",
              "return_requests"]
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
    # The reporter is personal data: masked here as on every page; the security administrator's page
    # (/security/personal/) finds a person's cases by phone.
    exclude = ["reporter_name", "reporter_phone", "reporter_email", "reporter_phone_index", "reporter_email_index"]
    readonly_fields = ["reporter"]

    @admin.display(description=_("reporter"))
    def reporter(self, case: Case) -> str:
        parts = [mask_name(case.reporter_name), mask_phone(case.reporter_phone),
                 mask_email(case.reporter_email) if case.reporter_email else ""]
        return " ".join(part for part in parts if part) or self.get_empty_value_display()


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
    """The stored file is linked through the gated view (dispatch.files): Django's own file widget
    would link MEDIA_URL, which serves nothing."""

    list_display = ["case", "kind", "content_type", "size", "uploaded_at"]
    list_select_related = ["case"]
    search_fields = ["=case__number"]
    fields = ["case", "task", "kind", "open_file", "open_thumbnail", "content_type", "size", "uploaded_by",
              "uploaded_at"]
    readonly_fields = ["open_file", "open_thumbnail", "uploaded_at"]

    @admin.display(description=_("file"))
    def open_file(self, attachment: Attachment) -> str:
        return format_html('<a href="{}">{}</a>', attachment_url(attachment), _("Open"))

    @admin.display(description=_("thumbnail"))
    def open_thumbnail(self, attachment: Attachment) -> str:
        if not attachment.thumbnail:
            return self.get_empty_value_display()
        return format_html('<a href="{}">{}</a>', attachment_url(attachment, thumbnail=True), _("Open"))


@admin.register(DeadlineLetter)
class DeadlineLetterAdmin(ReadOnlyAdmin):
    list_display = ["number", "street", "agency", "status", "overdue", "deadline", "issued_at", "answered_at"]
    list_filter = ["status", "overdue", "street"]
    list_select_related = ["street", "agency"]
    search_fields = ["number", "requirement"]
