"""Admin: API clients (a key is shown once, when it is issued), service definitions (editable),
and the record of posted requests (read-only: they change only as their cases do)."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from haidian.admin import ReadOnlyAdmin
from haidian.privacy import mask_email
from open311 import services
from open311.models import ApiClient, ServiceDefinition, ServiceRequest


def _show_key_once(request, client: ApiClient, key: str) -> None:
    messages.warning(request, gettext(
        "The API key of %(client)s is %(key)s — copy it now and hand it to the client: only its hash "
        "is kept, so it cannot be shown again.") % {"client": client.name, "key": key})


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "active", "key_issued_at", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "contact", "=key_prefix"]
    fields = ["name", "contact", "active", "key_prefix", "key_issued_at", "created_at"]
    readonly_fields = ["key_prefix", "key_issued_at", "created_at"]
    actions = ["issue_new_keys"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            _show_key_once(request, obj, services.api_key_issue(client=obj))

    @admin.action(description=_("Issue new API keys (the old ones stop working at once)"))
    def issue_new_keys(self, request, queryset):
        for client in queryset:
            _show_key_once(request, client, services.api_key_issue(client=client))


@admin.register(ServiceDefinition)
class ServiceDefinitionAdmin(admin.ModelAdmin):
    list_display = ["category", "published", "has_questions", "updated_at"]
    list_filter = ["published"]
    list_select_related = ["category"]
    search_fields = ["category__code", "category__name"]
    autocomplete_fields = ["category"]

    @admin.display(boolean=True, description=_("extra questions"))
    def has_questions(self, obj):
        return obj.has_questions


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "client", "created_at"]
    list_filter = ["client"]
    list_select_related = ["case", "client"]
    search_fields = ["=case__number", "=token"]
    show_full_result_count = False
    # The reporter's email is personal data: masked here as on every page (haidian.privacy).
    exclude = ["email"]
    readonly_fields = ["email_masked"]

    @admin.display(description=_("email"))
    def email_masked(self, request: ServiceRequest) -> str:
        return mask_email(request.email) if request.email else ""
