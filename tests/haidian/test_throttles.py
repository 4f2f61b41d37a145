"""Rate limits (haidian.throttling) answer 429 with a Chinese message on each limited path — the
public report, follow and rating pages per address, Open311's posts per API key, the API's writes
per user — leave other addresses, keys and users alone, and start again with the next window."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from assessment import satisfaction
from dispatch.models import Case
from haidian import throttling
from open311 import services as open311_services
from tests.conftest import failing_on_server_errors, run_together
from tests.dispatch.conftest import (  # noqa: F401  the workflow's fixtures
    category,
    cooperating_agency,
    make_case,
    reported_case,
    work_area,
    workflow,
)
from tests.open311.conftest import (  # noqa: F401  Open311's fixtures
    api_client_and_key,
    api_key,
    errors_of,
    report_form,
)
from tests.public.conftest import report_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    """Counters live in Redis, across tests: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def later(monkeypatch):
    """Move the limits' clock on by `seconds` (no waiting)."""

    def move(seconds: int):
        moved = time.time() + seconds
        monkeypatch.setattr(throttling, "clock", lambda: moved)

    return move


def visitor(ip: str) -> Client:
    """An anonymous visitor from `ip`, in the default language (Chinese)."""
    return failing_on_server_errors(Client(REMOTE_ADDR=ip))


def page_text(response) -> str:
    return response.content.decode()


# --- the public pages ------------------------------------------------------------------------------

def test_the_public_report_answers_429_in_chinese_past_its_limit_and_resets(grid, settings, later):
    settings.PUBLIC_REPORTS_PER_HOUR = 2
    resident = visitor("203.0.113.20")
    assert [resident.post("/report/", report_data(grid)).status_code for _ in range(2)] == [302, 302]

    refused = resident.post("/report/", report_data(grid))

    assert refused.status_code == 429
    assert "过去一小时内，您所在网络提交的上报过多" in page_text(refused)
    assert 0 < int(refused["Retry-After"]) <= throttling.HOUR + 1
    assert Case.objects.count() == 2
    assert visitor("203.0.113.21").post("/report/", report_data(grid)).status_code == 302
    later(throttling.HOUR)
    assert resident.post("/report/", report_data(grid)).status_code == 302


def test_the_follow_look_up_answers_429_in_chinese_past_its_limit_and_resets(settings, later):
    settings.PUBLIC_FOLLOW_TRIES_PER_HOUR = 3
    resident = visitor("203.0.113.30")
    look_up = {"number": "HD20261126000001", "last_four": "1234"}
    assert [resident.post("/follow/", look_up).status_code for _ in range(3)] == [404, 404, 404]

    refused = resident.post("/follow/", look_up)

    assert refused.status_code == 429
    assert "查询次数过多" in page_text(refused)
    assert visitor("203.0.113.31").post("/follow/", look_up).status_code == 404
    later(throttling.HOUR)
    assert resident.post("/follow/", look_up).status_code == 404


@pytest.fixture
def closed_cases(make_case, workflow) -> list[Case]:  # noqa: F811
    """Three closed cases reported by residents, each with its rating link."""
    return [workflow.close(make_case(source="resident")) for _ in range(3)]


def test_the_rating_page_answers_429_in_chinese_past_its_limit_and_resets(closed_cases, settings, later):
    settings.PUBLIC_RATINGS_PER_HOUR = 2
    resident = visitor("203.0.113.40")
    first, second, third = (satisfaction.invitation_url(case) for case in closed_cases)
    assert resident.post(first, {"satisfaction": "satisfied"}).status_code == 200
    assert resident.post(second, {"satisfaction": "bogus"}).status_code == 400  # a bad form counts too

    refused = resident.post(third, {"satisfaction": "satisfied"})

    assert refused.status_code == 429
    assert "过去一小时内，您所在网络提交的评价过多" in page_text(refused)
    assert refused["Retry-After"]
    assert resident.get(third).status_code == 429  # told before filling in the form again
    assert not Case.objects.get(pk=closed_cases[2].pk).satisfaction
    assert visitor("203.0.113.41").post(third, {"satisfaction": "satisfied"}).status_code == 200
    later(throttling.HOUR)
    assert resident.post(second, {"satisfaction": "satisfied"}).status_code == 200


# --- Open311 ---------------------------------------------------------------------------------------

