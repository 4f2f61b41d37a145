"""The deadline letters' pages: issuing from a case, the street's list, the agency's letter inbox
with its countdown and answer form, the PDF, and refusals that say why and change nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from dispatch.letters import services as letters
from dispatch.models import DeadlineLetter, LetterStatus
from tests.dispatch.conftest import forms_on, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(street_staff, agency, dispatched_case):
    return letters.letter_issue(actor=street_staff, agency=agency, cases=[dispatched_case],
                                requirement="三个工作日内清理占道摊点并书面答复。")


def test_street_staff_issue_a_letter_from_the_case_page(dispatched_case, street_staff, agency):
    client = signed_in(street_staff)
    case_page = client.get(f"/cases/{dispatched_case.number}/").content.decode()
    assert f'href="/letters/new/?cases={dispatched_case.number}"' in case_page

    form = client.get(f"/letters/new/?cases={dispatched_case.number}")
    assert form.context["form"].initial == {"cases": dispatched_case.number, "agency": agency.code}
    response = client.post("/letters/new/", {"agency": agency.code, "cases": dispatched_case.number,
                                             "requirement": "限期清理。"})

    letter = DeadlineLetter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/letters/{letter.pk}/"
    assert list(letter.cases.all()) == [dispatched_case]
    assert letter.number in client.get("/letters/").content.decode()
    assert letter.number in client.get(f"/cases/{dispatched_case.number}/").content.decode()


def test_a_bad_letter_is_shown_again_with_the_errors_next_to_the_fields(dispatched_case, street_staff, agency):
    response = signed_in(street_staff).post("/letters/new/", {"agency": agency.code,
                                                             "cases": f"{dispatched_case.number} HD20990101000001",
                                                             "requirement": ""})

    assert response.status_code == 400
    assert "HD20990101000001" in str(response.context["form"].errors["cases"])
    assert "requirement" in response.context["form"].errors
    assert not DeadlineLetter.objects.exists()


def test_the_agency_head_answers_from_the_letter_inbox_and_the_street_closes_it(letter, agency_head, street_staff):
    head = signed_in(agency_head)
    inbox = head.get("/letters/").content.decode()
    assert letter.number in inbox and 'class="countdown' in inbox and "left" in inbox
    assert forms_on(head.get(f"/letters/{letter.pk}/")) == {"acknowledge", "answer"}
    assert forms_on(signed_in(street_staff).get(f"/letters/{letter.pk}/")) == set()

    head.post(f"/letters/{letter.pk}/do/acknowledge/")
    head.post(f"/letters/{letter.pk}/do/answer/", {"answer-answer": "已联合执法清理，建立长效巡查。"})

    staff = signed_in(street_staff)
    assert forms_on(staff.get(f"/letters/{letter.pk}/")) == {"feedback"}
    staff.post(f"/letters/{letter.pk}/do/feedback/", {"feedback-note": "11月10日电话回访反映人，表示满意。"})
    assert forms_on(staff.get(f"/letters/{letter.pk}/")) == {"feedback", "close"}
    # Its case is still open: the letter closes only with a reason for it.
    refused = staff.post(f"/letters/{letter.pk}/do/close/")
    assert refused.status_code == 400 and DeadlineLetter.objects.get(pk=letter.pk).status != LetterStatus.CLOSED
    [number] = letter.cases.values_list("number", flat=True)
    staff.post(f"/letters/{letter.pk}/do/close/", {f"close-reason_{number}": "已纳入长效巡查，反映人知悉。"})

    letter.refresh_from_db()
    assert letter.status == LetterStatus.CLOSED
    assert letter.answer.startswith("已联合执法") and letter.feedback.startswith("11月10日")
    assert letter.acknowledged_at is not None


def test_refused_letter_steps_say_why_and_change_nothing(letter, street_staff, agency_head, other_agency_head,
                                                         nobody):
    assert signed_in(other_agency_head).get(f"/letters/{letter.pk}/").status_code == 404
    assert signed_in(nobody).get("/letters/").status_code == 404

    wrong_person = signed_in(street_staff).post(f"/letters/{letter.pk}/do/answer/", {"answer-answer": "x"})
    wrong_moment = signed_in(street_staff).post(f"/letters/{letter.pk}/do/feedback/", {"feedback-note": "已回访"})
    empty_answer = signed_in(agency_head).post(f"/letters/{letter.pk}/do/answer/", {"answer-answer": ""})

    assert wrong_person.status_code == 403 and "head of the agency" in wrong_person.context["error"]
    assert wrong_moment.status_code == 409 and "issued" in wrong_moment.context["error"]
    assert empty_answer.status_code == 400 and "answer" in empty_answer.context["step_forms"]["answer"].errors
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED and letter.answer == "" and letter.feedback == ""


def test_closing_before_the_answer_is_a_conflict(letter, street_staff):
    response = signed_in(street_staff).post(f"/letters/{letter.pk}/do/close/")

    assert response.status_code == 409
    assert DeadlineLetter.objects.get(pk=letter.pk).status == LetterStatus.ISSUED


def test_the_letter_page_links_its_pdf(letter, agency_head):
    client = signed_in(agency_head)
    assert f'href="/letters/{letter.pk}/pdf/"' in client.get(f"/letters/{letter.pk}/").content.decode()

    pdf = client.get(f"/letters/{letter.pk}/pdf/")

    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_overdue_letters_have_their_own_list(letter, street_staff, agency, dispatched_case):
    late = letters.letter_issue(actor=street_staff, agency=agency, cases=[dispatched_case], requirement="请处理。",
                                now=timezone.now() - dt.timedelta(days=30))
    client = signed_in(street_staff)

    overdue = client.get("/letters/?bucket=overdue").context["letters"]
    waiting = client.get("/letters/?bucket=open").context["letters"]

    assert overdue == [late]
    assert waiting == [late, letter]  # by deadline


def test_the_letter_list_keeps_a_constant_number_of_queries(street_staff, agency, make_case, workflow,
                                                            django_assert_max_num_queries):
    client = signed_in(street_staff)
    for _ in range(2):
        letters.letter_issue(actor=street_staff, agency=agency, cases=[make_case(), make_case()], requirement="x")
    with django_assert_max_num_queries(10):
        client.get("/letters/")
    for _ in range(8):
        letters.letter_issue(actor=street_staff, agency=agency, cases=[make_case(), make_case()], requirement="x")
    with django_assert_max_num_queries(10):
        assert len(client.get("/letters/").context["letters"]) == 10
