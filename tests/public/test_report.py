"""A resident reports a problem without an account: the case is a `resident` report in the grid of
its point, with its photo; the answer is the case number and a private follow link, nothing else.
Robots are turned away by a honeypot field and the form's signed time stamp."""

from __future__ import annotations

import re

import pytest

from dispatch.models import Attachment, Case, CaseEvent, Source
from haidian.errors import InvalidInput
from haidian.privacy import mask_phone
from public import guards, services
from public.models import FollowToken
from tests.public.conftest import (
    ADDRESS,
    REPORTER_NAME,
    REPORTER_PHONE,
    a_pdf,
    a_photo,
    human_stamp,
    main_text,
    public_client,
    report_data,
)

pytestmark = pytest.mark.django_db


def test_a_resident_reports_with_a_photo_and_gets_the_number_and_a_private_follow_link(visitor, grid):
    response = visitor.post("/report/", report_data(grid, photo=a_photo()))

    assert response.status_code == 302 and response["Location"] == "/report/sent/"
    case = Case.objects.get()
    assert (case.source, case.reported_by, case.status, case.grid) == (Source.RESIDENT, None, "reported", grid)
    assert (case.reporter_name, case.reporter_phone, case.address) == (REPORTER_NAME, REPORTER_PHONE, ADDRESS)
    photo = Attachment.objects.get(case=case)
    assert (photo.kind, photo.content_type, photo.uploaded_by) == ("before", "image/jpeg", None)
    assert photo.thumbnail
    assert list(CaseEvent.objects.filter(case=case).values_list("action", "actor", "actor_unit")) == [
        ("create", None, ""), ("attach", None, "")]

    sent = visitor.get("/report/sent/")
    token = FollowToken.objects.get(case=case).token
    assert sent.status_code == 200
    assert sent["Referrer-Policy"] == "same-origin"
    assert sent.content.decode().count(f"http://testserver/follow/{token}/") == 2  # the link and its text
    text = main_text(sent)
    assert case.number in text
    for private in (REPORTER_NAME, REPORTER_PHONE, mask_phone(REPORTER_PHONE), ADDRESS, case.title):
        assert private not in text


def test_the_sent_page_without_a_report_leads_back_to_the_form(visitor):
    assert visitor.get("/report/sent/")["Location"] == "/report/"


def test_name_phone_photo_and_category_are_optional(visitor, grid):
    response = visitor.post("/report/", report_data(grid, reporter_name="", reporter_phone="", address=""))

    assert response.status_code == 302
    assert Case.objects.get().reporter_phone == ""


def test_a_chosen_category_is_kept_and_a_phone_is_stored_as_digits(visitor, grid, category):
    visitor.post("/report/", report_data(grid, category=category.pk, reporter_phone="+86 139-1234-9876"))

    case = Case.objects.get()
    assert (case.category, case.reporter_phone) == (category, REPORTER_PHONE)


def test_the_grid_code_of_a_poster_starts_the_map_at_the_grids_centre(visitor, grid):
    html = visitor.get(f"/report/?grid={grid.code}").content.decode()

    assert f'data-grid="{grid.code}"' in html
    assert re.search(rf'name="lat" value="{round(grid.centroid_lat, 6)}"', html)
    assert re.search(rf'name="lng" value="{round(grid.centroid_lng, 6)}"', html)


def test_an_unknown_grid_code_leaves_the_map_blank(visitor):
    html = visitor.get("/report/?grid=999999999999999").content.decode()

    assert "data-grid=" not in html and 'name="lat" id="id_lat"' in html


def test_a_filled_honeypot_is_refused(visitor, grid):
    response = visitor.post("/report/", report_data(grid, website="http://spam.example/"))

    assert response.status_code == 400
    assert "could not be accepted" in main_text(response)
    assert not Case.objects.exists()