def _post(client: Client, form: dict, fmt: str = "json"):
    return client.post(f"/open311/v2/requests.{fmt}", form)


def test_open311_posts_are_limited_per_api_key_in_its_error_format(report_form, settings, later):  # noqa: F811
    settings.OPEN311_POSTS_PER_MINUTE = 2
    machine = failing_on_server_errors(Client())
    assert [_post(machine, report_form).status_code for _ in range(2)] == [200, 200]

    refused = _post(machine, report_form)

    assert refused.status_code == 429
    assert errors_of(refused) == [(429, "该 api_key 请求过于频繁：每分钟最多 2 次。")]
    assert errors_of(_post(machine, report_form, "xml"))[0][0] == 429
    _client, other_key = open311_services.api_client_create(name="另一个应用")
    assert _post(machine, {**report_form, "api_key": other_key}).status_code == 200
    later(throttling.MINUTE)
    assert _post(machine, report_form).status_code == 200


def test_a_new_key_for_the_same_client_starts_from_zero(report_form, api_client_and_key, settings):  # noqa: F811
    settings.OPEN311_POSTS_PER_MINUTE = 1
    machine = failing_on_server_errors(Client())
    assert [_post(machine, report_form).status_code for _ in range(2)] == [200, 429]

    new_key = open311_services.api_key_issue(client=api_client_and_key[0])

    assert _post(machine, {**report_form, "api_key": new_key}).status_code == 200


def test_open311_limit_zero_turns_it_off(report_form, settings):  # noqa: F811
    settings.OPEN311_POSTS_PER_MINUTE = 0
    machine = failing_on_server_errors(Client())

    assert {_post(machine, report_form).status_code for _ in range(5)} == {200}


# --- the API ---------------------------------------------------------------------------------------

@pytest.fixture
def write_rate(settings):
    def set_rate(rate: str):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                                   "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                              "writes": rate}}

    return set_rate


def _token_client(user) -> Client:
    """A client with the user's token, in the default language (Chinese)."""
    token, _created = Token.objects.get_or_create(user=user)
    return failing_on_server_errors(Client(HTTP_AUTHORIZATION=f"Token {token.key}"))


def _create(client: Client, grid, title: str = "井盖破损"):
    body = {"title": title, "lat": grid.centroid_lat, "lng": grid.centroid_lng, "source": "grid_patrol"}
    return client.post("/api/v1/cases/", json.dumps(body), content_type="application/json")


def test_the_apis_writes_are_limited_per_user_with_a_chinese_429(grid, grid_worker, street_staff, write_rate, later):
    write_rate("3/minute")
    worker = _token_client(grid_worker)
    assert [_create(worker, grid).status_code for _ in range(3)] == [201, 201, 201]

    refused = _create(worker, grid)

    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("短时间内提交的修改过多")
    assert 0 < int(refused["Retry-After"]) <= throttling.MINUTE + 1
    assert Case.objects.count() == 3
    assert worker.get("/api/v1/cases/").status_code == 200  # reads are not counted
    staff = _token_client(street_staff)
    case = Case.objects.first()
    assert staff.post(f"/api/v1/cases/{case.number}/reject/", json.dumps({"reason": "重复"}),
                      content_type="application/json").status_code == 200  # another user is not affected
    later(throttling.MINUTE)
    assert _create(worker, grid).status_code == 201


def test_the_write_rate_counts_every_unsafe_method(reported_case, street_staff, write_rate):  # noqa: F811
    write_rate("2/minute")
    staff = _token_client(street_staff)
    path = f"/api/v1/cases/{reported_case.number}/"

    answers = [staff.patch(path, "{}", content_type="application/json").status_code,
               staff.delete(path).status_code, staff.put(path, "{}", content_type="application/json").status_code]

    assert answers == [405, 405, 429]


def test_the_write_rate_parses_drfs_notation():
    assert throttling.parse_rate("300/minute") == (300, 60)
    assert throttling.parse_rate("10/h") == (10, 3600)
    assert throttling.parse_rate("5/day") == (5, 86400)
    assert throttling.parse_rate(None) == (None, 60)


def test_one_limit_counts_atomically_across_parallel_requests(grid):
    limit = throttling.RateLimit("test-parallel", lambda: 5, throttling.MINUTE)
    outcomes = run_together(*[lambda: limit.hit("10.9.9.9") for _ in range(12)])

    assert outcomes.count(True) == 5 and outcomes.count(False) == 7
