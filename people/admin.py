"""People in the admin: accounts (imported and exported), and their memberships, which are written
only through membership_grant / membership_revoke so that scope and role groups follow."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from agencies.models import Agency, Department, District, Street
from grids.models import Community, GridCell
from people.models import Membership
from people.services import membership_grant, membership_revoke

User = get_user_model()


class UserResource(resources.ModelResource):
    """People: accounts without passwords (they are set by the administrator or a reset)."""

    class Meta:
        model = User
        import_id_fields = ["username"]
        fields = ["username", "first_name", "last_name", "email", "is_active"]
        skip_unchanged = True
        use_transactions = True


class MembershipResource(resources.ModelResource):
    """People's roles in units. Imported rows go through membership_grant, so scope follows."""

    user = fields.Field("user", "user", widgets.ForeignKeyWidget(User, "username"))
    district = fields.Field("district", "district", widgets.ForeignKeyWidget(District, "code"))
    department = fields.Field("department", "department", widgets.ForeignKeyWidget(Department, "code"))
    street = fields.Field("street", "street", widgets.ForeignKeyWidget(Street, "code"))
    agency = fields.Field("agency", "agency", widgets.ForeignKeyWidget(Agency, "code"))
    community = fields.Field("community", "community", widgets.ForeignKeyWidget(Community, "code"))
    grid = fields.Field("grid", "grid", widgets.ForeignKeyWidget(GridCell, "code"))

    class Meta:
        model = Membership
        import_id_fields = ["user", "role", "district", "department", "street", "agency", "community", "grid"]
        fields = ["user", "role", "title", "duty", "public_phone", "district", "department", "street", "agency",
                  "community", "grid"]
        use_transactions = True

    def save_instance(self, instance, is_create, row, **kwargs):
        # A dry run happens inside a transaction that import-export rolls back.
        self.before_save_instance(instance, row, **kwargs)
        saved = membership_grant(user=instance.user, role=instance.role, unit=instance.unit, title=instance.title,
                                 duty=instance.duty, public_phone=instance.public_phone)
        instance.pk = saved.pk
        self.after_save_instance(instance, row, **kwargs)


@admin.register(Membership)
class MembershipAdmin(ImportExportModelAdmin):
    resource_classes = [MembershipResource]
    list_display = ["user", "role", "unit_display", "title", "duty", "public_phone"]
    list_filter = ["role"]
    list_select_related = ["user", "district", "department", "street", "agency", "community", "grid"]
    search_fields = ["user__username", "user__first_name", "street__name", "agency__name", "grid__code"]
    autocomplete_fields = ["user", "district", "department", "street", "agency", "community", "grid"]

    @admin.display(description=_("unit"))
    def unit_display(self, obj):
        return obj.unit

    def save_model(self, request, obj, form, change):
        if change:
            membership_revoke(membership=Membership.objects.get(pk=obj.pk))
        saved = membership_grant(user=obj.user, role=obj.role, unit=obj.unit, title=obj.title, duty=obj.duty,
                                 public_phone=obj.public_phone)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        membership_revoke(membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_revoke(membership=membership)


class PersonAdmin(ImportExportModelAdmin, UserAdmin):
    """Role groups follow the memberships (add one under Memberships): they are shown, not edited here."""

    resource_classes = [UserResource]
    readonly_fields = ["groups"]


admin.site.unregister(User)
admin.site.register(User, PersonAdmin)
