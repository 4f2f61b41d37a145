"""报到 from a phone, in a real Chromium: an agency head on a 390×844 screen taps the big button and the
phone's location goes with the check-in; a phone that refuses its location reports at the case's point.

Screenshots go to var/screenshots/ (ignored by git): look at them.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from agencies.models import Agency, Street
from dispatch import services as dispatch_services
from dispatch.models import Source
from grids.geometry import grid_index
from grids.models import GridCell
from haidian.calendar import clear_cache
from haidian.permissions import Role
from tests.conftest import make_user
from whistle import services
from whistle.models import SummonedUnit, UnitStatus

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):
    # live_server tests run after the others and empty the tables: build Haidian again.
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0)
    clear_cache()
    grid_index.invalidate()
    street = Street.objects.get(code="110108007")
    grid = GridCell.objects.filter(community__street=street).order_by("code").first()
    police = Agency.objects.get(code=f"{street.code}-pcs")
    staff = make_user("street-staff", Role.STREET_STAFF, [street])
    make_user("police-head", Role.AGENCY_HEAD, [police])
    case = dispatch_services.case_create(actor=staff, title="学院路口井盖塌陷", lat=grid.centroid_lat,
                                         lng=grid.centroid_lng, source=Source.STAFF)
    summons = services.summons_create(case=case, actor=staff, units=[police.code], minutes=30,
                                      note="井盖塌陷，请派人到场维护秩序")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {"case": case, "summons": summons, "unit": summons.units.get(), "grid": grid}


def phone(browser, base: str, username: str, **context):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # signed in: on to their workplace
    return context, page, errors


def checked_in_text() -> str:
    """What the page says once a unit has reported, in the Chinese the page is served in (已报到)."""
    with translation.override("zh-hans"):
        return translation.gettext("Checked in")


def test_an_agency_head_reports_on_site_from_the_phone_with_its_location(live_server, browser, world):
    here = {"latitude": world["grid"].centroid_lat + 0.0004, "longitude": world["grid"].centroid_lng - 0.0003}
    context, page, errors = phone(browser, live_server.url, "police-head", geolocation=here,
                                  permissions=["geolocation"])
    page.goto(f"{live_server.url}/whistle/")
    button = page.locator(f"#summons-{world['summons'].pk} button[data-action=check-in]")
    assert button.is_visible()
    assert page.locator(f"#summons-{world['summons'].pk} time.countdown").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "whistle-01-summoned.png"), full_page=True)
    with page.expect_navigation():
        button.click()

    assert page.url == f"{live_server.url}/whistle/"
    reported = page.locator(f"#summons-{world['summons'].pk} .checked-in")
    assert checked_in_text() in reported.inner_text()
    assert page.locator("button[data-action=check-in]").count() == 0
    page.screenshot(path=str(SHOTS / "whistle-02-checked-in.png"), full_page=True)
    unit = SummonedUnit.objects.get(pk=world["unit"].pk)
    assert unit.status == UnitStatus.ON_TIME
    assert (round(unit.lat, 6), round(unit.lng, 6), unit.location_note) == (
        round(here["latitude"], 6), round(here["longitude"], 6), "")
    assert not errors, errors
    context.close()


def test_a_phone_that_refuses_its_location_reports_at_the_cases_point_with_a_note(live_server, browser, world):
    context, page, errors = phone(browser, live_server.url, "police-head")  # no geolocation permission
    page.goto(f"{live_server.url}/whistle/")
    with page.expect_navigation(timeout=30_000):
        page.locator("button[data-action=check-in]").click()

    assert checked_in_text() in page.locator(".checked-in").inner_text()
    unit = SummonedUnit.objects.get(pk=world["unit"].pk)
    case = world["case"]
    assert (unit.status, unit.lat, unit.lng) == (UnitStatus.ON_TIME, case.lat, case.lng)
    assert unit.location_note  # why the point is the case's, as the phone said it
    assert not errors, errors
    context.close()
