"""The Content-Security-Policy in a real Chromium: the main pages, signed in and public, load under the
site's policy with no violation (no "Refused to …" in the console, no `securitypolicyviolation` event),
and their scripts still work under it — the maps draw, the dashboard's charts render, a suggested
category fills the form, the language switch submits, Swagger UI starts from its nonce.

The policy is the one the test settings give (the same as production's, less the HTTPS parts)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from agencies.models import Agency, Street
from assessment import services as assessment
from assessment.models import RoundStatus, UnitKind
from dispatch import services
from dispatch.models import Category, Source
from grids.geometry import grid_index
from grids.models import GridCell
from haidian.calendar import SHANGHAI, clear_cache
from haidian.permissions import Role
from public import services as public
from tests.assessment.test_public_rankings import make_result, make_round
from tests.conftest import make_user

pytestmark = pytest.mark.browser

# Runs in every document before its own scripts: gathers the violations the page reports.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push([e.effectiveDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber,
                               e.sample].join(" "));
});
"""


@pytest.fixture
def world(transactional_db, settings):
    # live_server tests run after the others and empty the tables: build Haidian again.
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0)
    clear_cache()
    grid_index.invalidate()
    settings.ADMIN_REQUIRE_OTP = False  # the admin's second factor has its own tests
    street = Street.objects.get(code="110108007")
    grid = GridCell.objects.filter(community__street=street).order_by("code").first()
    staff = make_user("street-staff", Role.STREET_STAFF, [street])
    command = make_user("command", Role.DISTRICT_COMMAND, [street.district])
    make_user("police-head", Role.AGENCY_HEAD, [Agency.objects.get(code=f"{street.code}-pcs")])
    get_user_model().objects.create_superuser("installer", password="pw-installer")
    category = Category.objects.get(code="A02-06")
    case = services.case_create(actor=staff, title="小区门口流浪犬", lat=grid.centroid_lat, lng=grid.centroid_lng,
                                source=Source.STAFF)
    case = services.case_file(case=case, actor=staff, category=category)
    round_ = assessment.round_create(actor=command, period="2026H1")
    assessment.round_open(round=round_, actor=command, now=dt.datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI),
                          closes_at=dt.datetime(2026, 7, 15, 17, 0, tzinfo=SHANGHAI))
    published = make_round("2025H2", RoundStatus.PUBLISHED)
    for n in range(3):
        make_result(published, UnitKind.STREET, n + 1, f"街道{n + 1}", n + 1, 90 - n)
    return {"grid": grid, "case": case, "follow": public.follow_token_for(case).token}


