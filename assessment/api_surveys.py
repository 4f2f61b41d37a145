"""Survey imports over the API: `POST /api/v1/surveys/import/` (multipart `round`, `file`).

201 {id, rows, …}; 400 with the file's bad lines under "file" (nothing is imported); 401 anonymous;
403 anyone but a survey operator of the district; 409 a published round.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from assessment import satisfaction
from assessment.models import Round, SurveyImport
from haidian.api import ModelSerializer, Serializer


class SurveyImportInput(Serializer):
    round = serializers.SlugRelatedField(slug_field="period", queryset=Round.objects.all())
    file = serializers.FileField()

    def validate_file(self, upload):
        if upload.size > satisfaction.MAX_SURVEY_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": satisfaction.MAX_SURVEY_BYTES // (1024 * 1024)})
        return upload


class SurveyImportSerializer(ModelSerializer):
    round = serializers.SlugRelatedField(slug_field="period", read_only=True)
    imported_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SurveyImport
        fields = ["id", "round", "filename", "rows", "imported_by", "imported_at"]


class SurveyViewSet(viewsets.GenericViewSet):
    """第三方满意度调查: the survey firm's answers, imported per round."""

    queryset = SurveyImport.objects.none()
    serializer_class = SurveyImportSerializer

    @extend_schema(request={"multipart/form-data": SurveyImportInput}, responses={201: SurveyImportSerializer})
    @action(detail=False, methods=["post"], url_path="import", url_name="import",
            parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        # The role first, so that someone who may not import learns that, not what is wrong with the file.
        satisfaction.require_survey_operator(request.user)
        serializer = SurveyImportInput(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        survey = satisfaction.import_survey(round=serializer.validated_data["round"], actor=request.user,
                                            filename=upload.name, data=upload.read())
        return Response(SurveyImportSerializer(survey).data, status=status.HTTP_201_CREATED)
