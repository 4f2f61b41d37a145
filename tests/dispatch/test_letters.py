"""Deadline letters (问题限期受理函告): numbering, the lifecycle through the API with its permissions,
the PDF in Chinese, and the sweep's reminder and overdue mark."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from dispatch import sweep
from dispatch.letters import services as letters
from dispatch.models import DeadlineLetter, LetterStatus
from haidian.errors import ActionConflict
from notifications.models import Notification
from tests.dispatch.conftest import shanghai

pytestmark = pytest.mark.django_db

ISSUED = shanghai(2026, 11, 2, 9, 0)  # a Monday


@pytest.fixture
def letter(street_staff, agency, make_case):
    cases = [make_case(title="占道经营"), make_case(title="夜市噪音")]
    return letters.letter_issue(actor=street_staff, agency=agency, cases=cases,
                                requirement="五个工作日内清理并书面答复。", now=ISSUED)


def test_letters_are_numbered_per_street_and_year_without_gaps(letter, street_staff, agency, make_case, street):
    second = letters.letter_issue(actor=street_staff, agency=agency, cases=[make_case()], requirement="请处理。",
                                  now=ISSUED)
    next_year = letters.letter_issue(actor=street_staff, agency=agency, cases=[make_case()], requirement="请处理。",
                                     now=shanghai(2027, 1, 4, 9, 0))

    assert letter.number == f"{street.short_name}函〔2026〕1号"
    assert second.number == f"{street.short_name}函〔2026〕2号"
    assert next_year.number == f"{street.short_name}函〔2027〕1号"


def test_the_default_deadline_is_five_working_days(letter):
    assert letter.deadline == shanghai(2026, 11, 9, 9, 0)


def test_a_letter_goes_through_its_lifecycle_over_the_api(api, letter, street_staff, agency_head):
    staff = api.as_user(street_staff)
    assert staff.post(f"/api/v1/letters/{letter.pk}/acknowledge/").status_code == 403  # only the agency head
    head = api.as_user(agency_head)
    assert head.post(f"/api/v1/letters/{letter.pk}/acknowledge/").json()["status"] == LetterStatus.ACKNOWLEDGED
    assert head.post(f"/api/v1/letters/{letter.pk}/acknowledge/").status_code == 409
    answered = head.post(f"/api/v1/letters/{letter.pk}/answer/", {"answer": "已联合执法清理，建立长效巡查。"},
                         format="json")
    assert answered.json()["status"] == LetterStatus.ANSWERED

    staff = api.as_user(street_staff)
    assert staff.post(f"/api/v1/letters/{letter.pk}/close/").status_code == 409  # no feedback to reporters yet
    assert staff.post(f"/api/v1/letters/{letter.pk}/feedback/", {"note": "11月10日电话回访反映人，表示满意。"},
                      format="json").status_code == 200
    # Its cases are still open: closing needs a reason for each, by case number.
    numbers = list(letter.cases.values_list("number", flat=True))
    refused = staff.post(f"/api/v1/letters/{letter.pk}/close/")
    assert refused.status_code == 409 and all(number in refused.json()["detail"] for number in numbers)
    closed = staff.post(f"/api/v1/letters/{letter.pk}/close/",
                        {"reasons": {number: "已纳入长效巡查。" for number in numbers}}, format="json").json()
    assert closed["status"] == LetterStatus.CLOSED and closed["feedback"].startswith("11月10日")


def test_issuing_over_the_api_names_cases_by_number(api, street_staff, agency, make_case):
    case = make_case()
    response = api.as_user(street_staff).post("/api/v1/letters/", {
        "agency": agency.code, "cases": [case.number], "requirement": "请限期处理。"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["cases"] == [case.number]
    assert response.json()["number"].endswith("1号")


def test_bad_letters_are_refused_with_field_messages(api, street_staff, other_agency, make_case):
    client = api.as_user(street_staff)
    case = make_case()

    unknown = client.post("/api/v1/letters/", {"agency": other_agency.code, "cases": ["HD20990101000001"],
                                                "requirement": "x"}, format="json")
    not_serving = client.post("/api/v1/letters/", {"agency": other_agency.code, "cases": [case.number],
                                                    "requirement": "x"}, format="json")

    assert unknown.status_code == 400 and "cases" in unknown.json()
    assert not_serving.status_code == 400 and "agency" in not_serving.json()
    assert not DeadlineLetter.objects.exists()


def test_a_letter_is_seen_by_its_street_and_its_agency_only(api, letter, other_agency_head, other_street_staff,
                                                          agency_head):
    assert api.as_user(agency_head).get(f"/api/v1/letters/{letter.pk}/").status_code == 200
    assert api.as_user(other_agency_head).get(f"/api/v1/letters/{letter.pk}/").status_code == 404
    assert api.as_user(other_street_staff).get(f"/api/v1/letters/{letter.pk}/").status_code == 404
    assert api.as_user(other_agency_head).post(f"/api/v1/letters/{letter.pk}/answer/", {"answer": "x"},
                                               format="json").status_code == 404


def test_only_the_street_issues_letters(agency_head, agency, make_case):
    from haidian.errors import ActionForbidden

    with pytest.raises(ActionForbidden):
        letters.letter_issue(actor=agency_head, agency=agency, cases=[make_case()], requirement="x")


def test_the_pdf_carries_the_letter_in_chinese(api, letter, street_staff, agency_head, street, agency):
    letters.letter_answer(letter=letter, actor=agency_head, answer="已组织执法队员清理占道摊点。")

    response = api.as_user(street_staff).get(f"/api/v1/letters/{letter.pk}/pdf/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace(" ", "").replace("\n", "")
    for words in (letter.number, street.name, agency.name, "占道经营", "已组织执法队员清理占道摊点", "2026年11月9日"):
        assert words in text, words


@pytest.mark.sweep
def test_the_sweep_reminds_the_agency_a_working_day_before_and_marks_the_letter_overdue(letter, agency_head):
    sweep.sweep_deadlines(now=shanghai(2026, 11, 6, 8, 59))  # more than a working day before
    assert not Notification.objects.filter(key__startswith="letter-").exists()

    sweep.sweep_deadlines(now=shanghai(2026, 11, 6, 9, 0))
    sweep.sweep_deadlines(now=shanghai(2026, 11, 6, 15, 0))
    assert Notification.objects.filter(user=agency_head, key=f"letter-reminder:{letter.pk}").count() == 1

    result = sweep.sweep_deadlines(now=shanghai(2026, 11, 9, 9, 0))
    again = sweep.sweep_deadlines(now=shanghai(2026, 11, 10, 9, 0))
    letter.refresh_from_db()
    assert letter.overdue and (result.letters_overdue, again.letters_overdue) == (1, 0)
    assert Notification.objects.filter(key=f"letter-overdue:{letter.pk}").count() >= 2  # agency and street


@pytest.mark.sweep
def test_an_answered_letter_is_not_reminded(letter, agency_head):
    letters.letter_answer(letter=letter, actor=agency_head, answer="已处理。", now=ISSUED + dt.timedelta(hours=2))

    sweep.sweep_deadlines(now=shanghai(2026, 11, 10, 9, 0))

    letter.refresh_from_db()
    assert not letter.overdue
    assert not Notification.objects.filter(key__startswith="letter-reminder").exists()


def test_a_new_letter_tells_the_agency(agency_head, letter):  # the head exists before the letter
    assert Notification.objects.filter(user=agency_head, key=f"letter:{letter.pk}").exists()


def test_a_letter_refuses_to_close_with_an_open_case_and_its_feedback_reaches_each_case(letter, street_staff,
                                                                                        agency_head):
    """The loop closes on the cases: a reason for each still open, and the feedback on each case's
    timeline, from where each reporter is told (public.reporters)."""
    letters.letter_acknowledge(letter=letter, actor=agency_head)
    letters.letter_answer(letter=letter, actor=agency_head, answer="已联合执法清理。")
    letters.letter_feedback(letter=letter, actor=street_staff, note="已清理，欢迎继续监督。")
    cases = list(letter.cases.order_by("number"))
    assert all(case.events.filter(action="letter_feedback", note="已清理，欢迎继续监督。",
                                  data__letter=letter.number).count() == 1 for case in cases)

    with pytest.raises(ActionConflict):
        letters.letter_close(letter=letter, actor=street_staff, reasons={cases[0].number: "已纳入长效巡查"})
    assert DeadlineLetter.objects.get(pk=letter.pk).status == LetterStatus.ANSWERED

    closed = letters.letter_close(letter=letter, actor=street_staff,
                                  reasons={case.number: "已纳入长效巡查" for case in cases})
    assert closed.status == LetterStatus.CLOSED
    assert closed.events.get(action="close").data == {"open_cases": {case.number: "已纳入长效巡查" for case in cases}}
