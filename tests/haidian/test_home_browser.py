"""A street staff member logs in with a real Chromium and lands on the Chinese home page."""

import re

import pytest
from django.utils import translation

from agencies.models import District, Street
from tests.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_login(transactional_db):
    # live_server tests run after the others and empty the tables: build what this test needs.
    district, _ = District.objects.get_or_create(code="110108", defaults={"name": "海淀区"})
    street, _ = Street.objects.get_or_create(
        code="110108009", defaults={"district": district, "name": "学院路街道", "short_name": "学院路街道"}
    )
    make_user("xueyuanlu-staff", "street_staff", [street])
    return "xueyuanlu-staff", "pw-xueyuanlu-staff", street


def test_street_staff_log_in_and_see_the_chinese_home_page(live_server, page, staff_login):
    username, password, street = staff_login
    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/public/"  # a visitor lands on the public services
    page.click("a.staff-login")
    assert page.url.startswith(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workbench/")  # the street's staff land on their workbench
    page.goto(f"{live_server.url}/")

    with translation.override("zh-hans"):
        workbench = translation.gettext("Workbench")
        role = translation.gettext("Street sub-center staff")
    heading = page.locator("h1").inner_text()
    assert heading == workbench
    assert re.search(r"[\u4e00-\u9fff]", heading), "the home page heading should be Chinese"
    body = page.locator("main").inner_text()
    assert street.name in body
    assert role in body
    page.screenshot(path="var/home-street-staff.png", full_page=True)


def test_language_switch_shows_english(live_server, page, staff_login):
    username, password, _street = staff_login
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workbench/")
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text() == "Workbench"
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_page_fits_a_phone_screen(live_server, page, staff_login):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/login/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
