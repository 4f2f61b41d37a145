"""Input and output shapes of the committees API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Agency, Street
from committees.models import Decision, Invitation, JointOperation, JointTeam, JointTeamMember, Meeting, MeetingKind
from dispatch import selectors as dispatch_selectors
from dispatch.models import Category
from haidian.api import ModelSerializer, Serializer


def _agency_field(**kwargs):
    return serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all(), **kwargs)


class MeetingInvitationSerializer(ModelSerializer):
    agency = serializers.CharField(source="agency.code")

    class Meta:
        model = Invitation
        fields = ["agency", "required", "attended", "absence_reason"]
        read_only_fields = fields


class MeetingDecisionSerializer(ModelSerializer):
    responsible_agency = serializers.CharField(source="responsible_agency.code")
    case = serializers.CharField(source="case.number", default=None)

    class Meta:
        model = Decision
        fields = ["id", "meeting", "text", "responsible_agency", "case", "created_at"]
        read_only_fields = fields


class MeetingSerializer(ModelSerializer):
    street = serializers.CharField(source="street.code")
    invitations = MeetingInvitationSerializer(many=True)
    decisions = MeetingDecisionSerializer(many=True)

    class Meta:
        model = Meeting
        fields = ["id", "street", "kind", "held_at", "title", "status", "minutes", "invitations", "decisions"]
        read_only_fields = fields


class MeetingInput(Serializer):
    street = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all())
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    held_at = serializers.DateTimeField()
    title = serializers.CharField(max_length=200)
    agencies = _agency_field(many=True, allow_empty=False,
                             error_messages={"empty": _("Invite at least one agency.")})
    optional_agencies = _agency_field(many=True, required=False, default=list)


class MeetingHoldInput(Serializer):
    minutes = serializers.CharField(required=False, default="", allow_blank=True)


class MeetingMinutesInput(Serializer):
    minutes = serializers.CharField()


class MeetingAttendanceRow(Serializer):
    agency = _agency_field()
    attended = serializers.BooleanField()
    absence_reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)


class MeetingAttendanceInput(Serializer):
    attendance = MeetingAttendanceRow(many=True, allow_empty=False)


class MeetingDecisionInput(Serializer):
    text = serializers.CharField()
    responsible_agency = _agency_field()


class DecisionCaseInput(Serializer):
    title = serializers.CharField(max_length=200)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    lead = _agency_field(required=False, default=None, allow_null=True)


class JointMemberSerializer(ModelSerializer):
    agency = serializers.CharField(source="agency.code")

    class Meta:
        model = JointTeamMember
        fields = ["id", "agency", "person_name"]
        read_only_fields = fields


class JointOperationSerializer(ModelSerializer):
    participants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    cases = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = JointOperation
        fields = ["id", "date", "title", "participants", "cases", "result"]
        read_only_fields = fields


class JointTeamSerializer(ModelSerializer):
    street = serializers.CharField(source="street.code")
    members = JointMemberSerializer(many=True)
    operations = JointOperationSerializer(many=True)

    class Meta:
        model = JointTeam
        fields = ["id", "street", "name", "members", "operations"]
        read_only_fields = fields


class JointTeamInput(Serializer):
    street = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all())
    name = serializers.CharField(required=False, default="", allow_blank=True, max_length=100)


class JointMemberInput(Serializer):
    agency = _agency_field()
    person_name = serializers.CharField(max_length=50)


class JointOperationInput(Serializer):
    date = serializers.DateField()
    title = serializers.CharField(max_length=200)
    participants = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    cases = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    result = serializers.CharField(required=False, default="", allow_blank=True)

    def validate_participants(self, ids):
        team = self.context["team"]
        members = list(team.members.filter(pk__in=ids))
        if len(members) != len(set(ids)):
            raise serializers.ValidationError(_("Participants must be members of this team."))
        return members

    def validate_cases(self, numbers):
        cases, missing = dispatch_selectors.cases_by_number(user=self.context["request"].user, numbers=numbers)
        if missing:
            raise serializers.ValidationError(_("No such case in your area: %(numbers)s")
                                              % {"numbers": ", ".join(missing)})
        return cases
