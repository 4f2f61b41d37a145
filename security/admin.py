"""The audit log in the admin: read-only for everyone (nothing adds, changes or deletes a row; on
PostgreSQL a trigger refuses it anyway), visible to the audit administrator and a superuser only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from haidian import audit
from haidian.admin import ReadOnlyAdmin
from haidian.models import AuditEntry
from security.audit_views import reads_audit_log


class ActionFilter(admin.SimpleListFilter):
    """The actions from audit.Action, without a DISTINCT over the whole log."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return audit.Action.choices

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_username", "actor_unit", "address", "action", "outcome", "object_type", "object_id",
                    "object_repr"]
    list_filter = [ActionFilter, "outcome"]
    search_fields = ["=actor_username", "=object_id"]
    ordering = ["-at", "-id"]
    list_per_page = 50
    show_full_result_count = False  # no count(*) over millions of rows on every page
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_view_permission(self, request, obj=None):
        return reads_audit_log(request.user)

    def has_module_permission(self, request):
        return reads_audit_log(request.user)
