from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from appointments.models import AgencyBudget, Appointment, PartyCommitteeSeat
from haidian.admin import ReadOnlyAdmin


@admin.register(AgencyBudget)
class AgencyBudgetAdmin(admin.ModelAdmin):
    list_display = ("agency", "year", "holder", "amount")
    list_filter = ("year", "holder")
    search_fields = ("agency__code", "agency__name")
    autocomplete_fields = ("agency",)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    """Appointments move only through their services (each step on the appointment's timeline): the
    admin shows them, with the signed document behind the page that checks who may read it."""

    list_display = ("candidate_name", "position", "agency", "street", "requirement", "status", "proposed_at")
    list_filter = ("status", "requirement", "position", "agency__kind")
    search_fields = ("candidate_name", "agency__code", "agency__name", "hr_reference")
    list_select_related = ("agency", "street")
    exclude = ("document_file",)
    readonly_fields = ("document",)

    @admin.display(description=_("document file"))
    def document(self, obj):
        if not obj.document_file:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("appointments:document", args=[obj.pk]), _("Open"))


@admin.register(PartyCommitteeSeat)
class PartyCommitteeSeatAdmin(admin.ModelAdmin):
    list_display = ("person_name", "street", "agency", "since", "ended_at")
    list_filter = ("ended_at",)
    search_fields = ("person_name", "street__name")
    list_select_related = ("street", "agency")
    raw_id_fields = ("street", "agency", "user", "appointment")
