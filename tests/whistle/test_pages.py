"""The pages: the summoned units' phone page with its 报到 button, the street staff's whistle form, and
the partial the case page includes. Every POST calls the same services as the API."""

from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse

from haidian.navigation import workplaces
from tests.dispatch.conftest import forms_on, signed_in
from tests.whistle.conftest import unit_of
from whistle import services
from whistle.models import Summons, UnitStatus

LIST = "/whistle/"


def new_url(case) -> str:
    return reverse("whistle:new", args=[case.number])


# --- the phone page ------------------------------------------------------------------------------

def test_a_summoned_agency_head_sees_the_summons_with_a_report_button(summons, agency_head, agency):
    response = signed_in(agency_head).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert summons.case.number in html and "井盖塌陷，请派人到场维护秩序" in html
    assert forms_on(response) == {"check-in"}
    assert f'name="unit" value="{agency.code}"' in html
    assert 'class="countdown' in html  # the due time counts down


def test_the_street_staff_see_their_summons_without_a_report_button(summons, street_staff):
    response = signed_in(street_staff).get(LIST)
    assert summons.case.number in response.content.decode()
    assert forms_on(response) == set()


def test_summonses_still_waiting_for_me_come_first(make_case, street_staff, agency_head, agency, case,
                                                   summons):
    later = services.summons_create(case=make_case(title="第二起"), actor=street_staff, units=[agency.code],
                                    minutes=60)
    services.summons_check_in(summons=later, actor=agency_head, lat=39.99, lng=116.35)
    html = signed_in(agency_head).get(LIST).content.decode()
    assert html.index(f'id="summons-{summons.pk}"') < html.index(f'id="summons-{later.pk}"')


def test_nobody_and_people_outside_see_no_summons(summons, nobody, other_agency_head):
    assert signed_in(nobody).get(LIST).status_code == 404
    response = signed_in(other_agency_head).get(LIST)
    assert response.status_code == 200 and summons.case.number not in response.content.decode()


def test_the_list_page_reads_a_fixed_number_of_queries(make_case, street_staff, agency_head, agency,
                                                       department, django_assert_max_num_queries):
    client = signed_in(agency_head)
    client.get(LIST)  # warm up; then: session, user, memberships, the scope (2), summonses, units, cases, unread
    for number in range(8):
        services.summons_create(case=make_case(title=f"第{number}起"), actor=street_staff,
                                units=[agency.code, department.code], minutes=30)
    with django_assert_max_num_queries(9):
        response = client.get(LIST)
    assert response.content.decode().count('data-action="check-in"') == 8


def test_reporting_from_the_phone_records_its_point(summons, agency_head, agency):
    response = signed_in(agency_head).post(reverse("whistle:check-in", args=[summons.pk]),
                                           {"unit": agency.code, "lat": "39.991", "lng": "116.351"})
    assert response.status_code == 302 and response.url == LIST
    unit = unit_of(summons, agency)
    assert (unit.status, unit.lat, unit.lng, unit.location_note) == (UnitStatus.LATE, 39.991, 116.351, "")
    page = signed_in(agency_head).get(LIST)
    assert forms_on(page) == set()
    assert 'class="checked-in"' in page.content.decode()


def test_a_phone_that_gives_no_location_reports_at_the_cases_point_with_a_note(summons, agency_head,
                                                                               agency, case):
    signed_in(agency_head).post(reverse("whistle:check-in", args=[summons.pk]),
                                {"unit": agency.code, "location_note": "Location refused on the phone."})
    unit = unit_of(summons, agency)
    assert (unit.lat, unit.lng, unit.location_note) == (case.lat, case.lng, "Location refused on the phone.")
    assert unit.events.get().note == "Location refused on the phone."


