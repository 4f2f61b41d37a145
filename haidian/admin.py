from django.contrib import admin, messages
from django.utils.translation import gettext as _

from haidian import calendar
from haidian.models import CalendarDay, CalendarYear, OutboxTask


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their services (so that every change leaves its event):
    the admin can look, not add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _warn_missing_years(request) -> None:
    missing = calendar.missing_years()
    if missing:
        messages.warning(
            request,
            _("The working calendar for %(years)s is not loaded: those years count Monday to Friday only.")
            % {"years": ", ".join(map(str, missing))},
        )


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "note", "loaded_at"]

    def changelist_view(self, request, extra_context=None):
        _warn_missing_years(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar.clear_cache()


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """One row per day; an administrator corrects a day or enters a newly published year here."""

    list_display = ["date", "is_working_day", "name"]
    list_editable = ["is_working_day", "name"]
    list_filter = ["year", "is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]
    list_per_page = 100

    def changelist_view(self, request, extra_context=None):
        _warn_missing_years(request)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar.clear_cache()


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    """Tasks waiting for the broker (haidian.outbox): to see, not to edit; beat sends them."""

    list_display = ["created_at", "task", "args", "attempts", "last_error"]
    list_filter = ["task"]
