"""Following a case: by its number and the last four digits of the reporter's phone, or by the
private link. The page shows the public steps, the acting units and the rating link of a closed
case, and never the reporter's name, phone (whole, masked or its last digits), address, notes or
staff names. A wrong number and wrong digits get the same answer."""

from __future__ import annotations

import re

import pytest

from assessment.models import RatingInvitation
from dispatch import services as dispatch_services
from dispatch.models import Case, Source
from haidian.privacy import mask_phone
from haidian.workflow import PUBLIC, SYSTEM
from public import services
from public.models import FollowToken
from tests.dispatch.conftest import lead_task
from tests.public.conftest import ADDRESS, REPORTER_NAME, REPORTER_PHONE, main_text, report_data

pytestmark = pytest.mark.django_db

RESULT_WITH_PERSONAL_DATA = f"已电话联系{REPORTER_NAME}（{REPORTER_PHONE}），到{ADDRESS}现场更换井盖。"
VERIFY_NOTE = f"回访{REPORTER_NAME}，{ADDRESS}井盖已更换。"


@pytest.fixture
def reported(visitor, grid) -> Case:
    assert visitor.post("/report/", report_data(grid)).status_code == 302
    return Case.objects.get()


def follow_page(client, case: Case):
    return client.get(f"/follow/{FollowToken.objects.get(case=case).token}/")


def close_with_personal_notes(case: Case, workflow) -> Case:
    """Filed, dispatched, answered and verified, with a result and a verification note that name
    the reporter, their phone and their flat (as real ones do)."""
    workflow.dispatch(case)
    task = dispatch_services.task_accept(task=lead_task(case), actor=workflow.agency_head)
    dispatch_services.task_respond(task=task, actor=workflow.agency_head, result=RESULT_WITH_PERSONAL_DATA)
    return dispatch_services.case_verify(case=Case.objects.get(pk=case.pk), actor=workflow.street_staff,
                                         passed=True, note=VERIFY_NOTE)


def test_the_number_and_the_phones_last_four_digits_lead_to_the_private_link(visitor, reported):
    response = visitor.post("/follow/", {"number": f" {reported.number.lower()} ", "last_four": "9876"})

    token = FollowToken.objects.get(case=reported).token
    assert response.status_code == 302 and response["Location"] == f"/follow/{token}/"


def test_the_follow_form_takes_the_number_from_the_address(visitor):
    assert 'value="HD20261126000123"' in visitor.get("/follow/?number=HD20261126000123").content.decode()


def test_wrong_digits_and_an_unknown_number_get_the_same_not_found(visitor, reported):
    def answer(number, digits):
        response = visitor.post("/follow/", {"number": number, "last_four": digits})
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", response.content.decode())
        return response.status_code, re.sub(r'value="[^"]*"', "", html)

    wrong_digits = answer(reported.number, "1234")
    unknown_number = answer("HD20991231999999", "1234")
    not_a_number = answer("12345", "1234")

    assert wrong_digits[0] == 404
    assert wrong_digits == unknown_number == not_a_number
    assert "No case matches this number and these digits" in wrong_digits[1]


def test_a_case_without_a_phone_cannot_be_found_by_digits(visitor, grid):
    visitor.post("/report/", report_data(grid, reporter_phone=""))
    case = Case.objects.get()

    assert visitor.post("/follow/", {"number": case.number, "last_four": "----"}).status_code == 400
    assert visitor.post("/follow/", {"number": case.number, "last_four": "0000"}).status_code == 404


def test_an_unknown_link_is_not_found(visitor):
    assert visitor.get("/follow/not-a-token/").status_code == 404


