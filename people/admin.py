"""People in the admin: accounts (imported and exported), and their memberships, which are written
only through membership_grant / membership_revoke so that scope and role groups follow; and the
lockouts of failed logins (django-axes), which the security administrator lifts here.

三员分立 (people.admin_roles): the administrator roles are granted only by whoever holds
`people.grant_admin_role` (the security administrator, a superuser); an account that is a superuser or
holds an administrator role is changed by a superuser only; and nobody but a superuser sees the fields
that make superusers, groups or direct permissions. A password an administrator sets must be changed by
its owner at the next login.
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from agencies.models import Agency, Department, District, Street
from grids.models import Community, GridCell
from haidian import audit
from haidian.errors import InvalidInput
from haidian.permissions import ADMIN_ROLES, Role
from people.models import Membership
from people.selectors import admin_role_of
from people.services import admin_role_check, membership_grant, membership_revoke, password_set_by_administrator

User = get_user_model()

GRANT_ADMIN_ROLE = "people.grant_admin_role"


def _may_grant_admin_roles(user) -> bool:
    return user.has_perm(GRANT_ADMIN_ROLE)


def _refuse_admin_role(user, *roles: str) -> None:
    if set(roles) & ADMIN_ROLES and not _may_grant_admin_roles(user):
        raise PermissionDenied(_("Only the security administrator grants or revokes the administrator roles."))


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
        user = kwargs.get("user")
        if instance.role in ADMIN_ROLES and not (user is not None and _may_grant_admin_roles(user)):
            raise InvalidInput({"role": [_("Only the security administrator grants the administrator roles.")]})
        self.before_save_instance(instance, row, **kwargs)
        saved = membership_grant(user=instance.user, role=instance.role, unit=instance.unit, title=instance.title,
                                 duty=instance.duty, public_phone=instance.public_phone)
        instance.pk = saved.pk
        self.after_save_instance(instance, row, **kwargs)


class MembershipForm(forms.ModelForm):
    """三员分立 on the form: an administrator role at the district only, one per account."""

    class Meta:
        model = Membership
        fields = ["user", "role", *Membership.UNIT_FIELDS, "title", "duty", "public_phone"]

    def clean(self):
        cleaned = super().clean()
        user, role = cleaned.get("user"), cleaned.get("role")
        units = [name for name in Membership.UNIT_FIELDS if cleaned.get(name)]
        if user is not None and role and len(units) == 1:
            try:
                admin_role_check(user=user, role=role, field=units[0], exclude_pk=self.instance.pk)
            except InvalidInput as error:
                raise ValidationError(error.errors) from None
        return cleaned


@admin.register(Membership)
class MembershipAdmin(ImportExportModelAdmin):
    resource_classes = [MembershipResource]
    form = MembershipForm
    list_display = ["user", "role", "unit_display", "title", "duty", "public_phone"]
    list_filter = ["role"]
    list_select_related = ["user", "district", "department", "street", "agency", "community", "grid"]
    search_fields = ["user__username", "user__first_name", "street__name", "agency__name", "grid__code"]
    autocomplete_fields = ["user", "district", "department", "street", "agency", "community", "grid"]

    @admin.display(description=_("unit"))
    def unit_display(self, obj):
        return obj.unit

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not _may_grant_admin_roles(request.user):
            kwargs["choices"] = [("", "---------"), *[(value, label) for value, label in Role.choices
                                                       if value not in ADMIN_ROLES]]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.role in ADMIN_ROLES and not _may_grant_admin_roles(request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.role in ADMIN_ROLES and not _may_grant_admin_roles(request.user):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            before = Membership.objects.get(pk=obj.pk)
            _refuse_admin_role(request.user, obj.role, before.role)
            membership_revoke(membership=before)
        _refuse_admin_role(request.user, obj.role)
        saved = membership_grant(user=obj.user, role=obj.role, unit=obj.unit, title=obj.title, duty=obj.duty,
                                 public_phone=obj.public_phone)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        _refuse_admin_role(request.user, obj.role)
        membership_revoke(membership=obj)

    def delete_queryset(self, request, queryset):
        memberships = list(queryset)
        _refuse_admin_role(request.user, *(membership.role for membership in memberships))
        for membership in memberships:
            membership_revoke(membership=membership)


class PersonAdmin(ImportExportModelAdmin, UserAdmin):
    """Role groups follow the memberships (add one under Memberships): they are shown, not edited here.

    Anyone but a superuser (the system administrator) keeps names, e-mail and whether the account is
    active: not staff, superuser or direct permissions; and not the accounts of superusers or of the
    administrators (else one administrator could set another's password and act as them)."""

    resource_classes = [UserResource]
    readonly_fields = ["groups"]
    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.limited_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fixed = list(super().get_readonly_fields(request, obj))
        return fixed if request.user.is_superuser else [*fixed, "last_login", "date_joined"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and (obj.is_superuser or admin_role_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            password_set_by_administrator(user=obj)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        # A redirect to the person's page means the new password was saved (a refused form re-renders,
        # conflicting buttons redirect back here).
        if request.method == "POST" and response.status_code == 302 and response["Location"] != request.get_full_path():
            user = User.objects.get(pk=unquote(id))
            if user.pk != request.user.pk and user.has_usable_password():
                password_set_by_administrator(user=user)
        return response


class RoleGroupAdmin(GroupAdmin):
    """Groups and their permissions, the security administrator's; the three administrators' own groups
    are fixed by people.admin_roles (roles_ensure writes them) and change only with the code, so that none
    of them can widen their own reach here."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.name in ADMIN_ROLES and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.name in ADMIN_ROLES and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class LockoutAdmin(AccessAttemptAdmin):
    """django-axes' failed logins, one row per login, address and browser. Deleting rows, or the
    "unlock" action, lifts the lock on that account and address (the security administrator's
    `axes.delete_accessattempt`); each lifted row is on the audit log."""

    actions = ["unlock", "cleanup_expired_attempts"]

    @admin.action(description=_("Unlock: forget these failed logins"), permissions=["delete"])
    def unlock(self, request, queryset):
        count = self._unlock(request, queryset)
        self.message_user(request, ngettext("%(count)d lock lifted.", "%(count)d locks lifted.", count)
                          % {"count": count})

    def delete_model(self, request, obj):
        self._unlock(request, [obj])

    def delete_queryset(self, request, queryset):
        self._unlock(request, queryset)

    def _unlock(self, request, attempts) -> int:
        count = 0
        for attempt in list(attempts):
            audit.record(audit.Action.UNLOCKED, request=request, obj=attempt,
                         object_repr=f"{attempt.username} @ {attempt.ip_address}",
                         data={"username": attempt.username, "address": attempt.ip_address,
                               "failures": attempt.failures_since_start})
            attempt.delete()
            count += 1
        return count


admin.site.unregister(User)
admin.site.register(User, PersonAdmin)
admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, LockoutAdmin)
