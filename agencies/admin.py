from django.contrib import admin
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from agencies.models import Agency, Department, District, Street


class StreetResource(resources.ModelResource):
    district = fields.Field("district", "district", widgets.ForeignKeyWidget(District, "code"))

    class Meta:
        model = Street
        import_id_fields = ["code"]
        fields = ["code", "name", "short_name", "kind", "district"]
        skip_unchanged = True
        use_transactions = True


class AgencyResource(resources.ModelResource):
    department = fields.Field("department", "department", widgets.ForeignKeyWidget(Department, "code"))
    streets = fields.Field("streets", "streets", widgets.ManyToManyWidget(Street, separator="|", field="code"))

    class Meta:
        model = Agency
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "management_mode", "department", "streets"]
        skip_unchanged = True
        use_transactions = True


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Street)
class StreetAdmin(ImportExportModelAdmin):
    resource_classes = [StreetResource]
    list_display = ["code", "name", "kind", "district"]
    list_filter = ["kind", "district"]
    list_select_related = ["district"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district"]
    list_select_related = ["district"]
    search_fields = ["code", "name"]


@admin.register(Agency)
class AgencyAdmin(ImportExportModelAdmin):
    resource_classes = [AgencyResource]
    list_display = ["code", "name", "kind", "management_mode", "department"]
    list_filter = ["kind", "management_mode", "department"]
    list_select_related = ["department"]
    search_fields = ["code", "name"]
    filter_horizontal = ["streets"]
