"""Admin: the delegated catalogue is editable; requests and assignments are read-only records
(they change only through the services, which check who decides)."""

from django.contrib import admin

from haidian.admin import ReadOnlyAdmin
from workaccess.models import AccessRequest, DelegatedAction, DelegatedMatter, StreetAssignment


class AssignmentInline(admin.TabularInline):
    model = StreetAssignment
    extra = 0
    fields = ["street", "assigned_by", "assigned_at", "acknowledged_by", "acknowledged_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "department", "status", "budget_yuan", "staff_count", "meeting_reference",
                    "decided_at"]
    list_filter = ["status", "department"]
    list_select_related = ["department"]
    search_fields = ["title", "meeting_reference"]
    inlines = [AssignmentInline]


@admin.register(StreetAssignment)
class StreetAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["request", "street", "assigned_at", "acknowledged_at"]
    list_select_related = ["request", "street"]
    list_filter = ["street"]


@admin.register(DelegatedMatter)
class DelegatedMatterAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "department", "valid_from", "valid_until", "active"]
    list_filter = ["active", "department"]
    list_select_related = ["department"]
    search_fields = ["code", "title", "legal_basis"]


@admin.register(DelegatedAction)
class DelegatedActionAdmin(ReadOnlyAdmin):
    list_display = ["matter", "street", "at", "recorded_by", "case"]
    list_select_related = ["matter", "street", "recorded_by", "case"]
    list_filter = ["street"]
    raw_id_fields = ["case"]
