"""Rating links (公众评价): a reporter from the public gets one private link when their case closes and
rates the case through it once, with no account; the page shows nothing personal."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client

from agencies.models import Agency, Street
from assessment import satisfaction
from assessment.models import RatingInvitation
from assessment.notices import NoticeKind
from dispatch import services
from dispatch.models import Case, CaseEvent, Category, Source
from dispatch.signals import case_closed
from dispatch.workflow import Action
from grids.geometry import grid_index
from grids.models import GridCell
from haidian.errors import ActionConflict, ActionForbidden
from haidian.permissions import Role
from haidian.privacy import mask_phone
from haidian.workflow import PUBLIC, SYSTEM
from notifications.models import Notification
from tests.conftest import HOME_STREET, make_user
from tests.dispatch.conftest import CATEGORY_CODE, REPORTER_PHONE, WORK_AREA_CODE, Workflow, shanghai

REPORTER_NAME = "王秀英"
ADDRESS = "学院路甲5号院3号楼"


def _category() -> Category:
    area, _created = Category.objects.get_or_create(code=WORK_AREA_CODE, defaults={"name": "协调城市运行（测试）"})
    leaf, _created = Category.objects.get_or_create(code=CATEGORY_CODE,
                                                    defaults={"parent": area, "name": "占道经营（测试）"})
    return leaf


def _workflow(street_code: str, street_staff, agency_head) -> Workflow:
    return Workflow(street_staff=street_staff, agency_head=agency_head, category=_category(),
                    agency=Agency.objects.get(code=f"{street_code}-pcs"),
                    cooperating_agency=Agency.objects.get(code=f"{street_code}-cgfd"))


@pytest.fixture
def workflow(street, street_staff, agency_head):
    """Moves a case through the services as the home street's cast (see tests/dispatch/conftest.py)."""
    return _workflow(street.code, street_staff, agency_head)


@pytest.fixture
def resident(db):
    """A member of the public with an account (signed up to report from their phone)."""
    return make_user("resident")


@pytest.fixture
def report(grid, resident):
    """A resident's report in the home grid, with their name, phone and address."""

    def make(**fields) -> Case:
        fields = {"actor": resident, "source": Source.RESIDENT, "title": "楼道堆放杂物", "reporter_name": REPORTER_NAME,
                  "reporter_phone": REPORTER_PHONE, "address": ADDRESS, **fields}
        return services.case_create(lat=grid.centroid_lat, lng=grid.centroid_lng, **fields)

    return make


@pytest.fixture
def closed_resident_case(report, workflow):
    return workflow.close(report(), now=shanghai(2026, 5, 20, 10))


@pytest.fixture
def link(closed_resident_case) -> str:
    return satisfaction.invitation_url(closed_resident_case)


def rate(client: Client, link: str, answer: str = "satisfied", comment: str = ""):
    return client.post(link, {"satisfaction": answer, "comment": comment})


def rate_events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, action=Action.RATE))


# --- the invitation ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_closing_a_residents_case_after_verification_creates_its_link_and_tells_the_reporter(
        closed_resident_case, resident):
    invitation = RatingInvitation.objects.get(case=closed_resident_case)
    assert len(invitation.token) >= 40
    assert invitation.used_at is None
    assert invitation.created_at == shanghai(2026, 5, 20, 10)
    assert satisfaction.invitation_url(closed_resident_case) == f"/rate/{invitation.token}/"
    [note] = Notification.objects.filter(user=resident)
    assert note.kind == NoticeKind.RATING
    assert note.case_number == closed_resident_case.number and note.link == f"/cases/{closed_resident_case.number}/"
    assert f"/rate/{invitation.token}/" in note.body


@pytest.mark.django_db
def test_resolving_on_site_creates_the_link_too(report, grid_worker, resident):
    case = services.case_resolve_on_site(case=report(), actor=grid_worker, note="已清理")
    invitation = RatingInvitation.objects.get(case=case)
    assert satisfaction.invitation_url(case) == f"/rate/{invitation.token}/"
    assert Notification.objects.filter(user=resident, kind=NoticeKind.RATING).count() == 1


@pytest.mark.django_db
def test_the_link_is_made_once_however_often_the_case_closes(closed_resident_case, resident):
    token = RatingInvitation.objects.get(case=closed_resident_case).token
    case_closed.send(sender=Case, case=closed_resident_case, now=shanghai(2026, 5, 21, 10))
    case_closed.send(sender=Case, case=closed_resident_case, now=shanghai(2026, 5, 22, 10))
    assert list(RatingInvitation.objects.filter(case=closed_resident_case).values_list("token", flat=True)) == [token]
    assert Notification.objects.filter(user=resident).count() == 1


@pytest.mark.django_db
def test_a_hotline_case_gets_a_link_for_call_backs_but_nobody_to_notify(report, workflow):
    case = workflow.close(report(actor=SYSTEM, source=Source.HOTLINE_12345, external_id="12345-0001"))
    assert satisfaction.invitation_url(case) is not None
    assert not Notification.objects.filter(kind=NoticeKind.RATING).exists()


@pytest.mark.django_db
def test_a_grid_workers_own_patrol_report_gets_no_link(report, grid_worker, workflow):
    case = workflow.close(report(actor=grid_worker, source=Source.GRID_PATROL, reporter_name="", reporter_phone=""))
    assert not RatingInvitation.objects.filter(case=case).exists()
    assert satisfaction.invitation_url(case) is None


@pytest.mark.django_db
def test_an_open_case_has_no_link(report):
    assert satisfaction.invitation_url(report()) is None


