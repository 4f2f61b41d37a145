from django.contrib import admin

from committees.models import Decision, Invitation, JointOperation, JointTeam, JointTeamMember, Meeting


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    raw_id_fields = ["agency"]


class DecisionInline(admin.StackedInline):
    model = Decision
    extra = 0
    raw_id_fields = ["responsible_agency", "case"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "street", "kind", "held_at", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "street__name"]
    raw_id_fields = ["street", "planned_by"]
    inlines = [InvitationInline, DecisionInline]


class MemberInline(admin.TabularInline):
    model = JointTeamMember
    extra = 0
    raw_id_fields = ["agency"]


@admin.register(JointTeam)
class JointTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "street"]
    search_fields = ["name", "street__name"]
    raw_id_fields = ["street"]
    inlines = [MemberInline]


@admin.register(JointOperation)
class JointOperationAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "date"]
    search_fields = ["title"]
    raw_id_fields = ["team", "participants", "cases", "recorded_by"]
