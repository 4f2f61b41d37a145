"""An appointment from proposal to filing, and the filings the HR bureau refuses as invalid."""

import pytest

from appointments import services
from appointments.models import Appointment, AppointmentStatus, PartyCommitteeSeat, Position, Requirement, Verdict
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from tests.appointments.conftest import pdf

pytestmark = pytest.mark.django_db


def attach(appointment, actor, verdict=Verdict.AGREE, text="同意。"):
    return services.appointment_attach_document(appointment=appointment, actor=actor, verdict=verdict, text=text,
                                                upload=pdf())


def test_a_police_station_head_is_proposed_given_an_opinion_and_filed(proposed, street_staff, department_admin):
    assert proposed.requirement == Requirement.OPINION and proposed.status == AppointmentStatus.PROPOSED
    attached = attach(proposed, street_staff)
    assert attached.status == AppointmentStatus.DOCUMENT_ATTACHED
    assert attached.document_kind == Requirement.OPINION and attached.document_content_type == "application/pdf"

    filed = services.appointment_file(appointment=attached, actor=department_admin, hr_reference="海人任〔2026〕7号")
    assert filed.status == AppointmentStatus.FILED and filed.filed_at and filed.hr_reference == "海人任〔2026〕7号"


def test_filing_without_the_required_opinion_is_refused_as_invalid_naming_the_reason(proposed, department_admin):
    with pytest.raises(services.FilingRefused) as refused:
        services.appointment_file(appointment=proposed, actor=department_admin)
    assert isinstance(refused.value, InvalidInput)
    assert refused.value.errors == {"document": ["The street party committee's written opinion is missing."]}
    proposed.refresh_from_db()
    assert proposed.status == AppointmentStatus.REFUSED_INVALID  # the refusal is on record
    assert proposed.refusal_reason == "The street party committee's written opinion is missing."


def test_filing_without_the_required_consent_names_the_consent(consent_proposed, housing_admin):
    with pytest.raises(services.FilingRefused, match="written consent is missing"):
        services.appointment_file(appointment=consent_proposed, actor=housing_admin)


def test_filing_is_refused_when_consent_is_needed_and_the_street_disagreed(consent_proposed, street_staff,
                                                                             housing_admin):
    attach(consent_proposed, street_staff, Verdict.DISAGREE, "不同意：该同志群众基础较弱。")
    with pytest.raises(services.FilingRefused, match="refused its consent"):
        services.appointment_file(appointment=consent_proposed, actor=housing_admin)
    consent_proposed.refresh_from_db()
    assert consent_proposed.status == AppointmentStatus.REFUSED_INVALID and consent_proposed.filed_at is None


def test_a_disagreeing_opinion_is_advice_not_a_veto(proposed, street_staff, department_admin):
    """Dual management: the street's opinion must be on file, but only a consent can stop a filing."""
    attach(proposed, street_staff, Verdict.DISAGREE, "建议暂缓。")
    filed = services.appointment_file(appointment=proposed, actor=department_admin)
    assert filed.status == AppointmentStatus.FILED and filed.verdict == Verdict.DISAGREE


def test_the_street_may_reconsider_before_filing(consent_proposed, street_staff, housing_admin):
    attach(consent_proposed, street_staff, Verdict.DISAGREE, "不同意。")
    attach(consent_proposed, street_staff, Verdict.AGREE, "经复议，同意。")
    assert services.appointment_file(appointment=consent_proposed, actor=housing_admin).status == "filed"


