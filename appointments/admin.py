from django.contrib import admin

from appointments.models import AgencyBudget, Appointment, PartyCommitteeSeat


@admin.register(AgencyBudget)
class AgencyBudgetAdmin(admin.ModelAdmin):
    list_display = ("agency", "year", "holder", "amount")
    list_filter = ("year", "holder")
    search_fields = ("agency__code", "agency__name")
    autocomplete_fields = ("agency",)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("candidate_name", "position", "agency", "street", "requirement", "status", "proposed_at")
    list_filter = ("status", "requirement", "position", "agency__kind")
    search_fields = ("candidate_name", "agency__code", "agency__name", "hr_reference")
    list_select_related = ("agency", "street")
    raw_id_fields = ("agency", "street", "proposed_by", "document_by", "filed_by")
    readonly_fields = ("requirement", "status", "refusal_reason", "refused_at")


@admin.register(PartyCommitteeSeat)
class PartyCommitteeSeatAdmin(admin.ModelAdmin):
    list_display = ("person_name", "street", "agency", "since", "ended_at")
    list_filter = ("ended_at",)
    search_fields = ("person_name", "street__name")
    list_select_related = ("street", "agency")
    raw_id_fields = ("street", "agency", "user", "appointment")
