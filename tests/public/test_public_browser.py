"""A resident on a phone (390×844) in a real Chromium: scans a grid's poster, reports a problem with
a photo and the phone's location, follows it by the private link and by number and phone digits,
and rates it once the street has closed it.

Screenshots go to var/screenshots/public-*.png (ignored by git): look at them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from agencies.models import Agency, Street
from dispatch.models import Case, Category
from grids.geometry import grid_index
from grids.models import GridCell
from haidian.calendar import clear_cache
from haidian.permissions import Role
from tests.conftest import make_user
from tests.dispatch.conftest import Workflow
from tests.public.conftest import REPORTER_NAME, REPORTER_PHONE

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db, tmp_path, settings):
    # live_server tests run after the others and empty the tables: build Haidian again.
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0)
    clear_cache()
    grid_index.invalidate()
    settings.PUBLIC_REPORT_MIN_SECONDS = 0  # a robot's speed is tested in test_report.py
    street = Street.objects.get(code="110108007")
    grid = GridCell.objects.filter(community__street=street).order_by("code").first()
    workflow = Workflow(
        street_staff=make_user("street-staff", Role.STREET_STAFF, [street]),
        agency_head=make_user("police-head", Role.AGENCY_HEAD, [Agency.objects.get(code=f"{street.code}-pcs")]),
        category=Category.objects.get(code="A02-06"),
        agency=Agency.objects.get(code=f"{street.code}-pcs"),
        cooperating_agency=Agency.objects.get(code=f"{street.code}-cgfd"),
    )
    photo = tmp_path / "photo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 160, 90)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {"grid": grid, "workflow": workflow, "photo": str(photo)}


class Phone:
    """A resident's phone: a 390×844 touch screen in Chromium that knows where it is."""

    def __init__(self, browser, base: str, grid: GridCell):
        self.base = base
        self.context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, permissions=["geolocation"],
            geolocation={"latitude": grid.centroid_lat, "longitude": grid.centroid_lng})
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def fits(self) -> None:
        assert self.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"public-{name}.png"), full_page=True)

    def close(self) -> None:
        assert not self.errors, self.errors
        self.context.close()


def report_from_the_poster(phone: Phone, grid: GridCell, photo: str) -> tuple[Case, str]:
    """Scan the grid's poster, report with a photo and the phone's location: the case and its link."""
    page = phone.page
    page.goto(f"{phone.base}/report/?grid={grid.code}")
    assert float(page.input_value("#id_lat")) == pytest.approx(grid.centroid_lat, abs=1e-5)
    assert page.locator("#report-map .leaflet-marker-icon").count() == 1  # the map starts at the grid
    assert page.locator("#report-map .leaflet-overlay-pane path").count() == 1  # and its outline
    page.fill("#id_title", "小区门口流浪狗追咬行人")
    page.locator("#category-suggestion button").click()  # the category the title suggests
    assert page.locator("#id_category option:checked").inner_text() == "犬只扰民"
    page.fill("#id_description", "东门口有三只流浪犬，早晚追咬行人。")
    page.click("#use-location")
    page.wait_for_function(f"() => document.querySelector('#id_lat').value === '{grid.centroid_lat:.6f}'")
    page.set_input_files("#id_photo", photo)
    page.fill("#id_reporter_name", REPORTER_NAME)
    page.fill("#id_reporter_phone", REPORTER_PHONE)
    honeypot = page.locator("#id_website").bounding_box()
    assert honeypot["x"] + honeypot["width"] <= 0  # off the screen: for robots only
    phone.fits()
    phone.shot("01-report")
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")

    assert page.url == f"{phone.base}/report/sent/"
    case = Case.objects.get(number=page.inner_text("[data-case-number]").strip())
    assert (case.source, case.grid_id, case.attachments.count()) == ("resident", grid.pk, 1)
    link = page.get_attribute("[data-follow-link]", "href")
    assert link.startswith(f"{phone.base}/follow/")
    phone.fits()
    phone.shot("02-sent")
    return case, link


def test_a_resident_reports_from_a_phone_and_follows_the_case_to_its_rating_link(live_server, browser, world):
    grid = world["grid"]
    phone = Phone(browser, live_server.url, grid)
    page = phone.page
    case, link = report_from_the_poster(phone, grid, world["photo"])

    page.goto(link)
    assert page.locator("[data-step]").count() == 1
    assert page.locator("[data-status=reported]").count() == 1
    phone.shot("03-follow-reported")

    # Later, by the number and the last four digits of the phone.
    page.goto(f"{live_server.url}/follow/")
    page.fill("#id_number", case.number)
    page.fill("#id_last_four", REPORTER_PHONE[-4:])
    with page.expect_navigation():
        page.click("#follow-form button[type=submit]")
    assert page.url == link

    world["workflow"].close(case)  # filed, dispatched, handled and verified by the street
    page.reload()
    assert page.locator("[data-status=closed]").count() == 1
    assert page.locator("[data-step]").count() == 6
    body = page.inner_text("main")
    assert REPORTER_NAME not in body and REPORTER_PHONE not in body and REPORTER_PHONE[-4:] not in body
    phone.fits()
    phone.shot("04-follow-closed")
    with page.expect_navigation():
        page.click("a[data-action=rate]")
    assert page.locator("button[data-action=rate]").count() == 1  # the rating form of the case

    # The private page's own forms still pass the CSRF check (its referrer policy keeps the Origin).
    page.goto(link)
    with page.expect_navigation():
        page.select_option(".lang-switch select", "en")
    assert page.url == link and page.get_attribute("html", "lang") == "en"
    phone.close()


def test_the_rating_link_rates_the_closed_case_from_the_phone(live_server, browser, world):
    grid = world["grid"]
    phone = Phone(browser, live_server.url, grid)
    page = phone.page
    case, link = report_from_the_poster(phone, grid, world["photo"])
    world["workflow"].close(case)

    page.goto(link)
    with page.expect_navigation():
        page.click("a[data-action=rate]")
    page.check("input[name=satisfaction][value=satisfied]")
    with page.expect_navigation():
        page.click("button[data-action=rate]")
    assert page.locator("[data-state=rated]").count() == 1
    assert Case.objects.get(pk=case.pk).satisfaction == "satisfied"

    page.goto(link)
    assert page.locator("a[data-action=rate]").count() == 0
    assert page.locator("[data-satisfaction]").count() == 1
    phone.shot("05-follow-rated")
    phone.close()


def test_the_grid_map_leads_from_the_phones_location_to_the_roster(live_server, browser, world):
    grid = world["grid"]
    call_command("seed_roster", street=[grid.community.street.code], verbosity=0)
    phone = Phone(browser, live_server.url, grid)
    page = phone.page

    page.goto(f"{live_server.url}/grids/")
    page.wait_for_selector(f"#grids-map[data-grids='{GridCell.objects.count()}']")
    phone.shot("06-grid-map")
    with page.expect_navigation():
        page.click("#find-my-grid")

    assert page.url == f"{live_server.url}/grids/{grid.code}/"
    assert page.locator(".roster-entry").count() == 2  # seed_roster's people without an account
    assert page.locator("#grid-outline-map .leaflet-interactive, #grid-outline-map canvas").count() >= 1
    phone.fits()
    phone.shot("07-grid-roster")
    phone.close()