def test_reporting_twice_from_the_page_is_a_conflict(summons, agency_head, agency):
    client, url = signed_in(agency_head), reverse("whistle:check-in", args=[summons.pk])
    client.post(url, {"unit": agency.code, "lat": "39.99", "lng": "116.35"})
    response = client.post(url, {"unit": agency.code, "lat": "39.99", "lng": "116.35"})
    assert response.status_code == 409
    assert "has already reported" in response.content.decode()


def test_the_page_refuses_those_who_do_not_report(summons, street_staff, other_agency_head):
    url = reverse("whistle:check-in", args=[summons.pk])
    assert signed_in(street_staff).post(url, {"lat": "39.99", "lng": "116.35"}).status_code == 403
    assert signed_in(other_agency_head).post(url, {"lat": "39.99", "lng": "116.35"}).status_code == 404
    assert set(summons.units.values_list("status", flat=True)) == {UnitStatus.PENDING}


# --- the whistle form ----------------------------------------------------------------------------

def test_the_street_staff_whistle_from_the_form(case, street_staff, agency, department, street):
    client = signed_in(street_staff)
    page = client.get(new_url(case))
    assert page.status_code == 200
    html = page.content.decode()
    for agency_here in street.agencies.all():
        assert f'value="{agency_here.code}"' in html
    assert f'value="{department.code}"' in html and 'value="30"' in html
    response = client.post(new_url(case), {"units": [agency.code, department.code], "minutes": "15",
                                           "note": "请到场"})
    assert response.status_code == 302 and response.url == f"/cases/{case.number}/"
    summons = Summons.objects.get()
    assert (summons.case, summons.minutes, summons.note, summons.units.count()) == (case, 15, "请到场", 2)


def test_the_form_shows_the_services_refusal_next_to_the_field(case, street_staff, other_agency):
    response = signed_in(street_staff).post(new_url(case), {"units": ["110108-ga"], "minutes": "0"})
    assert response.status_code == 400
    assert not Summons.objects.exists()


def test_only_the_cases_street_staff_get_the_form(case, grid_worker, other_street_staff, nobody):
    assert signed_in(grid_worker).get(new_url(case)).status_code == 403
    assert signed_in(other_street_staff).get(new_url(case)).status_code == 404
    assert signed_in(nobody).get(new_url(case)).status_code == 404


def test_a_closed_case_offers_no_form(make_case, workflow, street_staff):
    closed = workflow.close(make_case())
    response = signed_in(street_staff).get(new_url(closed))
    assert response.status_code == 200 and forms_on(response) == set()


# --- the case page's partial ---------------------------------------------------------------------

def _partial(user, case) -> str:
    request = RequestFactory().get(f"/cases/{case.number}/")
    request.user = user
    return Template("{% load whistle_tags %}{% case_summons case %}").render(RequestContext(request, {"case": case}))


def test_the_case_partial_shows_the_units_answers_the_record_and_the_whistle_link(summons, street_staff,
                                                                                  agency_head, case, agency):
    services.summons_check_in(summons=summons, actor=agency_head, lat=39.99, lng=116.35)
    html = _partial(street_staff, case)
    assert f'id="summons-{summons.pk}"' in html
    assert f'data-unit="{agency.code}" data-status="late"' in html
    assert html.count("<li><time") == 2  # the whistle and the check-in, on the summons' own record
    assert f'href="{new_url(case)}"' in html


def test_the_case_partial_shows_nothing_to_people_outside_and_no_link_to_others(summons, case, agency_head,
                                                                                other_street_staff):
    assert 'href="/whistle/' not in _partial(agency_head, case)
    assert _partial(other_street_staff, case).strip() == ""


# --- the header ----------------------------------------------------------------------------------

def test_the_header_links_the_page_for_the_roles_that_use_it(agency_head, department_admin, street_staff,
                                                              grid_worker):
    def links(user):
        request = RequestFactory().get("/")
        request.user = user
        return [url for url, _label in workplaces(request)["workplaces"]]

    for person in (agency_head, department_admin, street_staff):
        assert LIST in links(person)
    assert LIST not in links(grid_worker)
