"""Input and output shapes of the supervision API."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Street
from haidian.api import ModelSerializer, Serializer
from supervision import selectors
from supervision.models import (
    BodyKind,
    BodyMeeting,
    BodyMember,
    Inquiry,
    Inspection,
    ProgressReport,
    SupervisoryBody,
    Verdict,
    WorkPlanTask,
)


def _username(**kwargs):
    return serializers.SlugRelatedField(slug_field="username", read_only=True, **kwargs)


# --- bodies --------------------------------------------------------------------------------------

class BodyMemberSerializer(ModelSerializer):
    user = _username(allow_null=True, help_text="the member's account, if they have one")

    class Meta:
        model = BodyMember
        fields = ["id", "name", "affiliation", "user", "is_secretary", "joined_on", "left_on"]
        read_only_fields = fields


class SupervisoryBodySerializer(ModelSerializer):
    street = serializers.CharField(source="street.code")
    members = BodyMemberSerializer(many=True)

    class Meta:
        model = SupervisoryBody
        fields = ["id", "street", "kind", "name", "active", "members"]
        read_only_fields = fields


class BodyMeetingSerializer(ModelSerializer):
    attendees = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="member ids")

    class Meta:
        model = BodyMeeting
        fields = ["id", "held_at", "topic", "minutes", "attendees"]
        read_only_fields = fields


class SupervisoryBodyInput(Serializer):
    street = serializers.SlugRelatedField(slug_field="code", queryset=Street.objects.all(),
                                          help_text="the street's or town's code")
    kind = serializers.ChoiceField(choices=BodyKind.choices)
    name = serializers.CharField(required=False, default="", allow_blank=True, max_length=100,
                                 help_text="default: the street's name and the kind, e.g. "
                                           "学院路街道地区民主管理和监督委员会")


class BodyMemberInput(Serializer):
    name = serializers.CharField(max_length=50)
    affiliation = serializers.CharField(required=False, default="", allow_blank=True, max_length=100)
    user = serializers.SlugRelatedField(slug_field="username", required=False, default=None, allow_null=True,
                                        queryset=get_user_model().objects.filter(is_active=True),
                                        help_text="the username of the member's account (the secretary needs one)")
    is_secretary = serializers.BooleanField(required=False, default=False)
    joined_on = serializers.DateField(required=False, default=None, allow_null=True, help_text="default: today")


class BodyMeetingInput(Serializer):
    held_at = serializers.DateTimeField()
    topic = serializers.CharField(max_length=200)
    minutes = serializers.CharField(required=False, default="", allow_blank=True)
    attendees = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                      help_text="ids of the body's members who came")


# --- inquiries -----------------------------------------------------------------------------------

class InquirySerializer(ModelSerializer):
    body_name = serializers.CharField(source="body.name")
    street = serializers.CharField(source="body.street.code")
    target_kind = serializers.CharField(help_text="street or agency")
    target = serializers.CharField(source="target.code", help_text="the street's or the agency's code")
    target_name = serializers.CharField(source="target.name")
    asked_by = _username()
    answered_by = _username()
    overdue = serializers.SerializerMethodField(help_text="late now or once (ever_overdue, or past the due time "
                                                          "unanswered, or answered after it)")

    class Meta:
        model = Inquiry
        fields = ["id", "body", "body_name", "street", "target_kind", "target", "target_name", "subject", "question",
                  "asked_at", "asked_by", "answer_due_at", "status", "answered_at", "answer", "answered_by",
                  "ever_overdue", "overdue"]
        read_only_fields = fields

    def get_overdue(self, inquiry: Inquiry) -> bool:
        return inquiry.is_overdue(timezone.now())


class InquiryInput(Serializer):
    body = serializers.IntegerField(help_text="the id of the body asking")
    target = serializers.CharField(max_length=20, help_text="the code of the body's street, or of an agency "
                                                            "serving it")
    subject = serializers.CharField(max_length=200)
    question = serializers.CharField()
    answer_due_at = serializers.DateTimeField(required=False, default=None, allow_null=True,
                                              help_text="default: SUPERVISION_INQUIRY_WORKING_DAYS working days "
                                                        "from now")

    def validate_body(self, pk: int) -> SupervisoryBody:
        body = selectors.body_list(user=self.context["request"].user).filter(pk=pk).first()
        if body is None:
            raise serializers.ValidationError(_("No such supervision body."))
        return body


class InquiryAnswerInput(Serializer):
    answer = serializers.CharField()


class ListQuery(Serializer):
    """A list's query parameters."""

    overdue = serializers.BooleanField(required=False, default=False)
    year = serializers.IntegerField(required=False, default=None, min_value=2000, max_value=2100)


# --- 折子工程 ------------------------------------------------------------------------------------

class ProgressReportSerializer(ModelSerializer):
    reported_by = _username()

    class Meta:
        model = ProgressReport
        fields = ["id", "reported_at", "reported_by", "text", "percent"]
        read_only_fields = fields


class InspectionSerializer(ModelSerializer):
    inspector = _username()

    class Meta:
        model = Inspection
        fields = ["id", "inspected_at", "inspector", "finding", "verdict", "rectify_by"]
        read_only_fields = fields


class WorkPlanTaskSerializer(ModelSerializer):
    owner_kind = serializers.CharField(help_text="department or street")
    owner = serializers.CharField(source="owner.code")
    owner_name = serializers.CharField(source="owner.name")
    overdue = serializers.SerializerMethodField(help_text="not done and past the deadline, or done after it")
    progress_reports = ProgressReportSerializer(many=True)
    inspections = InspectionSerializer(many=True)

    class Meta:
        model = WorkPlanTask
        fields = ["id", "year", "code", "title", "clause", "owner_kind", "owner", "owner_name", "deadline", "done_at",
                  "overdue", "progress_reports", "inspections"]
        read_only_fields = fields

    def get_overdue(self, task: WorkPlanTask) -> bool:
        rank = getattr(task, "overdue_rank", None)
        return rank == 0 if rank is not None else task.is_overdue(timezone.localdate())


class WorkPlanTaskInput(Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    code = serializers.CharField(max_length=20, help_text="unique within the year, e.g. 2013-07")
    title = serializers.CharField(max_length=200)
    clause = serializers.CharField(required=False, default="", allow_blank=True,
                                   help_text="the sentence of the implementation opinions the task comes from")
    owner = serializers.CharField(max_length=20, help_text="the code of the owner department or street")
    deadline = serializers.DateField()


class ProgressReportInput(Serializer):
    text = serializers.CharField()
    percent = serializers.IntegerField(min_value=0, max_value=100)


class InspectionInput(Serializer):
    finding = serializers.CharField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    rectify_by = serializers.DateField(required=False, default=None, allow_null=True)
    inspected_at = serializers.DateTimeField(required=False, default=None, allow_null=True, help_text="default: now")

