"""The cast and the data every test shares.

Haidian's reference data (29 streets and towns, departments, agencies, 570 communities, 3,000
synthetic grids) and the 2025–2026 working calendar are loaded once per test session. Tests that
need committed data (`transactional_db`, `live_server`) run after all others, because their
teardown empties the tables, and build what they need themselves.
"""

import os
import threading
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Agency, Department, District, Street
from grids.models import GridCell
from haidian import outbox
from haidian.permissions import Role
from notifications import sms
from people.services import membership_grant

# live_server + Playwright's sync API share a thread with an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HOME_STREET = "110108007"
OTHER_STREET = "110108010"


def pytest_configure(config):
    # Registered here, not in pyproject.toml, beside the fixtures it goes with.
    config.addinivalue_line("markers", "fuzz: the whole-API schemathesis run (tests/haidian/test_api_fuzz.py); "
                                       "`-m 'not fuzz'` leaves it out of a quick local run")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_calendar", years=[2025, 2026], verbosity=0)
        call_command("seed_haidian", verbosity=0)


def test_database_url() -> str:
    """The test database (test_<name>) as a URL, for worker and beat processes the tests start."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def run_together(*actions) -> list:
    """Run each callable in its own thread on its own, already open connection, released at once by a
    barrier; return what each returned or raised, in order. (Opening the connections before the
    barrier keeps one thread's connection set-up from letting the other finish first.)"""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index, action):
        translation.activate("en")
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            outcomes[index] = action()
        except Exception as exc:  # the outcome under test, reported to the main thread
            outcomes[index] = exc
        finally:
            translation.deactivate()
            connection.close()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return outcomes


def make_user(username: str, role: str | None = None, units=()):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    for unit in units:
        membership_grant(user=user, role=role, unit=unit)
    return user


@pytest.fixture(autouse=True)
def sms_outbox():
    """The test SMS backend's outbox (notifications.sms.outbox), empty at the start of every test, as
    Django empties mail.outbox."""
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def broker_errors_forgotten():
    """Each test starts trying the broker (haidian.outbox remembers a broker error for a few seconds)."""
    outbox.forget_broker_errors()
    yield
    outbox.forget_broker_errors()


@pytest.fixture
def district(db):
    return District.objects.get(code="110108")


@pytest.fixture
def street(db):
    return Street.objects.get(code=HOME_STREET)


@pytest.fixture
def other_street(db):
    return Street.objects.get(code=OTHER_STREET)


@pytest.fixture
def street_staff(street):
    return make_user("street-staff", Role.STREET_STAFF, [street])


@pytest.fixture
def other_street_staff(other_street):
    return make_user("other-street-staff", Role.STREET_STAFF, [other_street])


@pytest.fixture
def grid(street):
    return GridCell.objects.filter(community__street=street).order_by("code").first()


@pytest.fixture
def grid_worker(grid):
    return make_user("grid-worker", Role.GRID_WORKER, [grid])


@pytest.fixture
def agency(street):
    return Agency.objects.get(code=f"{HOME_STREET}-pcs")


@pytest.fixture
def agency_head(agency):
    return make_user("agency-head", Role.AGENCY_HEAD, [agency])


@pytest.fixture
def department(district):
    return Department.objects.get(code="110108-ga")


@pytest.fixture
def department_admin(department):
    return make_user("department-admin", Role.DEPARTMENT_ADMIN, [department])


@pytest.fixture
def district_command(district):
    return make_user("district-command", Role.DISTRICT_COMMAND, [district])


def failing_on_server_errors(client: Client) -> Client:
    """`client` (Django's or DRF's), made to fail the test on any 5xx answer: no endpoint may ever
    answer one. Every verb and every followed redirect goes through `request`."""
    request = client.request

    def request_without_server_errors(**kwargs):
        response = request(**kwargs)
        assert response.status_code < 500, f"{kwargs.get('PATH_INFO')} answered {response.status_code}"
        return response

    client.request = request_without_server_errors
    return client


def api_client(token: str | None = None) -> APIClient:
    """An API client in English (messages are asserted word for word), with `token` if given, that
    fails the test on any server error."""
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return failing_on_server_errors(client)


@pytest.fixture
def api(db):
    """An anonymous API client (`api_client`); `api.as_user(user)` is a separate client signed in with
    the user's real token, so a test can hold one client per member of the cast."""

    def as_user(user) -> APIClient:
        token, _created = Token.objects.get_or_create(user=user)
        return api_client(token.key)

    client = api_client()
    client.as_user = as_user
    return client


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser; no background calls to the closed internet."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
