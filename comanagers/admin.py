from django.contrib import admin

from comanagers.models import CoManager, PayStandard, Post, Quota


class PayStandardInline(admin.TabularInline):
    model = PayStandard
    extra = 0


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "one_post_one_duty", "part_time"]
    inlines = [PayStandardInline]


@admin.register(PayStandard)
class PayStandardAdmin(admin.ModelAdmin):
    list_display = ["post", "year", "monthly_amount"]
    list_filter = ["year", "post"]


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["street", "year", "count", "set_by", "updated_at"]
    list_filter = ["year"]
    list_select_related = ["street", "set_by"]
    raw_id_fields = ["set_by"]


@admin.register(CoManager)
class CoManagerAdmin(admin.ModelAdmin):
    # Hiring goes through the street's page (quota, lock, rules); the admin is for corrections.
    list_display = ["name", "post", "street", "hired_at", "left_at", "placement", "deployment"]
    list_filter = ["post", "placement", "deployment", "street"]
    list_select_related = ["post", "street"]
    search_fields = ["name"]
    raw_id_fields = ["grids", "placement_approver", "hired_by"]