def test_the_police_station_heads_seat_on_the_party_committee_is_recorded_on_filing(
        proposed, street_staff, department_admin, agency, street):
    attach(proposed, street_staff)
    assert not PartyCommitteeSeat.objects.exists()  # not before the filing
    services.appointment_file(appointment=proposed, actor=department_admin)
    seat = PartyCommitteeSeat.objects.get()
    assert (seat.street, seat.agency, seat.person_name, seat.appointment_id) == (street, agency, "王建国", proposed.pk)

    successor = services.appointment_propose(actor=department_admin, agency=agency, street=street,
                                             candidate_name="赵新", position=Position.HEAD)
    attach(successor, street_staff)
    services.appointment_file(appointment=successor, actor=department_admin)
    assert list(PartyCommitteeSeat.objects.filter(ended_at=None).values_list("person_name", flat=True)) == ["赵新"]
    seat.refresh_from_db()
    assert seat.ended_at is not None


def test_a_deputy_of_the_police_station_takes_no_seat(agency, street, street_staff, department_admin):
    deputy = services.appointment_propose(actor=department_admin, agency=agency, street=street,
                                          candidate_name="钱二", position=Position.DEPUTY)
    attach(deputy, street_staff)
    services.appointment_file(appointment=deputy, actor=department_admin)
    assert not PartyCommitteeSeat.objects.exists()


def test_a_local_mode_agency_is_appointed_by_the_street_directly(justice_office, street, street_staff):
    appointment = services.appointment_by_street(actor=street_staff, agency=justice_office, street=street,
                                                 candidate_name="孙立", position=Position.HEAD)
    assert appointment.status == AppointmentStatus.APPOINTED
    assert appointment.requirement == Requirement.STREET_APPOINTS and appointment.filed_at is not None


def test_departments_cannot_propose_for_a_local_mode_agency(justice_office, street, justice_admin):
    with pytest.raises(ActionForbidden, match="appoints the leaders .* directly"):
        services.appointment_propose(actor=justice_admin, agency=justice_office, street=street,
                                     candidate_name="孙立", position=Position.HEAD)
    assert not Appointment.objects.exists()


def test_the_street_cannot_appoint_a_dual_mode_agencys_leader_directly(agency, street, street_staff):
    with pytest.raises(InvalidInput, match="not under local management"):
        services.appointment_by_street(actor=street_staff, agency=agency, street=street, candidate_name="周",
                                       position=Position.HEAD)


def test_a_proposal_for_a_street_the_agency_does_not_serve_is_invalid(agency, other_street, department_admin):
    with pytest.raises(InvalidInput, match="does not serve"):
        services.appointment_propose(actor=department_admin, agency=agency, street=other_street,
                                     candidate_name="吴", position=Position.HEAD)


def test_only_the_agencys_department_proposes_and_files(agency, street, proposed, other_department_admin,
                                                        street_staff):
    with pytest.raises(ActionForbidden):
        services.appointment_propose(actor=other_department_admin, agency=agency, street=street,
                                     candidate_name="吴", position=Position.HEAD)
    attach(proposed, street_staff)
    with pytest.raises(ActionForbidden):
        services.appointment_file(appointment=proposed, actor=other_department_admin)
    with pytest.raises(ActionForbidden):
        services.appointment_file(appointment=proposed, actor=street_staff)


def test_only_the_streets_staff_attach_the_document(proposed, other_street_staff, department_admin):
    for outsider in (other_street_staff, department_admin):
        with pytest.raises(ActionForbidden):
            attach(proposed, outsider)


def test_a_filed_or_refused_appointment_takes_no_more_steps(proposed, street_staff, department_admin):
    attach(proposed, street_staff)
    services.appointment_file(appointment=proposed, actor=department_admin)
    with pytest.raises(ActionConflict):
        services.appointment_file(appointment=proposed, actor=department_admin)
    with pytest.raises(ActionConflict):
        attach(proposed, street_staff)


def test_the_document_must_be_a_pdf_or_a_photo(proposed, street_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(InvalidInput) as invalid:
        services.appointment_attach_document(appointment=proposed, actor=street_staff, verdict=Verdict.AGREE,
                                             text="同意", upload=SimpleUploadedFile("x.pdf", b"MZ not a pdf"))
    assert "document_file" in invalid.value.errors
    proposed.refresh_from_db()
    assert proposed.status == AppointmentStatus.PROPOSED
