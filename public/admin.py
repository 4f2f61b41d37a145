from django.contrib import admin

from public.models import FollowToken, RosterEntry


@admin.register(RosterEntry)
class RosterEntryAdmin(admin.ModelAdmin):
    """实名制公示: what each grid's public page and poster show. Filter by street and community,
    search by grid code, name or unit; order and "shown" are edited right in the list."""

    list_display = ["grid", "name", "unit", "duty", "public_phone", "order", "active", "demo"]
    list_display_links = ["name"]
    list_editable = ["order", "active"]
    list_filter = [("grid__community__street", admin.RelatedOnlyFieldListFilter),
                   ("grid__community", admin.RelatedOnlyFieldListFilter), "active", "demo"]
    list_select_related = ["grid"]
    search_fields = ["grid__code", "name", "unit", "duty"]
    autocomplete_fields = ["grid"]
    readonly_fields = ["updated_at"]
    ordering = ["grid__code", "order", "id"]


@admin.register(FollowToken)
class FollowTokenAdmin(admin.ModelAdmin):
    """Follow links are made by the public pages; readable here, never edited (the token is a credential)."""

    list_display = ["case", "created_at"]
    list_select_related = ["case"]
    search_fields = ["case__number"]
    fields = ["case", "created_at"]
    readonly_fields = ["case", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
