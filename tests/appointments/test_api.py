"""The appointments API: the permission matrix (anonymous, outside scope → 404, wrong role → 403,
wrong state → 409, bad input → 400) and the refusal that stays on record. Never a 500."""

import pytest

from appointments import services
from appointments.models import Appointment, AppointmentStatus, Verdict
from tests.appointments.conftest import pdf

pytestmark = [pytest.mark.django_db]
URL = "/api/v1/appointments/"


def propose_body(agency, street, **extra):
    return {"agency": agency.code, "street": street.code, "candidate_name": "王建国", "position": "head", **extra}


def test_anonymous_gets_nothing(api, proposed):
    assert api.get(URL).status_code in (401, 403)
    assert api.post(f"{URL}{proposed.pk}/file/").status_code in (401, 403)


def test_the_department_admin_proposes_and_files_after_the_street_attaches(api, agency, street, department_admin,
                                                                           street_staff):
    created = api.as_user(department_admin).post(URL, propose_body(agency, street), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["requirement"] == "opinion" and created.json()["status"] == "proposed"
    pk = created.json()["id"]

    attached = api.as_user(street_staff).post(f"{URL}{pk}/attach-document/",
                                              {"verdict": "agree", "text": "同意。", "upload": pdf()},
                                              format="multipart")
    assert attached.status_code == 200, attached.content
    assert attached.json()["has_document"] is True

    filed = api.as_user(department_admin).post(f"{URL}{pk}/file/", {"hr_reference": "海人任〔2026〕7号"},
                                               format="json")
    assert filed.status_code == 200 and filed.json()["status"] == "filed"


def test_a_filing_without_the_document_is_a_400_naming_the_reason_and_the_refusal_stays(api, proposed,
                                                                                        department_admin):
    admin = api.as_user(department_admin)
    response = admin.post(f"{URL}{proposed.pk}/file/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"document": ["The street party committee's written opinion is missing."],
                               "status": "refused_invalid"}
    proposed.refresh_from_db()
    assert proposed.status == AppointmentStatus.REFUSED_INVALID
    assert admin.post(f"{URL}{proposed.pk}/file/", {}, format="json").status_code == 409


def test_a_refused_consent_is_a_400(api, consent_proposed, street_staff, housing_admin):
    services.appointment_attach_document(appointment=consent_proposed, actor=street_staff,
                                         verdict=Verdict.DISAGREE, text="不同意。", upload=pdf())
    response = api.as_user(housing_admin).post(f"{URL}{consent_proposed.pk}/file/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["document"] == ["The street party committee refused its consent."]


def test_outside_scope_is_404(api, proposed, other_street_staff):
    client = api.as_user(other_street_staff)
    assert client.get(f"{URL}{proposed.pk}/").status_code == 404
    assert client.post(f"{URL}{proposed.pk}/attach-document/",
                       {"verdict": "agree", "text": "同意", "upload": pdf()}, format="multipart").status_code == 404
    assert client.get(URL).json()["results"] == []


def test_wrong_role_is_403(api, proposed, street_staff, other_department_admin, agency, street):
    assert api.as_user(street_staff).post(f"{URL}{proposed.pk}/file/", {}, format="json").status_code == 403
    assert api.as_user(street_staff).post(URL, propose_body(agency, street), format="json").status_code == 403
    # another department sees the district's appointments but may not act on them
    client = api.as_user(other_department_admin)
    assert client.post(URL, propose_body(agency, street), format="json").status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == AppointmentStatus.PROPOSED


def test_wrong_state_is_409(api, proposed, street_staff, department_admin):
    services.appointment_attach_document(appointment=proposed, actor=street_staff, verdict=Verdict.AGREE,
                                         text="同意。", upload=pdf())
    services.appointment_file(appointment=proposed, actor=department_admin)
    response = api.as_user(street_staff).post(f"{URL}{proposed.pk}/attach-document/",
                                              {"verdict": "agree", "text": "同意", "upload": pdf()},
                                              format="multipart")
    assert response.status_code == 409


def test_bad_input_is_400(api, proposed, street_staff, department_admin, agency, street):
    client = api.as_user(street_staff)
    assert client.post(f"{URL}{proposed.pk}/attach-document/", {"verdict": "maybe", "text": "x"},
                       format="multipart").status_code == 400
    assert api.as_user(department_admin).post(URL, {**propose_body(agency, street), "agency": "nope"},
                                              format="json").status_code == 400


def test_the_street_appoints_a_local_mode_leader_and_departments_may_not_propose(api, justice_office, street,
                                                                                  street_staff, justice_admin):
    refused = api.as_user(justice_admin).post(URL, propose_body(justice_office, street), format="json")
    assert refused.status_code == 403 and "directly" in refused.json()["detail"]
    appointed = api.as_user(street_staff).post(f"{URL}appoint/", propose_body(justice_office, street),
                                               format="json")
    assert appointed.status_code == 201 and appointed.json()["status"] == "appointed"
    assert Appointment.objects.get().requirement == "street_appoints"


def test_the_list_does_not_grow_queries_with_rows(api, agency, street, department_admin,
                                                  django_assert_max_num_queries):
    for n in range(5):
        services.appointment_propose(actor=department_admin, agency=agency, street=street,
                                     candidate_name=f"候选{n}", position="deputy")
    client = api.as_user(department_admin)
    with django_assert_max_num_queries(10):
        assert len(client.get(URL).json()["results"]) == 5


def test_the_openapi_schema_describes_the_appointments(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/appointments/{id}/attach-document/" in schema.content
