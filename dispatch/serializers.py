"""Input serializers validate; output serializers render. No business rules here."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from dispatch import files, selectors
from dispatch.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    DeadlineLetter,
    Priority,
    Satisfaction,
    Source,
    Task,
)
from haidian.api import ModelSerializer, Serializer


class CategorySerializer(ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, read_only=True)
    default_department = serializers.CharField(source="default_department.code", default=None, read_only=True)

    class Meta:
        model = Category
        fields = ["code", "name", "parent", "default_department", "default_agency_kind", "time_limit",
                  "time_limit_unit"]


class CaseCreateSerializer(Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=Source.choices)
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    reporter_phone = serializers.RegexField(r"^\+?[0-9-]{5,20}$", required=False, allow_blank=True, default="",
                                            error_messages={"invalid": _("Enter a phone number.")})
    reporter_email = serializers.EmailField(required=False, allow_blank=True, default="")
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False,
                                            allow_null=True, default=None)


class CaseSerializer(ModelSerializer):
    street = serializers.CharField(source="street.code")
    community = serializers.CharField(source="community.code")
    grid = serializers.CharField(source="grid.code")
    category = serializers.CharField(source="category.code", default=None)

    class Meta:
        model = Case
        fields = ["number", "title", "status", "tier", "priority", "source", "category", "street", "community",
                  "grid", "address", "lat", "lng", "rework_count", "overdue", "ever_overdue", "return_count",
                  "strongly_reflected_at", "created_at"]
        read_only_fields = fields


class CaseEventSerializer(ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = CaseEvent
        fields = ["action", "from_status", "to_status", "actor", "actor_unit", "at", "note", "data"]


class TaskSerializer(ModelSerializer):
    case = serializers.CharField(source="case.number")
    agency = serializers.CharField(source="agency.code", default=None)
    department = serializers.CharField(source="department.code", default=None)

    class Meta:
        model = Task
        fields = ["id", "case", "agency", "department", "role", "status", "due_at", "accept_due_at", "accepted_at",
                  "accepted_late", "ever_overdue", "responded_at", "result", "extension_status", "extension_until",
                  "extension_reason", "return_requests", "return_reason"]


class AttachmentSerializer(ModelSerializer):
    """`file` and `thumbnail` are addresses that check the reader's access to the case: fetch them
    with the same token (or session) as the API call."""

    # A stored file has no public address: these link the gated views of dispatch.files.
    task = serializers.PrimaryKeyRelatedField(read_only=True)
    file = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "kind", "file", "thumbnail", "content_type", "size", "task", "uploaded_at"]

    @extend_schema_field(serializers.URLField())
    def get_file(self, attachment: Attachment) -> str:
        return self._absolute(files.attachment_url(attachment))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail(self, attachment: Attachment) -> str | None:
        if not attachment.thumbnail:
            return None
        return self._absolute(files.attachment_url(attachment, thumbnail=True))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class CaseDetailSerializer(CaseSerializer):
    # Whole or masked as `selectors.sees_reporter_phone` decides; shown whole, the view is audited.
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()
    duplicate_of = serializers.CharField(source="duplicate_of.number", default=None)
    events = CaseEventSerializer(many=True)
    tasks = TaskSerializer(many=True)
    attachments = AttachmentSerializer(many=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "description", "reporter_name", "reporter_phone", "duplicate_of",
                  "satisfaction", "satisfaction_comment", "review", "reopen_count", "public_result",
                  "callback_satisfaction", "callback_note", "callback_at", "alarm_acknowledged_at",
                  "filed_at", "dispatched_at", "escalated_at",
                  "responded_at", "closed_at", "rejected_at", "rated_at", "events", "tasks", "attachments"]
        read_only_fields = fields

    def _reporter(self, case: Case) -> tuple[str, str]:
        shown = getattr(self, "_reporter_shown", None)
        if shown is None or shown[0] != case.pk:  # one decision (and one audit row) per case rendered
            shown = (case.pk, selectors.reporter_shown(request=self.context["request"], case=case))
            self._reporter_shown = shown
        return shown[1]

    def get_reporter_name(self, case: Case) -> str:
        return self._reporter(case)[0]

    def get_reporter_phone(self, case: Case) -> str:
        return self._reporter(case)[1]


class FileInput(Serializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)


class VisibleCaseField(serializers.SlugRelatedField):
    """A case number, looked up only among the cases the requesting user may see: a case of another
    street does not exist for them, here as in the URLs."""

    def get_queryset(self):
        return selectors.case_list(user=self.context["request"].user)


class RejectInput(Serializer):
    reason = serializers.CharField()
    duplicate_of = VisibleCaseField(slug_field="number", queryset=Case.objects.none(), required=False,
                                    allow_null=True, default=None)


class NoteInput(Serializer):
    note = serializers.CharField()


class DispatchInput(Serializer):
    lead = serializers.CharField()
    cooperating = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReasonInput(Serializer):
    reason = serializers.CharField()


class OptionalNoteInput(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PublicResultInput(Serializer):
    text = serializers.CharField()


class UnitSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    default = serializers.BooleanField()


class LetterCloseInput(Serializer):
    reasons = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict,
                                    help_text=_("For each linked case still open, by case number: why the letter "
                                                "closes anyway."))


class VerifyInput(Serializer):
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RateInput(Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AttachmentInput(Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices, default=Attachment.Kind.EVIDENCE)
    task = serializers.IntegerField(required=False, allow_null=True, default=None)


class ExtensionInput(Serializer):
    until = serializers.DateTimeField()
    reason = serializers.CharField()


class RespondInput(Serializer):
    result = serializers.CharField()


class LetterSerializer(ModelSerializer):
    street = serializers.CharField(source="street.code")
    agency = serializers.CharField(source="agency.code")
    cases = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = DeadlineLetter
        fields = ["id", "number", "street", "agency", "cases", "requirement", "deadline", "status", "overdue",
                  "issued_at", "acknowledged_at", "answer", "answered_at", "feedback", "feedback_at", "closed_at"]
        read_only_fields = fields


class LetterInput(Serializer):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    cases = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    requirement = serializers.CharField()
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_cases(self, numbers):
        cases, missing = selectors.cases_by_number(user=self.context["request"].user, numbers=numbers)
        if missing:
            raise serializers.ValidationError(_("No such case in your area: %(numbers)s")
                                              % {"numbers": ", ".join(missing)})
        return cases


class AnswerInput(Serializer):
    answer = serializers.CharField()
