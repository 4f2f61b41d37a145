"""The assessment in the admin: a round's weights and indicator weights are set here too, while the
round is a draft, through `services.round_set_weights` (so the sums are checked and the change is an
event on the round's timeline); everything else is read only, changed by its own services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy

from assessment import services
from assessment.models import Result, Round, RoundStatus
from haidian.admin import ReadOnlyAdmin
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput

SETTABLE = services.SETTINGS_FIELDS


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = list(SETTABLE)

    def clean(self):
        data = super().clean()
        values = {field: data.get(field) for field in SETTABLE}
        try:
            services._check_weights(values)
        except InvalidInput as exc:
            raise ValidationError({field if field in SETTABLE else NON_FIELD_ERRORS: messages_
                                   for field, messages_ in exc.errors.items()}) from None
        return data


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    form = RoundForm
    list_display = ["period", "status", "weight_objective", "weight_upward", "weight_downward",
                    "weight_satisfaction", "weight_oversight", "version", "published_version"]
    readonly_fields = ["period", "status", "version", "published_version", "computed_at", "published_at"]
    fieldsets = [
        (None, {"fields": readonly_fields}),
        (gettext_lazy("Weights"), {"fields": list(SETTABLE)}),
    ]

    def has_add_permission(self, request):
        return False  # rounds are created by the district command center's page or beat

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.status == RoundStatus.DRAFT)

    def save_model(self, request, obj, form, change):
        try:
            services.round_set_weights(round=obj, actor=request.user,
                                       **{field: form.cleaned_data[field] for field in SETTABLE})
        except (ActionForbidden, ActionConflict, InvalidInput) as exc:
            self.message_user(request, str(exc), messages.ERROR)


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["round", "version", "kind", "unit_name", "rank", "grade", "total", "sample", "sample_ok"]
    list_filter = ["round", "kind", "sample_ok"]
    search_fields = ["unit_name", "unit_code"]
