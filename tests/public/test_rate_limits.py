"""Rate limits per client address: five reports and ten follow look-ups an hour, then 429 with a
Retry-After; other addresses are not affected and the count starts again the next hour. The
address is REMOTE_ADDR unless PUBLIC_TRUSTED_PROXIES says proxies in front append to
X-Forwarded-For."""

from __future__ import annotations

import time

import pytest
from django.test import RequestFactory

from dispatch.models import Case
from haidian import throttling
from public import guards
from tests.public.conftest import main_text, public_client, report_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_hour(monkeypatch):
    """Move the limits' clock one hour on (no waiting)."""

    def move():
        later = time.time() + guards.WINDOW_SECONDS
        monkeypatch.setattr(throttling, "clock", lambda: later)

    return move


def test_the_sixth_report_in_an_hour_from_one_address_is_refused_with_429(grid, next_hour):
    visitor = public_client("203.0.113.7")
    for _ in range(5):
        assert visitor.post("/report/", report_data(grid)).status_code == 302

    refused = visitor.post("/report/", report_data(grid))

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= guards.WINDOW_SECONDS + 1
    assert "Too many reports" in main_text(refused)
    assert 'data-state="rate-limited"' in refused.content.decode()
    assert visitor.get("/report/").status_code == 429  # told before filling in the form again
    assert Case.objects.count() == 5

    assert public_client("198.51.100.9").post("/report/", report_data(grid)).status_code == 302

    next_hour()
    assert visitor.post("/report/", report_data(grid)).status_code == 302


def test_the_report_limit_is_a_setting(grid, settings):
    settings.PUBLIC_REPORTS_PER_HOUR = 1
    visitor = public_client("203.0.113.7")

    assert visitor.post("/report/", report_data(grid)).status_code == 302
    assert visitor.post("/report/", report_data(grid)).status_code == 429


def test_the_eleventh_follow_look_up_in_an_hour_is_refused_whether_right_or_wrong(grid, next_hour):
    visitor = public_client("203.0.113.7")
    visitor.post("/report/", report_data(grid))
    number = Case.objects.get().number
    for digits in range(9):
        assert visitor.post("/follow/", {"number": number, "last_four": f"{digits:04d}"}).status_code == 404
    assert visitor.post("/follow/", {"number": number, "last_four": "9876"}).status_code == 302

    refused = visitor.post("/follow/", {"number": number, "last_four": "9876"})

    assert refused.status_code == 429
    assert "Too many look-ups" in main_text(refused)
    assert refused["Retry-After"]
    other = public_client("198.51.100.9")
    assert other.post("/follow/", {"number": number, "last_four": "9876"}).status_code == 302
    next_hour()
    assert visitor.post("/follow/", {"number": number, "last_four": "9876"}).status_code == 302


def test_a_malformed_look_up_counts_too(settings):
    settings.PUBLIC_FOLLOW_TRIES_PER_HOUR = 2
    visitor = public_client("203.0.113.7")

    assert visitor.post("/follow/", {"number": "x", "last_four": "abc"}).status_code == 400
    assert visitor.post("/follow/", {"number": "x", "last_four": "abc"}).status_code == 400
    assert visitor.post("/follow/", {"number": "x", "last_four": "abc"}).status_code == 429


def _request(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/report/", **headers)


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy():
    assert guards.client_ip(_request("203.0.113.7", "10.9.9.9")) == "203.0.113.7"


def test_behind_trusted_proxies_the_address_the_outermost_one_saw_counts(settings):
    settings.PUBLIC_TRUSTED_PROXIES = 1
    # A client can write anything into the header; only what our proxy appended is believed.
    assert guards.client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.9")) == "198.51.100.9"
    settings.PUBLIC_TRUSTED_PROXIES = 2
    assert guards.client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.9, 10.0.0.1")) == "198.51.100.9"
    # Not through all the proxies (someone reached the inner one directly): its own view counts.
    assert guards.client_ip(_request("10.0.0.2", "198.51.100.9")) == "10.0.0.2"


def test_ipv6_clients_count_per_64_block():
    one = guards.client_ip(_request("2001:db8:1:2::10"))
    other = guards.client_ip(_request("2001:db8:1:2:ffff::1"))

    assert one == other == "2001:db8:1:2::/64"
    assert guards.client_ip(_request("::ffff:203.0.113.7")) == "203.0.113.7"
