"""Two people of the questioned agency answer at the same moment, on real PostgreSQL connections: the
inquiry's row lock serves them one after the other; the second sees the first's answer and gets a 409.

Transactional, so the data is committed where the other connection can see it; such tests run after
all others and seed the reference data themselves."""

import io

import pytest
from django.core.management import call_command

from haidian.errors import ActionConflict
from supervision import services
from supervision.models import Inquiry, InquiryEvent, InquiryStatus
from tests.conftest import run_together
from tests.races import race_on_uncommitted_row
from tests.supervision.conftest import ASKED, MINUTE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def haidian(transactional_db):
    call_command("seed_haidian", stdout=io.StringIO())


def test_two_answers_at_once_one_wins_and_the_other_is_a_conflict(inquiry, agency_head, agency_staff):
    def answer(person, text):
        return lambda: services.inquiry_answer(inquiry=Inquiry.objects.get(pk=inquiry.pk), actor=person,
                                               answer=text, now=ASKED + MINUTE)

    outcomes = race_on_uncommitted_row(answer(agency_head, "第一份答复"), answer(agency_staff, "第二份答复"))

    assert outcomes[0].status == InquiryStatus.ANSWERED, outcomes
    assert isinstance(outcomes[1], ActionConflict), outcomes
    assert "already been answered" in str(outcomes[1])  # the other thread speaks the default msgid
    inquiry.refresh_from_db()
    assert (inquiry.answer, inquiry.answered_by) == ("第一份答复", agency_head)
    assert InquiryEvent.objects.filter(inquiry=inquiry, action="answer").count() == 1


def test_two_answer_requests_at_once_get_one_200_and_one_409(api, inquiry, agency_head, agency_staff):
    url = f"/api/v1/inquiries/{inquiry.pk}/answer/"
    clients = [api.as_user(agency_head), api.as_user(agency_staff)]

    outcomes = run_together(*(lambda client=client: client.post(url, {"answer": "已整改"}, format="json")
                              for client in clients))

    assert sorted(response.status_code for response in outcomes) == [200, 409], outcomes
    assert InquiryEvent.objects.filter(inquiry=inquiry, action="answer").count() == 1
