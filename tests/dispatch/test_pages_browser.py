"""A case walked through every step in a real Chromium, by four people, each in their own browser.

Screenshots of each page of the main walk go to var/screenshots/ (ignored by git): look at them.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from agencies.models import Agency, Street
from dispatch.models import Case, CaseStatus, Task, TaskRole, TaskStatus
from grids.geometry import grid_index
from grids.models import GridCell
from haidian.calendar import clear_cache
from haidian.permissions import Role
from tests.conftest import make_user

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots")
PHONE = {"width": 390, "height": 844}
CATEGORY_LABEL = "A02-06 犬只扰民"  # handled by the police station


@pytest.fixture
def world(transactional_db, tmp_path):
    # live_server tests run after the others and empty the tables: build Haidian again.
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", verbosity=0)
    clear_cache()
    grid_index.invalidate()
    street = Street.objects.get(code="110108007")
    grid = GridCell.objects.filter(community__street=street).order_by("code").first()
    police = Agency.objects.get(code=f"{street.code}-pcs")
    squad = Agency.objects.get(code=f"{street.code}-cgfd")
    make_user("grid-worker", Role.GRID_WORKER, [grid])
    make_user("street-staff", Role.STREET_STAFF, [street])
    make_user("police-head", Role.AGENCY_HEAD, [police])
    make_user("squad-head", Role.AGENCY_HEAD, [squad])
    photo = tmp_path / "photo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 160, 90)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {"grid": grid, "police": police, "squad": squad, "photo": str(photo)}


class Person:
    """One signed-in person in their own browser context."""

    def __init__(self, browser, base: str, username: str, **context):
        self.base = base
        self.context = browser.new_context(**context)
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

    def act(self, details_id: str, fields: dict | None = None, files: dict | None = None, choose: dict | None = None,
            check: tuple = ()):
        """Open an action's panel, fill it and submit; waits for the page that answers."""
        page = self.page
        panel = page.locator(f"#{details_id}")
        if panel.get_attribute("open") is None:
            panel.locator("summary").click()
        for selector in check:
            page.check(selector)
        for selector, value in (fields or {}).items():
            page.fill(selector, value)
        for selector, label in (choose or {}).items():
            page.select_option(selector, label=label)
        for selector, path in (files or {}).items():
            page.set_input_files(selector, path)
        with page.expect_navigation():
            panel.locator("button[type=submit]").click()
        return page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        assert not self.errors, self.errors
        self.context.close()


