"""Appointment endpoints: reads through the scoped selector, workflow verbs as explicit actions.

Every action: find the object in the user's scope (else 404), validate input (else 400), call the
service, which answers 403 for the wrong person and 409 for a step the status forbids.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from appointments import selectors, serializers, services


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class NewestProposedPagination(CursorPagination):
    ordering = ("-proposed_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class AppointmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Appointments of agency leaders (干部任免): the department proposes (POST), the street attaches
    the party committee's written opinion or consent, the department files with the HR bureau. The
    street appoints local-mode agencies' leaders directly (`appoint`)."""

    pagination_class = NewestProposedPagination
    serializer_class = serializers.AppointmentSerializer
    filterset_fields = ["status", "requirement"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.appointment_list(user=self.request.user)

    def _render(self, appointment, code=status.HTTP_200_OK):
        return Response(serializers.AppointmentSerializer(self.get_queryset().get(pk=appointment.pk)).data,
                        status=code)

    @extend_schema(request=serializers.AppointmentInput, responses={201: serializers.AppointmentSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(serializers.AppointmentInput, request)
        return self._render(services.appointment_propose(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=serializers.AppointmentInput, responses={201: serializers.AppointmentSerializer})
    @action(detail=False, methods=["post"])
    def appoint(self, request):
        data = _input(serializers.AppointmentInput, request)
        return self._render(services.appointment_by_street(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": serializers.AppointmentDocumentInput},
                   responses=serializers.AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="attach-document")
    def attach_document(self, request, pk=None):
        appointment = self.get_object()
        data = _input(serializers.AppointmentDocumentInput, request)
        return self._render(services.appointment_attach_document(appointment=appointment, actor=request.user,
                                                                 **data))

    @extend_schema(request=serializers.AppointmentFileInput, responses=serializers.AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="file")
    def file(self, request, pk=None):
        appointment = self.get_object()
        data = _input(serializers.AppointmentFileInput, request)
        try:
            return self._render(services.appointment_file(appointment=appointment, actor=request.user, **data))
        except services.FilingRefused as exc:
            # Answered here, not by the exception handler: the refusal is already committed and stays.
            return Response({**exc.errors, "status": exc.appointment.status}, status=status.HTTP_400_BAD_REQUEST)
