"""质询 in a real Chromium: the police station's head opens the inquiry the street's democratic committee put
to the station, writes the answer on the page and sends it; the page then shows the answer and no form.

Screenshots go to var/screenshots/ (ignored by git): look at them.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from agencies.models import Agency, Street
from haidian.calendar import clear_cache
from haidian.permissions import Role
from supervision import services
from supervision.models import BodyKind, Inquiry, InquiryStatus
from tests.conftest import make_user

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots")
ANSWER = "已约谈施工单位：夜间22时后停止施工，派出所每晚巡查，一周后回访居民。"


@pytest.fixture
def world(transactional_db):
    # live_server tests run after the others and empty the tables: build Haidian again.
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0)
    clear_cache()
    street = Street.objects.get(code="110108007")
    police = Agency.objects.get(code=f"{street.code}-pcs")
    staff = make_user("street-staff", Role.STREET_STAFF, [street])
    make_user("police-head", Role.AGENCY_HEAD, [police])
    secretary = make_user("secretary")
    body = services.body_create(actor=staff, street=street, kind=BodyKind.DEMOCRATIC_COMMITTEE)
    services.member_add(body=body, actor=staff, name="王秘书", user=secretary, is_secretary=True)
    inquiry = services.inquiry_put(body=body, actor=secretary, target=police.code, subject="夜间施工噪声扰民",
                                   question="辖区夜间施工噪声投诉多次未见处理，请说明原因和整改措施。")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {"inquiry": inquiry}


def signed_in_page(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # signed in: on to their workplace
    return context, page, errors


def answered_label() -> str:
    """The status as the page shows it, in the Chinese the page is served in."""
    with translation.override("zh-hans"):
        return str(InquiryStatus.ANSWERED.label)


def test_the_police_head_answers_the_committees_inquiry_on_its_page(live_server, browser, world):
    inquiry = world["inquiry"]
    context, page, errors = signed_in_page(browser, live_server.url, "police-head")
    page.goto(f"{live_server.url}/supervision/inquiries/")
    page.click(f"#inquiry-{inquiry.pk} a")
    assert page.url == f"{live_server.url}/supervision/inquiries/{inquiry.pk}/"
    page.screenshot(path=str(SHOTS / "supervision-01-inquiry.png"), full_page=True)
    page.fill("#form-answer textarea[name=answer-answer]", ANSWER)
    with page.expect_navigation():
        page.click("button[data-action=answer]")

    assert page.url == f"{live_server.url}/supervision/inquiries/{inquiry.pk}/"
    assert ANSWER in page.locator("#answer").inner_text()
    assert answered_label() in page.locator("h1").inner_text()
    assert page.locator("button[data-action=answer]").count() == 0
    page.screenshot(path=str(SHOTS / "supervision-02-answered.png"), full_page=True)
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert (stored.status, stored.answer, stored.answered_by.username) == (InquiryStatus.ANSWERED, ANSWER,
                                                                           "police-head")
    assert not errors, errors
    context.close()