class Watched:
    """A browser context whose pages report every CSP violation and script error, page by page."""

    def __init__(self, browser, base: str, **context):
        self.base = base
        self.context = browser.new_context(**context)
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.found: dict[str, list[str]] = {}
        self.current = "?"
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self._note(f"script error: {error}"))

    def _note(self, text: str) -> None:
        self.found.setdefault(self.current, []).append(text)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            self._note(f"console: {message.text}")

    def open(self, path: str) -> None:
        self.collect()
        self.current = path
        self.page.goto(f"{self.base}{path}")

    def collect(self) -> None:
        """The current document's violation events (the console's are noted as they come)."""
        if self.current != "?":
            for violation in self.page.evaluate("() => (window.__cspViolations || []).splice(0)"):
                self._note(f"event: {violation}")

    def sign_in(self, username: str) -> None:
        self.open("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f"pw-{username}")
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")

    def close(self) -> dict[str, list[str]]:
        self.collect()
        self.context.close()
        return self.found


def test_the_main_pages_run_their_scripts_with_no_csp_violation(live_server, browser, world):
    grid, case = world["grid"], world["case"]
    found = {}

    # The street's staff: login, workbench (htmx's waiting badge), the case page's map, Swagger UI.
    staff = Watched(browser, live_server.url)
    page = staff.page
    staff.sign_in("street-staff")
    assert page.url == f"{live_server.url}/workbench/"  # the login lands the street's staff on their workbench
    with page.expect_response(lambda r: "/waiting/" in r.url and r.status == 200):
        staff.open("/workbench/")
    page.wait_for_selector(".waiting-link .slot .badge")  # swapped in by htmx
    staff.open(f"/cases/{case.number}/")
    page.wait_for_selector("#case-map .leaflet-marker-icon, #case-map .leaflet-interactive")
    staff.open("/api/docs/")
    page.wait_for_selector("#swagger-ui .opblock", timeout=30_000)  # drawn from the schema
    found.update(staff.close())

    # The command center: the dashboard's map and charts, a chart's tooltip, the round page.
    command = Watched(browser, live_server.url, viewport={"width": 1440, "height": 1000})
    page = command.page
    command.sign_in("command")
    command.open("/dashboard/")
    page.wait_for_selector("#dashboard[data-charted]")
    page.wait_for_function("() => document.getElementById('dashboard-map').getAttribute('data-grids') === '3000'")
    assert page.locator("#trend-chart canvas").count() == 1 and page.locator("#category-chart canvas").count() == 1
    chart = page.locator("#trend-chart")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5, steps=5)  # the axis tooltip
    page.wait_for_timeout(500)  # drawn on the canvas (renderMode richText): nothing to wait for in the DOM
    command.open("/assessment/rounds/2026H1/")
    page.wait_for_selector("main h1")
    command.open("/public/rankings/?kind=street")
    page.wait_for_selector("#ranking-chart canvas")
    bars = page.locator("#ranking-chart")
    bars.scroll_into_view_if_needed()
    box = bars.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + 80)
    page.mouse.move(box["x"] + box["width"] * 0.35, box["y"] + 82, steps=5)  # the first bar's tooltip
    page.wait_for_timeout(500)
    found.update(command.close())

    # The installer in the admin.
    admin = Watched(browser, live_server.url)
    page = admin.page
    admin.open("/admin/login/")
    page.fill("#id_username", "installer")
    page.fill("#id_password", "pw-installer")
    with page.expect_navigation():
        page.click("input[type=submit]")
    admin.open("/admin/")
    admin.open("/admin/dispatch/case/")
    admin.open(f"/admin/dispatch/case/{case.pk}/change/")
    admin.open("/admin/agencies/street/export/")  # django-import-export's page
    page.wait_for_selector("form select, form input[type=submit]")
    found.update(admin.close())

    # A resident on a phone: report form (map, suggestion), follow lookup and page, grid map, roster.
    phone = Watched(browser, live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True,
                    has_touch=True, permissions=["geolocation"],
                    geolocation={"latitude": grid.centroid_lat, "longitude": grid.centroid_lng})
    page = phone.page
    phone.open(f"/report/?grid={grid.code}")
    page.wait_for_selector("#report-map .leaflet-marker-icon")
    page.fill("#id_title", "小区门口流浪狗追咬行人")
    page.locator("#category-suggestion button").click()  # site.js fills the category it suggests
    assert page.locator("#id_category option:checked").inner_text() == "犬只扰民"
    phone.open("/follow/")
    page.wait_for_selector("#follow-form")
    phone.open(f"/follow/{world['follow']}/")
    page.wait_for_selector("[data-status=filed]")
    with page.expect_navigation():
        page.select_option(".lang-switch select", "en")  # site.js submits the language switch
    assert page.get_attribute("html", "lang") == "en"
    phone.open("/grids/")
    page.wait_for_selector(f"#grids-map[data-grids='{GridCell.objects.count()}']")
    phone.open(f"/grids/{grid.code}/")
    page.wait_for_selector("#grid-outline-map .leaflet-interactive, #grid-outline-map canvas")

    # The watch itself: markup with an inline style and handler, as an injected one would be, is refused
    # and seen.
    phone.collect()
    phone.current = "the watch's own check"
    page.evaluate("""() => { document.querySelector("main").insertAdjacentHTML("beforeend",
        '<p id="injected" style="color: red">x</p><img src="data:," onerror="window.__ran = 1">'); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__ran") is None  # the handler never ran
    found.update(phone.close())
    seen = found.pop("the watch's own check", [])
    assert any("style-src-attr" in text for text in seen) and any("script-src-attr" in text for text in seen), seen

    assert found == {}, "\n".join(f"{path}: {text}" for path, texts in found.items() for text in texts)
