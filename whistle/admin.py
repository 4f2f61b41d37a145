from django.contrib import admin

from haidian.admin import ReadOnlyAdmin
from whistle.models import SummonedUnit, Summons, SummonsEvent


class SummonedUnitInline(admin.TabularInline):
    model = SummonedUnit
    extra = 0
    can_delete = False
    fields = ["agency", "department", "due_at", "status", "checked_in_at", "checked_in_by", "lat", "lng",
              "location_note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class SummonsEventInline(SummonedUnitInline):
    model = SummonsEvent
    fields = ["at", "action", "summoned_unit", "actor", "actor_unit", "from_status", "to_status", "note"]
    readonly_fields = fields


@admin.register(Summons)
class SummonsAdmin(ReadOnlyAdmin):
    """Summonses change only through their services (so that every step leaves its event): look only."""

    list_display = ["id", "case", "street", "minutes", "created_at", "created_by"]
    list_filter = ["street__district"]
    search_fields = ["case__number", "street__name"]
    date_hierarchy = "created_at"
    list_select_related = ["case", "street", "created_by"]
    inlines = [SummonedUnitInline, SummonsEventInline]


@admin.register(SummonedUnit)
class SummonedUnitAdmin(ReadOnlyAdmin):
    list_display = ["summons", "agency", "department", "status", "due_at", "checked_in_at"]
    list_filter = ["status"]
    search_fields = ["agency__name", "department__name", "summons__case__number"]
    list_select_related = ["summons", "agency", "department"]
