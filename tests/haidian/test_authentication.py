"""API token authentication: the project's own lookup keeps DRF's rules."""

import pytest
from rest_framework.authtoken.models import Token

from tests.conftest import api_client, make_user

pytestmark = pytest.mark.django_db


def test_a_valid_token_signs_the_user_in(street_staff):
    token = Token.objects.create(user=street_staff)

    response = api_client(token.key).get("/api/v1/streets/")

    assert response.status_code == 200
    assert response.wsgi_request.user == street_staff


def test_an_unknown_token_is_refused_with_401():
    response = api_client("0" * 40).get("/api/v1/streets/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_token_of_a_deactivated_user_is_refused(street_staff):
    token = Token.objects.create(user=street_staff)
    street_staff.is_active = False
    street_staff.save()

    assert api_client(token.key).get("/api/v1/streets/").status_code == 401


def test_a_deleted_token_no_longer_works():
    user = make_user("short-lived")
    token = Token.objects.create(user=user)
    key = token.key
    token.delete()

    assert api_client(key).get("/api/v1/streets/").status_code == 401