def test_a_case_reported_elsewhere_gets_its_link_on_the_first_look_up(visitor, grid):
    case = dispatch_services.case_create(actor=SYSTEM, title="12345来电：噪音扰民", lat=grid.centroid_lat,
                                         lng=grid.centroid_lng, source=Source.HOTLINE_12345,
                                         reporter_phone="010-62345678", external_id="BJ12345-1")

    response = visitor.post("/follow/", {"number": case.number, "last_four": "5678"})

    token = services.follow_token_for(case)
    assert response["Location"] == f"/follow/{token.token}/"
    assert services.follow_token_for(case) == token  # made once
    assert follow_page(visitor, case).status_code == 200


def test_the_timeline_shows_public_steps_with_the_acting_units(visitor, reported, workflow):
    close_with_personal_notes(reported, workflow)

    response = follow_page(visitor, reported)

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    assert re.findall(r'data-step="([a-z_]+)"', html) == [
        "create", "file", "dispatch", "accept", "respond", "verify_passed"]
    text = main_text(response)
    police, squad = workflow.agency.name, workflow.cooperating_agency.name
    assert f"Sent to the handling unit {police}、{squad}" in text
    assert f"Handling unit reported the result {police}" in text
    assert f"Checked on site and closed {reported.street.name}" in text
    assert 'data-status="closed"' in html
    for shown in (reported.number, reported.title, reported.grid.name, reported.community.name, "犬只扰民"):
        assert shown in text


def test_the_follow_page_never_shows_the_reporters_name_or_phone(visitor, reported, workflow):
    close_with_personal_notes(reported, workflow)
    staff = workflow.street_staff

    text = main_text(follow_page(visitor, reported))

    assert REPORTER_PHONE not in text
    assert mask_phone(REPORTER_PHONE) not in text  # 139****9876
    assert REPORTER_PHONE[-4:] not in text and "****" not in text
    assert REPORTER_NAME not in text
    assert ADDRESS not in text and reported.description not in text
    assert "已电话联系" not in text and "回访" not in text  # the result and the verification note
    assert staff.get_full_name() not in text and staff.username not in text
    assert workflow.agency_head.username not in text
    assert str(reported.lat)[:7] not in text and str(reported.lng)[:7] not in text


def test_a_closed_case_offers_its_rating_link_until_it_is_rated(visitor, reported, workflow):
    follow_page_html = follow_page(visitor, reported).content.decode()
    assert 'data-action="rate"' not in follow_page_html  # not before it closes

    close_with_personal_notes(reported, workflow)
    invitation = RatingInvitation.objects.get(case=reported)
    html = follow_page(visitor, reported).content.decode()
    assert f'href="/rate/{invitation.token}/" data-action="rate"' in html

    assert visitor.post(f"/rate/{invitation.token}/", {"satisfaction": "satisfied"}).status_code == 200
    after = follow_page(visitor, reported)
    assert 'data-action="rate"' not in after.content.decode()
    assert "satisfied" in main_text(after)
    assert re.findall(r'data-step="([a-z_]+)"', after.content.decode())[-1] == "rate"


def test_a_rejected_duplicate_says_it_was_merged_without_the_reason(visitor, reported, workflow, grid):
    first = dispatch_services.case_create(actor=PUBLIC, title="井盖破损", lat=grid.centroid_lat,
                                          lng=grid.centroid_lng, source=Source.RESIDENT)
    dispatch_services.case_reject(case=reported, actor=workflow.street_staff, duplicate_of=first,
                                  reason=f"与{REPORTER_NAME}反映的重复")

    text = main_text(follow_page(visitor, reported))

    assert "Merged with an earlier report of the same problem" in text
    assert "Not taken up as a case" in text  # the status
    assert REPORTER_NAME not in text


def test_the_timeline_reads_in_a_fixed_number_of_queries(visitor, reported, workflow, django_assert_max_num_queries):
    close_with_personal_notes(reported, workflow)
    url = f"/follow/{FollowToken.objects.get(case=reported).token}/"

    # the session, the link, the rating link, the events with their tasks, the agencies' names
    with django_assert_max_num_queries(5):
        assert visitor.get(url).status_code == 200