@pytest.mark.django_db
def test_a_link_rates_only_its_own_case(closed_resident_case, report, workflow):
    other = workflow.close(report(title="共享单车乱停"))
    invitation = RatingInvitation.objects.get(case=closed_resident_case)
    with pytest.raises(ActionForbidden):
        services.case_rate(case=other, actor=PUBLIC, invitation=invitation, satisfaction="satisfied")
    assert not Case.objects.get(pk=other.pk).satisfaction


# --- the page ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_page_shows_the_case_and_nothing_personal(link, closed_resident_case):
    response = Client().get(link)
    html = response.content.decode()
    assert response.status_code == 200
    assert closed_resident_case.number in html
    assert closed_resident_case.title in html
    assert "2026-05-20" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'data-action="rate"' in html
    for personal in (REPORTER_PHONE, mask_phone(REPORTER_PHONE), REPORTER_NAME, ADDRESS):
        assert personal not in html
    assert 'content="same-origin"' in html  # the token never leaves our site in a Referer


@pytest.mark.django_db
def test_the_reporter_rates_once_through_the_link(link, closed_resident_case):
    response = rate(Client(), link, "basically_satisfied", "处理及时")
    assert response.status_code == 200
    assert 'data-state="rated"' in response.content.decode()
    case = Case.objects.get(pk=closed_resident_case.pk)
    assert (case.satisfaction, case.satisfaction_comment) == ("basically_satisfied", "处理及时")
    assert case.rated_at is not None
    [event] = rate_events(case)
    assert event.actor is None
    assert event.actor_unit == services.RATING_LINK_UNIT
    assert event.data == {"satisfaction": "basically_satisfied", "via": "rating_link"}
    assert event.note == "处理及时"
    assert RatingInvitation.objects.get(case=case).used_at == case.rated_at
    assert satisfaction.invitation_url(case) is None


@pytest.mark.django_db
def test_a_second_use_answers_409_already_rated_and_changes_nothing(link, closed_resident_case):
    client = Client()
    assert rate(client, link, "satisfied").status_code == 200

    again = rate(client, link, "dissatisfied", "改主意了")
    assert again.status_code == 409
    assert 'data-state="already-rated"' in again.content.decode()
    assert 'data-action="rate"' not in again.content.decode()
    case = Case.objects.get(pk=closed_resident_case.pk)
    assert (case.satisfaction, case.satisfaction_comment) == ("satisfied", "")
    assert len(rate_events(case)) == 1
    assert Client().get(link).status_code == 409


@pytest.mark.django_db
def test_a_street_call_back_leaves_the_reporters_own_link_open(link, closed_resident_case, street_staff):
    """回访 is the street's record of what it heard; the reporter's own rating is still theirs to give."""
    services.case_rate(case=closed_resident_case, actor=street_staff, satisfaction="satisfied")

    assert Client().get(link).status_code == 200
    assert rate(Client(), link, "dissatisfied").status_code in (200, 302)
    case = Case.objects.get(pk=closed_resident_case.pk)
    assert (case.callback_satisfaction, case.satisfaction) == ("satisfied", "dissatisfied")
    assert RatingInvitation.objects.get(case=closed_resident_case).used_at is not None


@pytest.mark.django_db
def test_an_unknown_link_is_404(link):  # a real link exists, and is not this one
    assert Client().get("/rate/not-a-token/").status_code == 404
    assert rate(Client(), "/rate/" + "A" * 43 + "/").status_code == 404


@pytest.mark.django_db
def test_a_form_without_an_answer_is_400_and_rates_nothing(link, closed_resident_case):
    response = Client().post(link, {"satisfaction": "delighted"})
    assert response.status_code == 400
    assert not Case.objects.get(pk=closed_resident_case.pk).satisfaction
    assert RatingInvitation.objects.get(case=closed_resident_case).used_at is None


@pytest.mark.django_db
def test_posting_without_the_csrf_token_is_refused(link, closed_resident_case):
    response = rate(Client(enforce_csrf_checks=True), link)
    assert response.status_code == 403
    assert not Case.objects.get(pk=closed_resident_case.pk).satisfaction


# --- two submissions at once ---------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_link_at_once_rate_once(transactional_db):
    """Needs committed data other connections see: it builds its own (see test_case_concurrency)."""
    from tests.conftest import run_together

    call_command("seed_haidian", stdout=io.StringIO())
    grid_index.invalidate()
    case = _closed_case_built_here()
    invitation = RatingInvitation.objects.get(case=case)

    def submit(answer):
        return lambda: satisfaction.invitation_rate(invitation=RatingInvitation.objects.get(pk=invitation.pk),
                                                    satisfaction=answer)

    outcomes = run_together(submit("satisfied"), submit("dissatisfied"))

    assert Counter(type(outcome) for outcome in outcomes) == {Case: 1, ActionConflict: 1}, outcomes
    [winner] = [outcome for outcome in outcomes if isinstance(outcome, Case)]
    case = Case.objects.get(pk=case.pk)
    assert case.satisfaction == winner.satisfaction
    assert len(rate_events(case)) == 1
    assert RatingInvitation.objects.get(pk=invitation.pk).used_at == case.rated_at


def _closed_case_built_here() -> Case:
    street = Street.objects.get(code=HOME_STREET)
    grid = GridCell.objects.filter(community__street=street).order_by("code").first()
    flow = _workflow(HOME_STREET, make_user("race-staff", Role.STREET_STAFF, [street]),
                     make_user("race-head", Role.AGENCY_HEAD, [Agency.objects.get(code=f"{HOME_STREET}-pcs")]))
    case = services.case_create(actor=make_user("race-resident"), source=Source.RESIDENT, title="路灯不亮",
                                lat=grid.centroid_lat, lng=grid.centroid_lng, reporter_phone=REPORTER_PHONE)
    return flow.close(case)
