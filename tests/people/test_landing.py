"""Each person lands on their work: the login sends them to their first workplace, every header link
answers (no 404, even before any assessment round exists), and a resident at the site's root lands on
the public services, with the staff login a click away."""

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Round
from haidian.navigation import nav_links
from haidian.permissions import scope_for

pytestmark = pytest.mark.django_db

LANDINGS = [
    ("street_staff", "/workbench/"),
    ("grid_worker", "/grid/"),
    ("agency_head", "/inbox/"),
    ("department_admin", "/inbox/"),
    ("district_command", "/command/"),
]


def logged_in_by_password(user) -> tuple[Client, object]:
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": "pw-" + user.username})
    return client, response


@pytest.mark.parametrize(("cast", "workplace"), LANDINGS)
def test_the_login_lands_each_role_on_its_workplace(request, cast, workplace):
    user = request.getfixturevalue(cast)
    client, response = logged_in_by_password(user)

    assert response.status_code == 302 and response["Location"] == "/start/"
    landing = client.get("/start/")
    assert landing.status_code == 302 and landing["Location"] == workplace
    assert client.get(workplace).status_code == 200


def test_a_login_that_asked_for_a_page_goes_there(street_staff):
    client = Client()
    response = client.post("/login/?next=/letters/", {"username": street_staff.username,
                                                      "password": "pw-street-staff"})
    assert response["Location"] == "/letters/"


@pytest.mark.parametrize("cast", [cast for cast, _ in LANDINGS])
def test_every_header_link_answers_even_with_no_assessment_round(request, cast):
    assert not Round.objects.exists()
    user = request.getfixturevalue(cast)
    client = Client()
    client.force_login(user)
    roles = scope_for(user).roles
    assert any(link.roles & roles for link in nav_links())
    page = client.get("/").content.decode()
    for link in nav_links():
        if link.roles & roles:
            url = reverse(link.url_name)
            assert f'href="{url}"' in page, url
            assert client.get(url).status_code == 200, url


def test_a_rater_with_no_open_round_is_told_so_in_chinese(grid_worker):
    client = Client()
    client.force_login(grid_worker)
    page = client.get("/assessment/")
    assert page.status_code == 200
    assert "目前没有需要您填写的考核表" in page.content.decode()


def test_a_resident_at_the_root_lands_on_the_public_services_with_a_staff_login_link():
    response = Client().get("/", follow=True)

    assert response.redirect_chain == [("/public/", 302)]
    page = response.content.decode()
    assert 'href="/report/"' in page and 'href="/follow/"' in page
    assert 'href="/login/"' in page


def test_the_site_has_a_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
    assert 'rel="icon"' in client.get("/public/").content.decode()
