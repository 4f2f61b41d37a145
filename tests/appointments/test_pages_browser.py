"""One appointment from start to end in a real Chromium: the police department's administrator
proposes the station head, the street's staff attach the party committee's written opinion, the
administrator files it. Screenshot: var/screenshots/appointment.png (ignored by git)."""

import pytest
from django.core.management import call_command

from agencies.models import Agency, Department, Street
from appointments.models import Appointment, AppointmentStatus, PartyCommitteeSeat
from grids.geometry import grid_index
from haidian.calendar import clear_cache
from haidian.permissions import Role
from tests.appointments.conftest import PDF
from tests.conftest import make_user
from tests.dispatch.test_pages_browser import SHOTS, Person

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, tmp_path):
    # live_server tests run after the others and empty the tables: build Haidian again.
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0)
    clear_cache()
    grid_index.invalidate()
    street = Street.objects.get(code="110108007")
    make_user("police-admin", Role.DEPARTMENT_ADMIN, [Department.objects.get(code="110108-ga")])
    make_user("street-staff", Role.STREET_STAFF, [street])
    opinion = tmp_path / "opinion.pdf"
    opinion.write_bytes(PDF)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {"police": Agency.objects.get(code=f"{street.code}-pcs"), "opinion": str(opinion)}


def test_an_appointment_is_proposed_given_an_opinion_and_filed(live_server, browser, world):
    base = live_server.url
    admin = Person(browser, base, "police-admin")
    page = admin.open("/appointments/")
    with page.expect_navigation():
        page.click("#propose-link")
    page.select_option("#id_agency", world["police"].code)
    page.fill("#id_candidate_name", "王建国")
    page.select_option("#id_position", "head")
    with page.expect_navigation():
        page.click("#form-appointment button[type=submit]")
    appointment = Appointment.objects.get()
    assert page.url == f"{base}/appointments/{appointment.pk}/"
    assert page.locator("#filing-defect").is_visible()  # filing now would be refused

    staff = Person(browser, base, "street-staff")
    page = staff.open("/appointments/")
    with page.expect_navigation():
        page.click(f"a[href='/appointments/{appointment.pk}/']")
    page.select_option("#id_attach-verdict", "agree")
    page.fill("#id_attach-text", "经街道党工委研究，同意王建国同志任派出所所长。")
    page.set_input_files("#id_attach-upload", world["opinion"])
    with page.expect_navigation():
        page.click("button[data-action=attach]")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.DOCUMENT_ATTACHED
    assert page.locator("button[data-action=attach]").count() == 1  # may still reconsider before filing

    page = admin.open(f"/appointments/{appointment.pk}/")
    assert page.locator("#filing-defect").count() == 0
    page.fill("#id_file-hr_reference", "海人任〔2026〕7号")
    with page.expect_navigation():
        page.click("button[data-action=file]")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.FILED and appointment.hr_reference == "海人任〔2026〕7号"
    assert page.locator("#timeline li").count() == 3
    assert page.locator("button[data-action]").count() == 0
    assert PartyCommitteeSeat.objects.get().person_name == "王建国"
    admin.page.screenshot(path=str(SHOTS / "appointment.png"), full_page=True)
    staff.close()
    admin.close()
