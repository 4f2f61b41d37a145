"""Supervision in the admin. Bodies and their members are organisation set-up: an administrator may
rename a body, end its term (`active`) and correct a member's dates, but the street and kind of a body
stay as its service made them (a town-only kind never lands on a street). Inquiries have an event log
and the work plan its owners' and inspectors' records: those only change through their services."""

from django.contrib import admin

from haidian.admin import ReadOnlyAdmin
from supervision.models import (
    BodyMeeting,
    BodyMember,
    Inquiry,
    InquiryEvent,
    Inspection,
    ProgressReport,
    SupervisoryBody,
    WorkPlanTask,
)


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    extra = 0
    fields = ["name", "affiliation", "user", "is_secretary", "joined_on", "left_on"]
    raw_id_fields = ["user"]


@admin.register(SupervisoryBody)
class SupervisoryBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "kind", "active"]
    list_filter = ["kind", "active", "street__kind"]
    search_fields = ["name", "street__name", "street__code"]
    list_select_related = ["street"]
    readonly_fields = ["street", "kind", "created_at"]
    inlines = [BodyMemberInline]

    def has_add_permission(self, request):
        return False  # through supervision.services.body_create (the API, the demo)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BodyMeeting)
class BodyMeetingAdmin(ReadOnlyAdmin):
    list_display = ["topic", "body", "held_at", "recorded_by"]
    list_filter = ["body__kind"]
    search_fields = ["topic", "body__name"]
    date_hierarchy = "held_at"
    list_select_related = ["body", "recorded_by"]


class InquiryEventInline(admin.TabularInline):
    model = InquiryEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "actor_unit", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    """Inquiries change only through their services (so that every step leaves its event): look only."""

    list_display = ["subject", "body", "target_street", "target_agency", "asked_at", "answer_due_at", "status",
                    "ever_overdue"]
    list_filter = ["status", "ever_overdue", "body__kind"]
    search_fields = ["subject", "body__name", "target_agency__name", "target_street__name"]
    date_hierarchy = "asked_at"
    list_select_related = ["body", "target_street", "target_agency"]
    inlines = [InquiryEventInline]


class ProgressInline(admin.TabularInline):
    model = ProgressReport
    extra = 0
    can_delete = False
    fields = ["reported_at", "reported_by", "percent", "text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class InspectionInline(ProgressInline):
    model = Inspection
    fields = ["inspected_at", "inspector", "verdict", "rectify_by", "finding"]
    readonly_fields = fields


@admin.register(WorkPlanTask)
class WorkPlanTaskAdmin(ReadOnlyAdmin):
    list_display = ["code", "year", "title", "owner_department", "owner_street", "deadline", "done_at"]
    list_filter = ["year", "district"]
    search_fields = ["code", "title", "clause"]
    list_select_related = ["owner_department", "owner_street"]
    inlines = [ProgressInline, InspectionInline]
