from django.contrib import admin
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from agencies.models import Street
from grids.geometry import grid_index
from grids.models import Community, GridCell, Patrol


class CommunityResource(resources.ModelResource):
    street = fields.Field("street", "street", widgets.ForeignKeyWidget(Street, "code"))

    class Meta:
        model = Community
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "street", "synthetic"]
        skip_unchanged = True
        use_transactions = True


@admin.register(Community)
class CommunityAdmin(ImportExportModelAdmin):
    resource_classes = [CommunityResource]
    list_display = ["code", "name", "kind", "street", "synthetic"]
    list_filter = ["kind", "synthetic", "street"]
    list_select_related = ["street"]
    search_fields = ["code", "name"]


@admin.register(GridCell)
class GridCellAdmin(admin.ModelAdmin):
    """Boundaries are imported with `manage.py import_grids`, which checks them; here they are read-only."""

    list_display = ["code", "name", "community", "street", "area_m2", "synthetic"]
    list_filter = ["synthetic", "community__street"]
    list_select_related = ["community__street"]
    search_fields = ["code", "name", "community__name"]
    readonly_fields = ["boundary", "area_m2", "centroid_lat", "centroid_lng", "updated_at"]
    autocomplete_fields = ["community"]

    @admin.display(description=Street._meta.verbose_name, ordering="community__street__code")
    def street(self, obj):
        return obj.community.street

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        grid_index.invalidate()


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin):
    """Patrol logs are the grid workers' own record: readable here, written from their page."""

    list_display = ["started_at", "ended_at", "worker", "grid"]
    list_select_related = ["worker", "grid"]
    list_filter = ["grid__community__street"]
    search_fields = ["worker__username", "grid__code", "notes"]
    raw_id_fields = ["worker", "grid"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
