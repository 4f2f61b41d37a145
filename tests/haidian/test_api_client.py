"""The root `api` client (tests/conftest.py), the one every app's tests use, fails a test on any server
error: no endpoint may answer 5xx unnoticed. Refusals are answers and go through; `api.as_user` is
another client, in English, signed in with the user's real token.

The views below are throwaways, served by this module's own URLconf."""

import pytest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@api_view(["GET", "POST"])
@permission_classes([AllowAny])
def broken(request):
    raise exceptions.APIException("something broke")  # DRF answers it with a 500


def unavailable(request):
    return HttpResponse("down for maintenance", status=503)


@api_view(["GET"])
def whoami(request):
    return Response({"username": request.user.username, "language": request.LANGUAGE_CODE,
                     "authorization": request.headers["Authorization"]})


urlpatterns = [
    path("broken/", broken),
    path("unavailable/", unavailable),
    path("to/<str:name>/", lambda request, name: redirect(f"/{name}/")),
    path("whoami/", whoami),
]


@pytest.mark.parametrize(("url", "status"), [("/broken/", 500), ("/unavailable/", 503)])
def test_a_server_error_fails_the_test(api, street_staff, url, status):
    with pytest.raises(AssertionError, match=f"{url} answered {status}"):
        api.get(url)
    with pytest.raises(AssertionError, match=f"{url} answered {status}"):
        api.as_user(street_staff).post(url, {"x": 1}, format="json")
    with pytest.raises(AssertionError, match=f"{url} answered {status}"):
        api.get(f"/to{url}", follow=True)  # a redirect followed into the error


def test_a_refusal_is_an_answer_not_a_failure(api):
    assert api.get("/whoami/").status_code == 401
    assert api.get("/nowhere/").status_code == 404


def test_as_user_is_another_client_signed_in_in_english_with_the_users_token(api, street_staff):
    answer = api.as_user(street_staff).get("/whoami/").json()

    assert answer == {"username": "street-staff", "language": "en",
                      "authorization": f"Token {Token.objects.get(user=street_staff).key}"}
    assert api.get("/whoami/").status_code == 401  # the anonymous client stays anonymous
