"""Personal data (个人信息保护, 数据保密性, 剩余信息保护): reporters' phones, names and emails, co-managers'
phones, Open311 emails and message addresses are encrypted at rest and found by a blind index; the
reporter's phone is masked for everyone whose task needs no call-back (grid workers included) on the
API, the case page and the exports, and every whole view is audited; the retention job erases a
reporter's data two years after the case ended and keeps the case and its statistics; the security
administrator looks a person up by phone and erases them on request, audited; nobody else may."""

# ruff: noqa: F811  (the dispatch tests' fixtures, imported below, are the parameters of these tests)

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import subprocess
import sys
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django_celery_beat.models import PeriodicTask

from assessment import indicators
from comanagers.models import CoManager, Post
from dashboard import rollups
from dispatch import services
from dispatch.models import Case, CaseEvent, Source, Tier
from haidian import privacy
from haidian.models import AuditEntry
from haidian.permissions import Role
from haidian.privacy import blind_index, mask_phone
from haidian.workflow import PUBLIC
from notifications.messages import message_opt_out, message_queue, opted_out
from notifications.models import Message, MessageOptOut, MessageStatus
from open311.models import ApiClient, ServiceRequest
from public import guards
from public.models import FollowToken
from security import personal, tasks
from tests.conftest import make_user
from tests.dispatch.conftest import (  # noqa: F401  the dispatch tests' fixtures, used here
    REPORTER_PHONE,
    category,
    cooperating_agency,
    dispatched_case,
    make_case,
    reported_case,
    responded_case,
    shanghai,
    signed_in,
    work_area,
    workflow,
)
from tests.dispatch.test_case_export import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

MASKED = mask_phone(REPORTER_PHONE)  # 138****5678
REPORTER_NAME = "王小明"
REPORTER_EMAIL = "wang.xiaoming@example.cn"
CLOSED = shanghai(2026, 3, 2, 9)


def viewed(case: Case | None = None):
    rows = AuditEntry.objects.filter(action="personal_data_viewed")
    return rows.filter(object_type="dispatch.case", object_id=str(case.pk)) if case is not None else rows


