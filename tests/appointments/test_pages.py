"""The appointment pages: each person sees only the step they may take; refusals say why."""

import pytest

from appointments import services
from appointments.models import Appointment, AppointmentStatus, Verdict
from tests.appointments.conftest import pdf
from tests.dispatch.conftest import forms_on, signed_in

pytestmark = pytest.mark.django_db


def test_the_department_admin_proposes_from_the_form(agency, department_admin):
    client = signed_in(department_admin)
    assert 'id="propose-link"' in client.get("/appointments/").content.decode()
    form = client.get("/appointments/new/")
    assert agency.code in form.content.decode()
    response = client.post("/appointments/new/", {"agency": agency.code, "candidate_name": "王建国",
                                                  "position": "head"})
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appointments/{appointment.pk}/"
    assert appointment.street.code == "110108007"  # the one street the agency serves


def test_only_department_admins_have_the_proposal_form(street_staff, grid_worker):
    assert signed_in(street_staff).get("/appointments/new/").status_code == 404
    assert signed_in(grid_worker).get("/appointments/new/").status_code == 404


def test_each_person_sees_their_step(proposed, street_staff, department_admin, other_street_staff):
    assert forms_on(signed_in(street_staff).get(f"/appointments/{proposed.pk}/")) == {"attach"}
    page = signed_in(department_admin).get(f"/appointments/{proposed.pk}/")
    assert forms_on(page) == {"file"}
    assert "written opinion is missing" in page.content.decode()  # warned before filing
    assert signed_in(other_street_staff).get(f"/appointments/{proposed.pk}/").status_code == 404


def test_the_street_attaches_and_the_refusal_shows_on_the_page(proposed, street_staff, department_admin):
    client = signed_in(street_staff)
    response = client.post(f"/appointments/{proposed.pk}/attach/",
                           {"attach-verdict": "disagree", "attach-text": "建议暂缓。", "attach-upload": pdf()})
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == AppointmentStatus.DOCUMENT_ATTACHED
    assert client.get(f"/appointments/{proposed.pk}/document/")["Content-Type"] == "application/pdf"
    wrong = client.post(f"/appointments/{proposed.pk}/file/", {})
    assert wrong.status_code == 403


def test_a_refused_filing_is_shown_with_its_reason(consent_proposed, street_staff, housing_admin):
    services.appointment_attach_document(appointment=consent_proposed, actor=street_staff,
                                         verdict=Verdict.DISAGREE, text="不同意。", upload=pdf())
    client = signed_in(housing_admin)
    response = client.post(f"/appointments/{consent_proposed.pk}/file/", {"file-hr_reference": ""}, follow=True)
    html = response.content.decode()
    assert "The filing was refused as invalid: The street party committee refused its consent." in html
    assert 'id="refusal-reason"' in html
    assert client.post(f"/appointments/{consent_proposed.pk}/file/", {}).status_code == 409


def test_the_street_appoints_its_judicial_office_head_from_its_form(justice_office, street_staff):
    client = signed_in(street_staff)
    form = client.get("/appointments/appoint/").content.decode()
    assert justice_office.code in form and "-pcs" not in form
    response = client.post("/appointments/appoint/", {"agency": justice_office.code, "candidate_name": "孙立",
                                                      "position": "head"})
    assert response.status_code == 302
    assert Appointment.objects.get().status == AppointmentStatus.APPOINTED


def test_the_list_pins_its_queries(agency, street, department_admin, django_assert_max_num_queries):
    for n in range(5):
        services.appointment_propose(actor=department_admin, agency=agency, street=street,
                                     candidate_name=f"候选{n}", position="deputy")
    client = signed_in(department_admin)
    client.get("/appointments/")
    with django_assert_max_num_queries(20):
        assert client.get("/appointments/").content.decode().count('href="/appointments/') >= 5


def test_pages_need_a_login(proposed):
    from django.test import Client

    for path in ("/appointments/", "/appointments/new/", f"/appointments/{proposed.pk}/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