def test_a_form_sent_as_soon_as_it_was_opened_is_refused(visitor, grid):
    page = visitor.get("/report/").content.decode()
    stamp = re.search(r'name="stamp" value="([^"]+)"', page).group(1)

    response = visitor.post("/report/", report_data(grid, stamp=stamp))

    assert response.status_code == 400
    assert "quicker than anyone" in main_text(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize("stamp", [human_stamp(seconds_ago=3 * 60 * 60), "forged", ""],
                         ids=["stale", "forged", "missing"])
def test_a_stale_forged_or_missing_stamp_is_refused(visitor, grid, stamp):
    response = visitor.post("/report/", report_data(grid, stamp=stamp))

    assert response.status_code == 400
    assert "opened too long ago" in main_text(response)
    assert not Case.objects.exists()


def test_a_refused_robot_does_not_use_up_the_address_allowance(visitor, grid):
    visitor.post("/report/", report_data(grid, website="x"))

    assert guards.REPORTS.count("127.0.0.1") == 0


def test_a_point_outside_the_district_is_refused_and_does_not_count(visitor, grid):
    response = visitor.post("/report/", report_data(grid, lat=31.23, lng=121.47))  # Shanghai

    assert response.status_code == 400
    assert "outside every grid" in main_text(response)
    assert not Case.objects.exists()
    assert guards.REPORTS.count("127.0.0.1") == 0


def test_a_report_needs_a_place(visitor, grid):
    response = visitor.post("/report/", report_data(grid, lat="", lng=""))

    assert response.status_code == 400
    assert "Tap the map where the problem is" in main_text(response)


@pytest.mark.parametrize("upload, message", [
    (a_pdf, "Only photos"),
    (lambda: a_photo("photo.bmp", "BMP"), "Only photos"),
])
def test_only_photos_can_be_sent(visitor, grid, upload, message):
    response = visitor.post("/report/", report_data(grid, photo=upload()))

    assert response.status_code == 400
    assert message in main_text(response)
    assert not Case.objects.exists()


def test_a_photo_over_ten_megabytes_is_refused(visitor, grid, monkeypatch):
    monkeypatch.setattr("haidian.uploads.MAX_UPLOAD_BYTES", 1000)

    response = visitor.post("/report/", report_data(grid, photo=a_photo()))

    assert response.status_code == 400
    assert "larger than 10 MB" in main_text(response)


def test_a_phone_that_is_no_phone_number_is_refused(visitor, grid):
    response = visitor.post("/report/", report_data(grid, reporter_phone="call me"))

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_service_refuses_a_document_as_the_reports_photo_before_taking_a_number(grid):
    with pytest.raises(InvalidInput) as refused:
        services.public_report(title="井盖", lat=grid.centroid_lat, lng=grid.centroid_lng, photo=a_pdf())

    assert "photo" in refused.value.errors
    assert not Case.objects.exists()


def test_the_form_offers_categories_by_work_area_and_suggests_one(visitor):
    html = visitor.get("/report/").content.decode()
    suggestion = visitor.get("/report/suggest/", {"title": "楼下流浪狗咬人"}).content.decode()

    assert "<optgroup" in html
    assert "犬只扰民" in suggestion


def test_the_staff_report_keeps_working_for_signed_in_reporters(grid, grid_worker):
    """case_create's photo keyword is only used by the public; its other callers are unchanged."""
    from dispatch import services as dispatch_services

    case = dispatch_services.case_create(actor=grid_worker, title="占道", lat=grid.centroid_lat,
                                         lng=grid.centroid_lng, source=Source.GRID_PATROL)

    assert case.reported_by == grid_worker
    assert list(case.events.values_list("action", flat=True)) == ["create"]


def test_a_different_visitor_reports_from_another_address(grid):
    assert public_client("10.1.0.1").post("/report/", report_data(grid)).status_code == 302


def test_an_email_given_on_the_form_is_kept_for_the_messages_and_never_shown(visitor, grid):
    response = visitor.post("/report/", {**report_data(grid), "reporter_email": "jumin@example.cn"})

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter_email == "jumin@example.cn"
    assert "jumin@example.cn" not in main_text(visitor.get("/report/sent/"))


def test_a_malformed_email_is_refused_next_to_its_field(visitor, grid):
    response = visitor.post("/report/", {**report_data(grid), "reporter_email": "not-an-address"})

    assert response.status_code == 400
    assert "reporter_email" in response.context["form"].errors
    assert not Case.objects.exists()
