"""身份鉴别: login failures locked per account and per address on the login page, the admin and the API's
token endpoint, the lock's expiry and the admin's unlock; password rules; the password change an
administrator's password forces; the idle session's end; the API token's expiry and revocation; the
admin's second factor; and the audit rows of each."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from haidian.middleware import LAST_ACTIVITY_KEY
from haidian.models import AuditEntry
from haidian.permissions import Role
from people.models import PasswordState
from people.services import membership_grant
from tests.conftest import failing_on_server_errors, make_user

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"  # the start of the lockout message, in Chinese
STRONG = "Xq7!mT2#vLp9"


@pytest.fixture
def person(db):
    return make_user("identity-person")  # password "pw-identity-person"


def page_client(address: str = "10.0.0.1") -> Client:
    return failing_on_server_errors(Client(REMOTE_ADDR=address))


def api(address: str = "10.0.0.1", token: str | None = None) -> APIClient:
    """An API client in the default language (Chinese), from `address`."""
    client = APIClient(REMOTE_ADDR=address)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return failing_on_server_errors(client)


def page_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def admin_login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"})


def token_login(client, username, password):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


LOGIN_PATHS = {"login page": page_login, "admin": admin_login, "api token": token_login}


def client_for(path: str, address: str = "10.0.0.1"):
    return api(address) if path == "api token" else page_client(address)


def succeeded(path: str, response) -> bool:
    return response.status_code == (200 if path == "api token" else 302)


def rows(action: str, **filters):
    return AuditEntry.objects.filter(action=action, **filters)


def age_the_failures(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=minutes))


# --- lockout ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", LOGIN_PATHS)
def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(path, person):
    person.is_staff = True  # the admin's login lets staff only in
    person.save()
    login, client = LOGIN_PATHS[path], client_for(path)

    answers = [login(client, person.username, f"wrong-{n}") for n in range(5)]
    locked = login(client, person.username, "pw-identity-person")

    assert [answer.status_code for answer in answers[:4]] == [400 if path == "api token" else 200] * 4
    assert answers[4].status_code == 429 and locked.status_code == 429
    assert LOCKED in locked.content.decode() and locked["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session
    assert rows("locked_out", actor_username=person.username, outcome="denied").count() == 1
    assert rows("login_failed", actor_username=person.username, outcome="failed").count() == 5
    assert rows("login_failed", actor_username=person.username, outcome="denied").count() == 1


@pytest.mark.parametrize("path", LOGIN_PATHS)
def test_the_lock_ends_after_fifteen_minutes(path, person):
    person.is_staff = True
    person.save()
    login, client = LOGIN_PATHS[path], client_for(path)
    for n in range(5):
        login(client, person.username, f"wrong-{n}")

    age_the_failures(14)
    assert login(client, person.username, "pw-identity-person").status_code == 429
    age_the_failures(16)
    assert succeeded(path, login(client, person.username, "pw-identity-person"))


def test_the_api_answers_a_lock_in_json_with_a_chinese_detail(person):
    client = api()
    for n in range(5):
        token_login(client, person.username, f"wrong-{n}")

    response = token_login(client, person.username, "pw-identity-person")

    assert response.status_code == 429
    assert response.json()["detail"].startswith(LOCKED) and "15" in response.json()["detail"]


def test_a_wrong_password_alone_is_still_400_on_the_token_endpoint(person):
    response = token_login(api(), person.username, "wrong")

    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_the_account_is_locked_whatever_address_the_failures_come_from(person):
    for n in range(5):
        page_login(page_client(f"10.0.1.{n}"), person.username, "wrong")

    assert page_login(page_client("10.0.9.9"), person.username, "pw-identity-person").status_code == 429


def test_an_address_is_locked_after_five_failures_on_any_accounts(person):
    attacker = page_client("10.0.2.1")
    for n in range(5):
        page_login(attacker, f"someone-{n}", "guess")

    assert page_login(attacker, person.username, "pw-identity-person").status_code == 429
    assert page_login(page_client("10.0.2.2"), person.username, "pw-identity-person").status_code == 302


def test_behind_a_proxy_the_address_is_the_one_it_appended_and_a_forged_hop_evades_nothing(person, settings):
    settings.PUBLIC_TRUSTED_PROXIES = 1  # the proxy (REMOTE_ADDR 10.0.0.254) appends the client's address
    proxy = page_client("10.0.0.254")
    for n in range(5):  # the attacker at 10.0.3.1 makes up a new first hop for every try
        proxy.post("/login/", {"username": f"someone-{n}", "password": "guess"},
                   HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 10.0.3.1")

    assert proxy.post("/login/", {"username": person.username, "password": "pw-identity-person"},
                      HTTP_X_FORWARDED_FOR="192.0.2.99, 10.0.3.1").status_code == 429
    failures = AuditEntry.objects.filter(action="login_failed")
    assert set(failures.values_list("address", flat=True)) == {"10.0.3.1"}
    assert proxy.post("/login/", {"username": person.username, "password": "pw-identity-person"},
                      HTTP_X_FORWARDED_FOR="10.0.3.2").status_code == 302


def test_a_successful_login_forgets_that_accounts_failures_from_that_address(person):
    client = page_client()
    for n in range(4):
        page_login(client, person.username, f"wrong-{n}")
    assert page_login(client, person.username, "pw-identity-person").status_code == 302

    for n in range(4):
        assert page_login(page_client(), person.username, f"again-{n}").status_code == 200


def test_the_security_administrator_unlocks_in_the_admin(person, district):
    for n in range(5):
        page_login(page_client(), person.username, f"wrong-{n}")
    security = make_user("security-admin")
    membership_grant(user=security, role=Role.SECURITY_ADMIN, unit=district)
    admin = page_client("10.9.9.9")
    admin.force_login(security)

    changelist = admin.get("/admin/axes/accessattempt/")
    attempts = list(AccessAttempt.objects.filter(username=person.username))
    response = admin.post("/admin/axes/accessattempt/", {
        "action": "unlock", "_selected_action": [attempt.pk for attempt in attempts]})

    assert changelist.status_code == 200 and person.username in changelist.content.decode()
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=person.username).exists()
    unlocked = rows("unlocked", actor_username="security-admin").get()
    assert unlocked.data["username"] == person.username and unlocked.address == "10.9.9.9"
    assert page_login(page_client(), person.username, "pw-identity-person").status_code == 302


def test_nobody_else_may_unlock(person, street_staff):
    page_login(page_client(), person.username, "wrong")
    street_staff.is_staff = True
    street_staff.save()
    client = page_client()
    client.force_login(street_staff)

    assert client.get("/admin/axes/accessattempt/").status_code == 403


# --- the audit rows of signing in and out -----------------------------------------------------------

def test_logins_logouts_and_failures_are_audited_with_the_address(person):
    client = page_client("10.0.3.3")
    page_login(client, person.username, "wrong")
    page_login(client, person.username, "pw-identity-person")
    client.post("/logout/")

    failed = rows("login_failed").get()
    assert (failed.actor_username, failed.outcome, failed.address, failed.actor_id) == (
        person.username, "failed", "10.0.3.3", None)
    login = rows("login").get()
    assert (login.actor_id, login.address, login.outcome) == (person.pk, "10.0.3.3", "ok")
    assert rows("logout", actor_id=person.pk).count() == 1
    assert not rows("superuser_used").exists()


def test_every_login_of_a_superuser_is_recorded_as_such():
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw-root")

    page_login(page_client(), "root", "pw-root")
    token_login(api(), "root", "pw-root")

    assert rows("superuser_used", actor_id=root.pk).count() == 2


def test_a_token_issue_is_audited(person):
    token_login(api(), person.username, "pw-identity-person")

    assert rows("token_issued", actor_id=person.pk, outcome="ok").count() == 1


# --- password rules -----------------------------------------------------------------------------------

def codes(password: str, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {item.code for item in error.error_list}
    return set()


def test_the_demo_password_is_refused(person):
    assert "password_too_simple" in codes("haidian2013", person)


@pytest.mark.parametrize(("password", "code"), [
    ("Ab1!xyz", "password_too_short"),
    ("1qaz2wsx3edc", "password_too_common"),
    ("2013062520130625", "password_entirely_numeric"),
    ("onlylowercaseletters", "password_too_simple"),
])
def test_weak_passwords_are_refused(password, code):
    assert code in codes(password)


def test_a_password_like_the_login_is_refused():
    user = get_user_model()(username="zhangweiming")

    assert "password_too_similar" in codes("Zhangweiming1!", user)


def test_a_long_mixed_password_passes(person):
    assert codes(STRONG, person) == set()


def test_the_admin_refuses_a_weak_password_for_a_new_account():
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw-root")
    client = page_client()
    client.force_login(root)

    response = client.post("/admin/auth/user/add/", {"username": "newcomer", "usable_password": "true",
                                                      "password1": "haidian2013", "password2": "haidian2013"})

    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="newcomer").exists()


# --- a password an administrator set is changed at the first login ------------------------------------

@pytest.fixture
def newcomer(db):
    """An account the system administrator made in the admin, with a password they chose."""
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw-root")
    client = page_client()
    client.force_login(root)
    response = client.post("/admin/auth/user/add/", {"username": "newcomer", "usable_password": "true",
                                                      "password1": STRONG, "password2": STRONG})
    assert response.status_code == 302
    return get_user_model().objects.get(username="newcomer")


def test_an_account_made_by_an_administrator_must_change_its_password(newcomer):
    client = page_client()

    landing = page_login(client, "newcomer", STRONG)
    elsewhere = client.get("/workbench/")
    by_api = client.get("/api/v1/streets/")
    by_token = token_login(api(), "newcomer", STRONG)

    assert PasswordState.objects.get(user=newcomer).must_change
    assert landing.status_code == 302
    assert elsewhere.status_code == 302 and elsewhere["Location"].startswith("/security/password/")
    assert "管理员" in client.get(elsewhere["Location"]).content.decode()
    assert by_api.status_code == 403 and "密码" in by_api.json()["detail"]
    assert by_token.status_code == 403 and "密码" in by_token.json()["detail"]


def test_once_changed_the_account_goes_where_it_wants(newcomer):
    client = page_client()
    page_login(client, "newcomer", STRONG)

    weak = client.post("/security/password/", {"old_password": STRONG, "new_password1": "haidian2013",
                                               "new_password2": "haidian2013"})
    still_to_change = PasswordState.objects.get(user=newcomer).must_change
    changed = client.post("/security/password/", {"old_password": STRONG, "new_password1": "Nw8$kdQ3!zrT",
                                                  "new_password2": "Nw8$kdQ3!zrT", "next": "/workbench/"})

    assert weak.status_code == 200 and still_to_change
    assert changed.status_code == 302 and changed["Location"] == "/workbench/"
    assert not PasswordState.objects.get(user=newcomer).must_change
    assert client.get("/").status_code == 200
    assert token_login(api(), "newcomer", "Nw8$kdQ3!zrT").status_code == 200
    assert rows("password_changed", object_id=str(newcomer.pk)).exists()


def test_a_password_an_administrator_resets_must_be_changed_too_and_ends_the_tokens(person):
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw-root")
    token = Token.objects.create(user=person)
    client = page_client()
    client.force_login(root)

    response = client.post(f"/admin/auth/user/{person.pk}/password/", {
        "usable_password": "true", "password1": STRONG, "password2": STRONG})

    assert response.status_code == 302
    assert PasswordState.objects.get(user=person).must_change
    assert not Token.objects.filter(key=token.key).exists()


def test_accounts_made_by_seeding_and_commands_need_no_change(person):
    client = page_client()

    assert page_login(client, person.username, "pw-identity-person")["Location"] == "/start/"
    assert client.get("/").status_code == 200
    assert not PasswordState.objects.filter(user=person).exists()


# --- idle sessions ----------------------------------------------------------------------------------------

def idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_for_more_than_thirty_minutes_is_ended(street_staff):
    client = page_client()
    client.force_login(street_staff)
    assert client.get("/").status_code == 200

    idle_for(client, 31 * 60)
    response = client.get("/workbench/")

    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/workbench/")
    assert "_auth_user_id" not in client.session
    assert "30" in client.get(response["Location"]).content.decode()
    assert rows("session_expired", actor_id=street_staff.pk).count() == 1
    assert not rows("logout", actor_id=street_staff.pk).exists()


def test_a_session_used_within_thirty_minutes_goes_on(street_staff):
    client = page_client()
    client.force_login(street_staff)
    client.get("/")

    idle_for(client, 29 * 60)

    assert client.get("/workbench/").status_code == 200


def test_the_last_activity_is_written_at_most_once_a_minute(street_staff):
    client = page_client()
    client.force_login(street_staff)
    client.get("/")
    idle_for(client, 30)
    kept = client.session[LAST_ACTIVITY_KEY]

    client.get("/")
    assert client.session[LAST_ACTIVITY_KEY] == kept

    idle_for(client, 90)
    client.get("/")
    assert client.session[LAST_ACTIVITY_KEY] >= int(time.time()) - 5


def test_the_session_lasts_twelve_hours_at_most_and_ends_with_the_browser(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_IDLE_MINUTES == 30


# --- API tokens ---------------------------------------------------------------------------------------------

def test_a_token_older_than_its_lifetime_is_refused_with_401(street_staff):
    token = Token.objects.create(user=street_staff)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(hours=721))

    response = api(token=token.key).get("/api/v1/streets/")

    assert response.status_code == 401 and "过期" in response.json()["detail"]


def test_a_token_within_its_lifetime_works(street_staff):
    token = Token.objects.create(user=street_staff)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(hours=719))

    assert api(token=token.key).get("/api/v1/streets/").status_code == 200


def test_tokens_never_expire_when_the_lifetime_is_zero(settings, street_staff):
    settings.API_TOKEN_MAX_AGE_HOURS = 0
    token = Token.objects.create(user=street_staff)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=3650))

    assert api(token=token.key).get("/api/v1/streets/").status_code == 200


def test_logging_in_again_replaces_an_expired_token(street_staff):
    old = Token.objects.create(user=street_staff)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(hours=721))

    response = token_login(api(), "street-staff", "pw-street-staff")

    fresh = response.json()["token"]
    assert response.status_code == 200 and fresh != old.key
    assert api(token=fresh).get("/api/v1/streets/").status_code == 200
    assert rows("token_issued", actor_id=street_staff.pk).get().data == {"new": True}


def test_logging_in_again_keeps_a_live_token(street_staff):
    live = Token.objects.create(user=street_staff)

    assert token_login(api(), "street-staff", "pw-street-staff").json()["token"] == live.key


def test_a_revoked_token_no_longer_works(street_staff):
    token = Token.objects.create(user=street_staff)
    client = api(token=token.key)

    response = client.post("/api/v1/auth/token/revoke/")

    assert response.status_code == 204
    assert not Token.objects.filter(key=token.key).exists()
    assert client.get("/api/v1/streets/").status_code == 401
    assert rows("token_revoked", actor_id=street_staff.pk).count() == 1


def test_revoking_needs_a_token():
    assert api().post("/api/v1/auth/token/revoke/").status_code == 401


# --- the admin's second factor ------------------------------------------------------------------------------

def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


@pytest.fixture
def otp_on(settings):
    settings.ADMIN_REQUIRE_OTP = True


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw-root")


def test_without_a_verified_device_a_superuser_cannot_open_the_admin(otp_on, root):
    client = page_client()
    client.force_login(root)

    response = client.get("/admin/")

    assert response.status_code == 302 and response["Location"] == "/security/otp/?next=%2Fadmin%2F"
    assert client.get("/admin/auth/user/").status_code == 302


def test_a_superuser_sets_up_a_device_with_its_first_code_and_opens_the_admin(otp_on, root):
    client = page_client()
    client.force_login(root)

    setup = client.get("/security/otp/?next=/admin/")
    device = TOTPDevice.objects.get(user=root)
    wrong = client.post("/security/otp/", {"token": "000000" if code_of(device) != "000000" else "111111",
                                           "next": "/admin/"})
    device.refresh_from_db()
    unconfirmed = not device.confirmed
    device.throttling_failure_count = 0  # the wrong code above makes the next try wait
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post("/security/otp/", {"token": code_of(device), "next": "/admin/"})

    assert setup.status_code == 200 and "data:image/svg+xml" in setup.content.decode()
    assert "otpauth://totp/" in setup.context["config_url"]
    assert wrong.status_code == 200 and unconfirmed
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/admin/").status_code == 200
    assert rows("otp_device_added", actor_id=root.pk).count() == 1


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN])
def test_each_administrator_gives_the_code_of_their_device_to_open_the_admin(otp_on, role, district):
    user = make_user(f"the-{role}")
    membership_grant(user=user, role=role, unit=district)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = page_client()
    client.force_login(user)

    refused = client.get("/admin/")
    verified = client.post("/security/otp/", {"token": code_of(device), "next": "/admin/"})

    assert refused.status_code == 302 and refused["Location"].startswith("/security/otp/")
    assert "data:image" not in client.get("/security/otp/").content.decode()  # no new secret shown
    assert verified.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_without_the_setting_the_admin_asks_no_code(root):
    client = page_client()
    client.force_login(root)

    assert client.get("/admin/").status_code == 200


def test_people_outside_the_admin_are_not_asked_for_a_code(otp_on, street_staff):
    client = page_client()
    client.force_login(street_staff)

    assert client.get("/workbench/").status_code == 200
