"""The street's co-manager page and the district's quota page: counts against quotas, hiring, quotas."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from comanagers import services
from comanagers.models import CoManager, Deployment, PayStandard, Post, Quota
from tests.comanagers.conftest import set_quota
from tests.dispatch.conftest import signed_in

pytestmark = pytest.mark.django_db

STREET_PAGE = reverse("comanagers:street")
DISTRICT_PAGE = reverse("comanagers:district")


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def two_in_post(street_staff, street, informant_post, year):
    set_quota(street, 3, year=year)
    return [services.comanager_hire(actor=street_staff, street=street, post=informant_post, name=name,
                                    phone="13800001234", hired_at=dt.date(year, 1, 1),
                                    deployment=Deployment.CENTRAL, central_reason="调解员")
            for name in ("甲", "乙")]


def test_the_street_page_shows_the_count_against_the_quota(client, street_staff, two_in_post, year):
    client.force_login(street_staff)
    response = client.get(STREET_PAGE)
    assert response.status_code == 200
    assert f"2 in post of a quota of 3 ({year})" in response.content.decode()
    assert "13800001234" in response.content.decode()


def test_the_district_page_shows_every_streets_count_against_its_quota(
    client, district_command, two_in_post, street, other_street, year, django_assert_max_num_queries
):
    client.force_login(district_command)
    with django_assert_max_num_queries(12):
        response = client.get(DISTRICT_PAGE)
    assert response.status_code == 200
    rows = {row.code: (row.in_post, row.quota) for row in response.context["rows"]}
    assert rows[street.code] == (2, 3)
    assert rows[other_street.code] == (0, 0)
    assert len(rows) == street.district.streets.count()


def test_hiring_from_the_page_and_refused_past_the_quota(client, street_staff, street, informant_post, year):
    set_quota(street, 1, year=year)
    client.force_login(street_staff)
    body = {"street": street.code, "name": "丙", "phone": "13700001111", "post": informant_post.pk,
            "placement": "normal", "deployment": "central", "central_reason": "调解员"}
    assert client.post(STREET_PAGE, body).status_code == 302
    refused = client.post(STREET_PAGE, {**body, "name": "丁"})
    assert refused.status_code == 409
    assert "quota is reached" in refused.content.decode()
    invalid = client.post(STREET_PAGE, {**body, "central_reason": ""})
    assert invalid.status_code == 400
    assert CoManager.objects.filter(street=street).count() == 1


def test_leaving_from_the_page(client, street_staff, two_in_post, other_street_staff, district_command):
    url = reverse("comanagers:leave", args=[two_in_post[0].pk])
    client.force_login(other_street_staff)
    assert client.post(url).status_code == 404
    client.force_login(district_command)
    assert client.post(url).status_code == 403
    client.force_login(street_staff)
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 409


def test_the_district_command_sets_a_quota_on_its_page(client, district_command, street, year):
    client.force_login(district_command)
    response = client.post(DISTRICT_PAGE, {"street": street.code, "year": year, "count": 25})
    assert response.status_code == 302
    assert Quota.objects.get(street=street, year=year).count == 25


def test_the_pages_are_not_found_for_the_wrong_people(client, street_staff, grid_worker, district_command):
    client.force_login(grid_worker)
    assert client.get(STREET_PAGE).status_code == 404
    assert client.get(DISTRICT_PAGE).status_code == 404
    client.force_login(street_staff)
    assert client.get(DISTRICT_PAGE).status_code == 404
    client.force_login(district_command)
    assert client.get(STREET_PAGE).status_code == 404


def test_the_district_sets_a_posts_pay_standard_on_its_page(district_command, street_staff):
    post = Post.objects.order_by("code").first()
    client = signed_in(district_command)
    client.post("/comanagers/district/pay/", {"post": post.code, "year": 2026, "monthly_amount": "4200.00"})
    client.post("/comanagers/district/pay/", {"post": post.code, "year": 2026, "monthly_amount": "4500.00"})

    assert PayStandard.objects.get(post=post, year=2026).monthly_amount == 4500  # one per post and year
    assert "4500.00" in client.get("/comanagers/district/?year=2026").content.decode()
    signed_in(street_staff).post("/comanagers/district/pay/", {"post": post.code, "year": 2026,
                                                                  "monthly_amount": "1"})
    assert PayStandard.objects.get(post=post, year=2026).monthly_amount == 4500
