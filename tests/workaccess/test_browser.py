"""One work access request from start to end in a real Chromium, by three people in their own browsers:
the department's admin drafts and submits it, the district command approves it under the meeting's
reference and assigns it to a street, and the street's staff see what came with it and acknowledge.

The screenshot goes to var/screenshots/work-access.png (ignored by git): look at it.
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from agencies.models import Department, District, Street
from haidian.calendar import clear_cache
from haidian.permissions import Role
from tests.conftest import make_user
from workaccess.models import AccessRequest, AccessStatus

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots")
REFERENCE = "区政府常务会议〔2026〕第15号"


@pytest.fixture
def world(transactional_db):
    # live_server tests run after the others and empty the tables: build Haidian again.
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0)
    clear_cache()
    street = Street.objects.get(code="110108007")
    make_user("department-admin", Role.DEPARTMENT_ADMIN, [Department.objects.get(code="110108-ga")])
    make_user("district-command", Role.DISTRICT_COMMAND, [District.objects.get(code="110108")])
    make_user("street-staff", Role.STREET_STAFF, [street])
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {"street": street}


class Person:
    """One signed-in person in their own browser context."""

    def __init__(self, browser, base: str, username: str):
        self.base = base
        self.context = browser.new_context(locale="en-US")
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(f"{base}/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f"pw-{username}")
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/login/" not in url)  # signed in: on to their workplace

    def open(self, path: str):
        self.page.goto(f"{self.base}{path}")
        return self.page

    def submit(self, form_id: str):
        with self.page.expect_navigation():
            self.page.locator(f"#{form_id} button[type=submit]").click()
        return self.page

    def close(self) -> None:
        assert not self.errors, self.errors
        self.context.close()


def test_a_work_access_request_from_draft_to_acknowledgement(world, live_server, browser):
    base = live_server.url

    department = Person(browser, base, "department-admin")
    page = department.open("/work-access/requests/")
    page.fill("#id_title", "背街小巷停车秩序巡查")
    page.fill("#id_description", "街道负责背街小巷停车秩序的日常巡查与劝导。")
    page.fill("#id_powers", "劝导、登记、移交违法停车线索")
    page.fill("#id_budget_yuan", "480000")
    page.fill("#id_staff_count", "6")
    department.submit("form-new")
    request = AccessRequest.objects.get(title="背街小巷停车秩序巡查")
    assert request.status == AccessStatus.DRAFT
    department.submit("form-submit")
    request.refresh_from_db()
    assert request.status == AccessStatus.SUBMITTED
    department.close()

    command = Person(browser, base, "district-command")
    page = command.open("/work-access/requests/")
    with page.expect_navigation():
        page.click("text=背街小巷停车秩序巡查")
    page.fill("#id_approve-meeting_reference", REFERENCE)
    command.submit("form-approve")
    assert page.locator("#meeting-reference").inner_text() == REFERENCE
    page.check(f"#form-assign input[type=checkbox][value='{world['street'].pk}']")
    command.submit("form-assign")
    assert world["street"].name in page.locator("#assignments").inner_text()
    command.close()

    staff = Person(browser, base, "street-staff")
    page = staff.open("/work-access/tasks/")
    card = page.locator("section.assignment")
    assert card.count() == 1
    assert "劝导、登记、移交违法停车线索" in card.locator(".powers").inner_text()
    assert card.locator(".budget").inner_text() == "480000.00"
    assert card.locator(".staff").inner_text() == "6"
    assert REFERENCE in card.inner_text()
    staff.submit("form-acknowledge")
    assert page.locator("section.assignment .acknowledged").count() == 1
    page.screenshot(path=str(SHOTS / "work-access.png"), full_page=True)
    staff.close()

    request.refresh_from_db()
    assert request.status == AccessStatus.APPROVED and request.meeting_reference == REFERENCE
    assert request.assignments.get().acknowledged_at is not None