def raw_columns(table: str, columns: list[str], pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.fixture
def security_admin(district):
    return make_user("security-admin", Role.SECURITY_ADMIN, [district])


@pytest.fixture
def public_case(grid) -> Case:
    """A resident's report with a name, a phone and an email (no account: the public)."""
    return services.case_create(actor=PUBLIC, title="楼道堆放杂物", lat=grid.centroid_lat, lng=grid.centroid_lng,
                                source=Source.RESIDENT, reporter_name=REPORTER_NAME, reporter_phone=REPORTER_PHONE,
                                reporter_email=REPORTER_EMAIL)


@pytest.fixture
def comanager(street):
    post, _created = Post.objects.get_or_create(code="safety-informant", defaults={"name": "安全信息员"})
    return CoManager.objects.create(name="赵六", phone="+86 138-1234-5678", post=post, street=street,
                                    hired_at=dt.date(2026, 3, 2), deployment="grids")


# --- encryption at rest ----------------------------------------------------------------------------

def test_the_phone_column_holds_no_digits_of_the_phone(public_case):
    phone, name, email, index = raw_columns("dispatch_case", ["reporter_phone", "reporter_name", "reporter_email",
                                                             "reporter_phone_index"], public_case.pk)

    for stored in (phone, name, email):
        assert stored.startswith("v1:sm4:")  # SM4-GCM: this machine's cryptography offers it
    assert REPORTER_PHONE[-4:] not in phone and REPORTER_PHONE[:7] not in phone
    assert REPORTER_NAME not in name and "wang" not in email
    assert REPORTER_PHONE not in index and index == blind_index(REPORTER_PHONE) and len(index) == 64
    fresh = Case.objects.get(pk=public_case.pk)
    assert (fresh.reporter_phone, fresh.reporter_name, fresh.reporter_email) == (
        REPORTER_PHONE, REPORTER_NAME, REPORTER_EMAIL)


def test_co_managers_phones_open311_emails_and_message_addresses_are_encrypted_too(public_case, comanager):
    client = ApiClient.objects.create(name="某App", key_prefix="abcd1234", key_hash="0" * 64)
    request = ServiceRequest.objects.create(case=public_case, client=client, token="t" * 64, email=REPORTER_EMAIL,
                                            created_at=CLOSED)
    message_queue(key="test:1:sms", channel="sms", to=REPORTER_PHONE, template="received", text="已收到",
                  case_number=public_case.number)

    [stored_phone] = raw_columns("comanagers_comanager", ["phone"], comanager.pk)
    [stored_email] = raw_columns("open311_servicerequest", ["email"], request.pk)
    message = Message.objects.get()
    stored_to, to_index = raw_columns("notifications_message", ["\"to\"", "to_index"], message.pk)

    assert all(value.startswith("v1:sm4:") for value in (stored_phone, stored_email, stored_to))
    assert "5678" not in stored_phone + stored_to and "wang" not in stored_email
    assert CoManager.objects.get().phone == "+86 138-1234-5678" and message.to == REPORTER_PHONE
    assert to_index == blind_index(REPORTER_PHONE) == CoManager.objects.get().phone_index


def test_without_sm4_the_values_are_aes_gcm_and_both_read_back(public_case):
    with override_settings(PERSONAL_DATA_CIPHER="aes"):
        written = privacy.encrypt(REPORTER_PHONE)
        assert written.startswith("v1:aes:")
        assert privacy.decrypt(written) == REPORTER_PHONE
        assert Case.objects.get(pk=public_case.pk).reporter_phone == REPORTER_PHONE  # an SM4 row still reads


def test_a_rotated_key_reads_the_old_rows_and_rekey_writes_them_again(public_case):
    old_key = privacy.keyring().masters["v1"]
    new_key = "bmV3LXBlcnNvbmFsLWRhdGEta2V5LTMyLWJ5dGVzISE="
    with override_settings(PERSONAL_DATA_KEY=new_key, PERSONAL_DATA_KEY_ID="v2",
                           PERSONAL_DATA_KEYS_OLD=[f"v1:{base64.b64encode(old_key).decode()}"]):
        assert Case.objects.get(pk=public_case.pk).reporter_phone == REPORTER_PHONE
        call_command("personal_data_rekey", stdout=open(os.devnull, "w"))
        [phone] = raw_columns("dispatch_case", ["reporter_phone"], public_case.pk)
        assert phone.startswith("v2:sm4:")
        assert Case.objects.get(pk=public_case.pk).reporter_phone == REPORTER_PHONE
    with pytest.raises(privacy.PersonalDataError):  # without the new key the row cannot be read
        Case.objects.get(pk=public_case.pk)


def test_a_wrong_key_does_not_decrypt(public_case):
    with override_settings(PERSONAL_DATA_KEY="d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktMzI="), \
            pytest.raises(privacy.PersonalDataError):
        Case.objects.get(pk=public_case.pk)


def test_an_encrypted_column_refuses_lookups_that_could_only_find_nothing(public_case):
    assert Case.objects.filter(reporter_phone="").count() == 0  # "no phone" and "erased" still work
    with pytest.raises(ValueError):
        list(Case.objects.filter(reporter_phone=REPORTER_PHONE))
    with pytest.raises(FieldError):
        list(Case.objects.filter(reporter_phone__contains="5678"))
    assert list(Case.objects.filter(reporter_phone_index=blind_index("+86 138 1234 5678"))) == [public_case]


def test_production_refuses_to_start_without_the_personal_data_keys():
    env = {**os.environ, "HAIDIAN_ENV": "production", "SECRET_KEY": "s" * 20 + "x9Y!" * 10,
           "PERSONAL_DATA_KEY": "", "PERSONAL_DATA_INDEX_KEY": ""}
    result = subprocess.run([sys.executable, "-c", "import haidian.settings"], env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode != 0
    assert "PERSONAL_DATA_KEY and PERSONAL_DATA_INDEX_KEY must be set in production" in result.stderr


def test_the_migration_encrypts_plain_rows_in_batches_and_runs_again_harmlessly(public_case, make_case):
    other = make_case(reporter_phone="010-62345678")
    with connection.cursor() as cursor:  # as the rows were before the migration: plain text
        cursor.execute("UPDATE dispatch_case SET reporter_phone = %s, reporter_name = %s, reporter_phone_index = '' "
                       "WHERE id = %s", ["13900001111", "李四", public_case.pk])
    forward, backward = privacy.encrypting("dispatch_case", {"reporter_phone": "reporter_phone_index",
                                                             "reporter_name": None})

    changed = privacy.convert_rows(connection, "dispatch_case", {"reporter_phone": "reporter_phone_index",
                                                                 "reporter_name": None}, to="encrypted", batch=1)

    assert changed == 1  # the other case was encrypted already
    phone, name, index = raw_columns("dispatch_case", ["reporter_phone", "reporter_name", "reporter_phone_index"],
                                     public_case.pk)
    assert phone.startswith("v1:sm4:") and name.startswith("v1:sm4:") and index == blind_index("13900001111")
    assert Case.objects.get(pk=public_case.pk).reporter_name == "李四"
    assert Case.objects.get(pk=other.pk).reporter_phone == "010-62345678"
    forward(None, connection.schema_editor())  # again: nothing left to convert
    assert raw_columns("dispatch_case", ["reporter_phone"], public_case.pk) == (phone,)
    backward(None, connection.schema_editor())
    assert raw_columns("dispatch_case", ["reporter_phone"], public_case.pk) == ("13900001111",)


# --- lookups by phone ------------------------------------------------------------------------------

def test_the_follow_lookup_by_the_last_four_digits_still_finds_the_case(public_case):
    guards.FOLLOW_TRIES.reset("127.0.0.1")
    response = Client().post("/follow/", {"number": public_case.number, "last_four": REPORTER_PHONE[-4:]})

    assert response.status_code == 302
    assert response["Location"] == f"/follow/{FollowToken.objects.get(case=public_case).token}/"
    guards.FOLLOW_TRIES.reset("127.0.0.1")


def test_an_opt_out_is_kept_as_the_blind_index_and_still_stops_messages(public_case):
    message_queue(key="test:2:sms", channel="sms", to=REPORTER_PHONE, template="received", text="已收到",
                  case_number=public_case.number)

    assert message_opt_out(address="+86 138-1234-5678") == 1

    assert MessageOptOut.objects.get().address_hash == blind_index(REPORTER_PHONE)
    assert Message.objects.get().status == MessageStatus.SKIPPED_OPT_OUT
    assert opted_out(REPORTER_PHONE)


# --- masking and the audited whole view --------------------------------------------------------------

@pytest.mark.parametrize("who", ["grid_worker", "agency_head", "department_admin", "district_command"])
def test_grid_workers_see_the_phone_masked_like_agencies_on_the_api(request, api, dispatched_case, who):
    response = api.as_user(request.getfixturevalue(who)).get(f"/api/v1/cases/{dispatched_case.number}/")

    assert response.status_code == 200
    assert response.json()["reporter_phone"] == MASKED
    assert not viewed().exists()


def test_grid_workers_see_the_phone_masked_on_the_case_page(dispatched_case, grid_worker):
    html = signed_in(grid_worker).get(f"/cases/{dispatched_case.number}/").content.decode()

    assert MASKED in html and REPORTER_PHONE not in html
    assert not viewed().exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_grid_workers_export_the_phones_masked(api, make_case, workflow, grid_worker, kind):
    for _ in range(3):
        workflow.dispatch(make_case())
    client = api.as_user(grid_worker)

    rows = (csv_rows if kind == "csv" else xlsx_rows)(client.get(f"/api/v1/cases/export/?format={kind}"))

    assert len(rows) == 3 and {row["反映人电话"] for row in rows} == {MASKED}
    assert not viewed().exists()


def test_the_workbench_export_follows_the_same_rule(make_case, workflow, street, street_staff):
    workflow.dispatch(make_case())
    mine = signed_in(street_staff).get(f"/workbench/export.csv?street={street.code}")
    assert REPORTER_PHONE in b"".join(mine.streaming_content).decode("utf-8-sig")
    assert viewed().get().data == {"field": "reporter_phone", "rows": 1, "export": "csv"}


def test_the_reporter_of_a_public_report_is_masked_on_the_page_too(public_case, agency_head, workflow):
    workflow.dispatch(public_case)
    html = signed_in(agency_head).get(f"/cases/{public_case.number}/").content.decode()
    assert REPORTER_NAME not in html and "王**" in html and REPORTER_PHONE not in html


def test_the_grid_worker_checking_the_result_sees_the_phone_and_the_view_is_audited(api, responded_case,
                                                                                    grid_worker):
    response = api.as_user(grid_worker).get(f"/api/v1/cases/{responded_case.number}/")

    assert response.json()["reporter_phone"] == REPORTER_PHONE
    [entry] = viewed(responded_case)
    assert (entry.actor_id, entry.data, entry.outcome) == (grid_worker.pk, {"field": "reporter_phone"}, "ok")


def test_the_street_sees_the_phone_for_its_call_back_one_audit_row_per_view(dispatched_case, street_staff):
    html = signed_in(street_staff).get(f"/cases/{dispatched_case.number}/").content.decode()

    assert REPORTER_PHONE in html
    [entry] = viewed(dispatched_case)
    assert entry.actor_id == street_staff.pk and entry.data == {"field": "reporter_phone"}


def test_the_district_sees_the_phone_of_the_cases_it_holds(api, dispatched_case, district_command, street_staff):
    services.case_escalate(case=Case.objects.get(pk=dispatched_case.pk), actor=street_staff, reason="街道无法协调")
    assert Case.objects.get(pk=dispatched_case.pk).tier == Tier.DISTRICT

    response = api.as_user(district_command).get(f"/api/v1/cases/{dispatched_case.number}/")

    assert response.json()["reporter_phone"] == REPORTER_PHONE
    assert viewed(dispatched_case).get().actor_id == district_command.pk


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_that_shows_phones_whole_writes_one_audit_row_with_the_count(api, make_case, workflow,
                                                                              street_staff, kind):
    for _ in range(3):
        workflow.dispatch(make_case())
    make_case(reporter_phone="")

    rows = (csv_rows if kind == "csv" else xlsx_rows)(api.as_user(street_staff).get(
        f"/api/v1/cases/export/?format={kind}"))

    assert sorted(row["反映人电话"] or "" for row in rows) == ["", REPORTER_PHONE, REPORTER_PHONE, REPORTER_PHONE]
    [entry] = viewed()
    assert entry.actor_id == street_staff.pk
    assert entry.data == {"field": "reporter_phone", "rows": 3, "export": kind}


# --- retention -------------------------------------------------------------------------------------

def closed_public_case(grid, workflow, *, at: dt.datetime = CLOSED) -> Case:
    case = services.case_create(actor=PUBLIC, title="楼道堆放杂物", lat=grid.centroid_lat, lng=grid.centroid_lng,
                                source=Source.RESIDENT, reporter_name=REPORTER_NAME, reporter_phone=REPORTER_PHONE,
                                reporter_email=REPORTER_EMAIL, now=at - dt.timedelta(days=2))
    return workflow.close(case, now=at)


def statistics(day: dt.datetime) -> tuple:
    half = (shanghai(day.year, 1, 1), shanghai(day.year, 7, 1))
    return rollups.computed(), indicators.compute(*half), indicators.case_satisfaction(*half)


def test_the_retention_job_erases_the_reporter_after_the_period_and_keeps_the_case_and_its_statistics(
    grid, workflow
):
    case = closed_public_case(grid, workflow)
    client = ApiClient.objects.create(name="某App", key_prefix="abcd1234", key_hash="0" * 64)
    ServiceRequest.objects.create(case=case, client=client, token="t" * 64, email=REPORTER_EMAIL,
                                  device_id="device-1", created_at=CLOSED)
    message_queue(key="test:3:sms", channel="sms", to=REPORTER_PHONE, template="result", text="已办结",
                  case_number=case.number)
    events, before = CaseEvent.objects.filter(case=case).count(), statistics(CLOSED)
    day_after = case.closed_at + dt.timedelta(days=730, minutes=1)

    assert personal.personal_data_retention(now=case.closed_at + dt.timedelta(days=729)) == 0
    assert personal.personal_data_retention(now=day_after) == 1

    erased = Case.objects.get(pk=case.pk)
    assert (erased.reporter_name, erased.reporter_phone, erased.reporter_email) == ("", "", "")
    assert (erased.reporter_phone_index, erased.personal_data_erased_at) == ("", day_after)
    assert raw_columns("dispatch_case", ["reporter_phone", "reporter_name"], case.pk) == ("", "")
    assert (erased.status, erased.satisfaction, erased.closed_at) == (case.status, case.satisfaction, case.closed_at)
    assert CaseEvent.objects.filter(case=case).count() == events
    assert statistics(CLOSED) == before  # dashboard roll-ups and assessment indicators unchanged
    request = ServiceRequest.objects.get(case=case)
    assert (request.email, request.device_id) == ("", "")
    assert Message.objects.get(case_number=case.number).to == ""
    runs = AuditEntry.objects.filter(action="personal_data_erased", actor_username="personal_data_retention")
    assert [run.data["cases"] for run in runs.order_by("id")] == [0, 1]  # one row per run, with the count


def test_the_retention_job_is_idempotent_and_leaves_open_and_recent_cases(grid, workflow, make_case):
    old = closed_public_case(grid, workflow)
    recent = closed_public_case(grid, workflow, at=CLOSED + dt.timedelta(days=60))
    still_open = make_case()
    later = old.closed_at + dt.timedelta(days=731)

    assert personal.personal_data_retention(now=later) == 1
    assert personal.personal_data_retention(now=later) == 0

    assert Case.objects.get(pk=recent.pk).reporter_phone == REPORTER_PHONE
    assert Case.objects.get(pk=still_open.pk).reporter_phone == REPORTER_PHONE
    assert Case.objects.get(pk=old.pk).personal_data_erased_at == later


def test_the_retention_job_is_a_daily_beat_task_and_a_command(grid, workflow, settings):
    # The migration registers it (again here, idempotently: a test that empties the tables removes it).
    import_module("security.migrations.0001_personal_data").schedule(django_apps, None)
    task = PeriodicTask.objects.get(name="personal data retention")
    assert task.task == "security.personal_data_retention" and task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")
    case = closed_public_case(grid, workflow)
    out = io.StringIO()
    call_command("personal_data_retention", now=(case.closed_at + dt.timedelta(days=731)).isoformat(), stdout=out)
    assert "erased the personal data of 1 case(s)" in out.getvalue()

    settings.PERSONAL_DATA_RETENTION_DAYS = 1  # what beat runs, today: the case above ended long enough ago
    again = closed_public_case(grid, workflow)
    assert tasks.personal_data_retention.name == task.task
    assert tasks.personal_data_retention.apply().get() == 1
    assert Case.objects.get(pk=again.pk).reporter_phone == ""


# --- the security administrator's requests -----------------------------------------------------------

def test_the_security_administrator_looks_a_person_up_by_phone_masked_and_audited(public_case, comanager,
                                                                                  security_admin):
    client = signed_in(security_admin)
    assert client.get("/security/personal/").status_code == 200

    response = client.post("/security/personal/", {"step": "lookup", "contact": "+86 138 1234 5678"})

    assert response.status_code == 200
    html = response.content.decode()
    assert public_case.number in html and MASKED in html and "王**" in html
    assert REPORTER_PHONE not in html.replace('value="+86 138 1234 5678"', "") and REPORTER_NAME not in html
    assert response.context["found"]["counts"] == {"cases": 1, "comanagers": 1, "messages": 0}
    entry = AuditEntry.objects.get(action="personal_data_lookup")
    assert entry.actor_id == security_admin.pk
    assert entry.data == {"contact": MASKED, "cases": 1, "comanagers": 1, "messages": 0}


def test_the_security_administrator_erases_a_person_on_request_with_a_reason(public_case, comanager,
                                                                            security_admin):
    message_queue(key="test:4:sms", channel="sms", to=REPORTER_PHONE, template="received", text="已收到",
                  case_number=public_case.number)
    client = signed_in(security_admin)

    refused = client.post("/security/personal/", {"step": "erase", "contact": REPORTER_PHONE, "reason": ""})
    assert refused.status_code == 400 and Case.objects.get(pk=public_case.pk).reporter_phone == REPORTER_PHONE

    response = client.post("/security/personal/", {"step": "erase", "contact": REPORTER_PHONE, "confirm": "on",
                                                   "reason": "本人书面申请删除，2026-12-01"})

    assert response.status_code == 200
    case = Case.objects.get(pk=public_case.pk)
    assert (case.reporter_name, case.reporter_phone, case.reporter_email) == ("", "", "")
    assert case.personal_data_erased_at is not None
    assert CoManager.objects.get().phone == ""
    message = Message.objects.get()
    assert (message.to, message.status) == ("", MessageStatus.SKIPPED_OPT_OUT)
    entry = AuditEntry.objects.get(action="personal_data_erased")
    assert entry.actor_id == security_admin.pk
    assert entry.data == {"contact": MASKED, "reason": "本人书面申请删除，2026-12-01", "cases": 1, "comanagers": 1,
                          "messages": 1}
    assert personal.personal_data_find(contact=REPORTER_PHONE).counts == {"cases": 0, "comanagers": 0, "messages": 0}


@pytest.mark.parametrize("who", ["street_staff", "grid_worker", "agency_head", "district_command", "audit_admin"])
def test_nobody_else_reaches_the_personal_data_pages(request, district, public_case, who):
    user = (make_user("audit-admin", Role.AUDIT_ADMIN, [district]) if who == "audit_admin"
            else request.getfixturevalue(who))
    client = signed_in(user)

    assert client.get("/security/personal/").status_code == 403
    assert client.post("/security/personal/", {"step": "erase", "contact": REPORTER_PHONE, "confirm": "on",
                                                "reason": "x"}).status_code == 403
    assert Case.objects.get(pk=public_case.pk).reporter_phone == REPORTER_PHONE
    assert not AuditEntry.objects.filter(action__in=["personal_data_lookup", "personal_data_erased"]).exists()


def test_a_visitor_is_sent_to_sign_in():
    response = Client().get("/security/personal/")
    assert response.status_code == 302 and "/login/" in response["Location"]