def report_from_the_phone(browser, base, world) -> tuple[Person, str]:
    grid = world["grid"]
    worker = Person(browser, base, "grid-worker", viewport=PHONE, is_mobile=True, has_touch=True,
                    geolocation={"latitude": grid.centroid_lat, "longitude": grid.centroid_lng},
                    permissions=["geolocation"])
    page = worker.open("/grid/report/")
    page.fill("#id_title", "小区门口流浪犬伤人隐患")
    page.fill("#id_description", "小区东门有三只流浪犬，早晚追咬行人。")
    page.locator("#category-suggestion button").click()  # the category the title suggests
    assert page.locator("#id_category option:checked").inner_text() == CATEGORY_LABEL
    page.click("#use-location")
    page.wait_for_function("() => document.querySelector('#id_lat').value !== ''")
    page.set_input_files("#id_photo", world["photo"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    worker.shot("01-grid-worker-report")
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    number = re.search(r"/cases/(HD\d{14})/", page.url).group(1)
    assert page.locator(".photos img").count() == 1
    worker.shot("02-case-reported")
    return worker, number


def file_and_dispatch(staff: Person, number: str, lead: Agency) -> None:
    staff.open(f"/cases/{number}/")
    staff.act("do-file", choose={"#id_file-category": CATEGORY_LABEL})
    assert Case.objects.get(number=number).status == CaseStatus.FILED
    staff.act("do-dispatch", choose={"#id_dispatch-lead": lead.name})
    assert Case.objects.get(number=number).status == CaseStatus.DISPATCHED


def accept_and_respond(head: Person, number: str, result: str, photo: str | None = None) -> Task:
    task = Task.objects.get(case__number=number, role=TaskRole.LEAD, status__in=TaskStatus.active_values())
    page = head.open(f"/cases/{number}/")
    if page.locator(f"#task{task.pk}-do-accept").count():
        head.act(f"task{task.pk}-do-accept")
    head.act(f"task{task.pk}-do-respond", fields={f"#id_task{task.pk}-respond-result": result},
             files={f"#id_task{task.pk}-respond-photo": photo} if photo else None)
    task.refresh_from_db()
    assert task.status == TaskStatus.RESPONDED
    return task


def test_a_case_walks_every_step_across_four_people(live_server, browser, world):
    base = live_server.url
    worker, number = report_from_the_phone(browser, base, world)

    staff = Person(browser, base, "street-staff")
    staff.open("/workbench/")
    assert number in staff.page.locator("table.cases").inner_text()
    staff.shot("03-street-workbench")
    file_and_dispatch(staff, number, world["police"])
    staff.shot("04-case-dispatched")

    police = Person(browser, base, "police-head")
    inbox = police.open("/inbox/")
    assert number in inbox.locator("table.cases").inner_text()
    police.shot("05-agency-inbox")
    with inbox.expect_navigation():
        inbox.locator("button[data-action=accept]").first.click()
    assert "/inbox/" in inbox.url
    accept_and_respond(police, number, "民警到场，联系动物收容机构将流浪犬带走。", world["photo"])
    police.shot("06-case-responded")

    page = worker.open("/grid/")
    assert number in page.locator("main").inner_text()
    worker.shot("07-grid-worker-home")
    worker.open(f"/cases/{number}/")
    worker.act("do-verify", fields={"#id_verify-note": "现场核实，流浪犬已带走。"},
               files={"#id_verify-photo": world["photo"]}, check=("#id_verify-passed_0",))
    assert worker.page.locator("#do-verify").count() == 0  # nothing left to check on a closed case
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.CLOSED
    assert list(case.events.order_by("at", "id").values_list("action", flat=True)) == [
        "create", "attach", "file", "dispatch", "accept", "attach", "respond", "attach", "verify_passed"]
    worker.shot("08-case-closed")
    assert worker.page.locator(".timeline li").count() == 9
    for person in (worker, staff, police):
        person.close()


def test_failed_verification_sends_the_case_back_for_rework(live_server, browser, world):
    base = live_server.url
    worker, number = report_from_the_phone(browser, base, world)
    staff = Person(browser, base, "street-staff")
    file_and_dispatch(staff, number, world["police"])
    police = Person(browser, base, "police-head")
    accept_and_respond(police, number, "已处理。")

    staff.open(f"/cases/{number}/")
    staff.act("do-verify", fields={"#id_verify-note": "流浪犬仍在，退回重办。"}, check=("#id_verify-passed_1",))
    case = Case.objects.get(number=number)
    assert (case.status, case.rework_count) == (CaseStatus.DISPATCHED, 1)

    accept_and_respond(police, number, "再次到场，已全部带走。")
    staff.open(f"/cases/{number}/")
    staff.act("do-verify", check=("#id_verify-passed_0",))
    assert Case.objects.get(number=number).status == CaseStatus.CLOSED
    for person in (worker, staff, police):
        person.close()


def test_a_returned_task_goes_back_to_the_street_for_a_new_dispatch(live_server, browser, world):
    base = live_server.url
    worker, number = report_from_the_phone(browser, base, world)
    staff = Person(browser, base, "street-staff")
    file_and_dispatch(staff, number, world["squad"])

    squad = Person(browser, base, "squad-head")
    task = Task.objects.get(case__number=number, agency=world["squad"])
    squad.open(f"/cases/{number}/")
    squad.act(f"task{task.pk}-do-return", fields={f"#id_task{task.pk}-return-reason": "犬只问题属派出所职责。"})
    # 退单审核: a request; the case stays with the squad until the street decides.
    assert Case.objects.get(number=number).status == CaseStatus.DISPATCHED
    assert squad.page.locator("[data-action]").count() == 0  # nothing left for the squad to do meanwhile

    staff.open(f"/cases/{number}/")
    staff.act(f"task{task.pk}-do-approve_return",
              fields={f"#id_task{task.pk}-approve_return-note": "同意，改派派出所。"})
    assert Case.objects.get(number=number).status == CaseStatus.FILED
    staff.act("do-dispatch", choose={"#id_dispatch-lead": world["police"].name})
    assert Task.objects.get(case__number=number, status=TaskStatus.PENDING).agency == world["police"]
    for person in (worker, staff, squad):
        person.close()


def test_a_grid_worker_resolves_on_site_with_photos_before_and_after(live_server, browser, world):
    worker, number = report_from_the_phone(browser, live_server.url, world)

    worker.open(f"/cases/{number}/")
    worker.act("do-resolve_on_site", fields={"#id_resolve_on_site-note": "已联系犬主将犬只带回。"},
               files={"#id_resolve_on_site-before": world["photo"], "#id_resolve_on_site-after": world["photo"]})

    case = Case.objects.get(number=number)
    assert (case.status, case.tier) == (CaseStatus.CLOSED, "grid")
    assert sorted(case.attachments.values_list("kind", flat=True)) == ["after", "before", "before"]
    assert worker.page.locator(".photos img").count() == 3
    worker.close()
