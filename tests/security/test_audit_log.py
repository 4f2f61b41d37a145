"""The security audit log (安全审计): a row for every change of accounts, role groups, permissions and
memberships, for every admin change and every export; append-only in PostgreSQL; read, searched and
exported by the audit administrator only.

Logins, lockouts and tokens (tests/security/test_identity*.py) and unmasked personal data
(tests/security/test_personal*.py) are audited elsewhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from assessment.models import Result, Round, RoundStatus, UnitKind
from dispatch.models import Category
from haidian import audit
from haidian.audit import Action
from haidian.calendar import SHANGHAI
from haidian.models import AuditEntry
from haidian.permissions import Role
from people.models import Membership
from people.services import Grant, membership_grant, membership_revoke, memberships_grant
from tests.conftest import make_user
from tests.dispatch.conftest import (  # noqa: F401  the case workflow's fixtures
    category,
    make_case,
    reported_case,
    work_area,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]
BOM = "\ufeff"


def rows(action: str, **match) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, **match).order_by("id"))


def only(action: str, **match) -> AuditEntry:
    found = rows(action, **match)
    assert len(found) == 1, f"{len(found)} rows of {action} {match}: {found}"
    return found[0]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def audit_admin(district):
    return make_user("audit-admin", Role.AUDIT_ADMIN, [district])


@pytest.fixture
def security_admin(district):
    return make_user("security-admin", Role.SECURITY_ADMIN, [district])


@pytest.fixture
def system_admin(district):
    return make_user("system-admin", Role.SYSTEM_ADMIN, [district])


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="pw-root-installation")


@pytest.fixture
def request_by():
    """A request served for `user` from `address`, as AuditContextMiddleware makes it current."""

    def make(user, address="10.1.2.3"):
        request = RequestFactory().get("/", REMOTE_ADDR=address)
        request.user = user
        return audit.serving(request)

    return make


# --- accounts ----------------------------------------------------------------------------------------

def test_creating_a_user_is_recorded_with_who_created_it(security_admin, request_by):
    with request_by(security_admin):
        user = User.objects.create_user("new-staff", password="pw-new-staff-1!")

    entry = only(Action.USER_CREATED, object_id=str(user.pk))
    assert (entry.object_type, entry.object_repr) == ("auth.user", "new-staff")
    assert (entry.actor_id, entry.actor_username, entry.address) == (security_admin.pk, "security-admin", "10.1.2.3")
    assert entry.actor_unit.endswith("海淀区")
    assert entry.data == {"username": "new-staff", "is_active": True, "is_staff": False, "is_superuser": False}


def test_changing_what_matters_of_a_user_is_recorded_with_before_and_after(street_staff, system_admin, request_by):
    street_staff.is_staff, street_staff.is_active, street_staff.username = True, False, "renamed-staff"
    with request_by(system_admin):
        street_staff.save()

    entry = only(Action.USER_CHANGED, object_id=str(street_staff.pk))
    assert entry.data == {"changed": {"is_staff": [False, True], "is_active": [True, False],
                                      "username": ["street-staff", "renamed-staff"]}}
    assert entry.actor_username == "system-admin"


def test_making_a_superuser_is_recorded(street_staff):
    street_staff.is_superuser = True
    street_staff.save()

    entry = only(Action.USER_CHANGED, object_id=str(street_staff.pk))
    assert entry.data == {"changed": {"is_superuser": [False, True]}}


def test_saving_other_fields_of_a_user_writes_no_row(street_staff, django_assert_num_queries):
    street_staff.first_name = "张"
    street_staff.save()
    with django_assert_num_queries(1):  # the login's last_login: no read of the old row, no audit row
        street_staff.save(update_fields=["last_login"])

    assert not rows(Action.USER_CHANGED) and not rows(Action.PASSWORD_CHANGED)


def test_a_password_change_is_recorded_without_its_hash(street_staff, request_by):
    street_staff.set_password("a-new-Passw0rd!")
    with request_by(street_staff):
        street_staff.save()

    entry = only(Action.PASSWORD_CHANGED, object_id=str(street_staff.pk))
    assert entry.data == {"usable": True} and entry.actor_username == "street-staff"
    stored = json.dumps([entry.data, entry.object_repr])
    assert street_staff.password not in stored and "md5" not in stored
    assert not rows(Action.USER_CHANGED)


def test_deleting_a_user_is_recorded_and_their_memberships_revoked(street_staff, street):
    pk = street_staff.pk
    street_staff.delete()

    assert only(Action.USER_DELETED, object_id=str(pk)).object_repr == "street-staff"
    revoked = only(Action.ROLE_REVOKED)
    assert revoked.data["role"] == Role.STREET_STAFF and revoked.data["unit"] == f"{street.code} {street.name}"


# --- role groups and permissions ------------------------------------------------------------------------

def test_group_membership_changes_are_recorded_from_either_side(street_staff):
    helpers, readers = Group.objects.create(name="helpers"), Group.objects.create(name="readers")
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    street_staff.groups.add(helpers, readers)
    helpers.user_set.remove(street_staff)
    street_staff.groups.clear()

    changes = [entry.data for entry in AuditEntry.objects.filter(
        id__gt=start, action=Action.PERMISSION_CHANGED, object_type="auth.user", object_id=str(street_staff.pk),
    ).order_by("id")]
    assert changes == [
        {"relation": "groups", "added": ["helpers", "readers"]},
        {"relation": "groups", "removed": ["helpers"]},
        {"relation": "groups", "removed": ["readers", Role.STREET_STAFF.value]},
    ]


def test_direct_permissions_of_a_user_are_recorded(street_staff):
    permission = Permission.objects.get(codename="change_category")
    street_staff.user_permissions.add(permission)
    street_staff.user_permissions.remove(permission)

    assert [entry.data for entry in rows(Action.PERMISSION_CHANGED, object_type="auth.user")
            if entry.data["relation"] == "user_permissions"] == [
        {"relation": "user_permissions", "added": ["dispatch.change_category"]},
        {"relation": "user_permissions", "removed": ["dispatch.change_category"]},
    ]


def test_permissions_of_a_group_are_recorded(db):
    group = Group.objects.create(name="editors")
    permission = Permission.objects.get(codename="change_category")
    group.permissions.add(permission)
    permission.group_set.remove(group)

    assert [entry.data for entry in rows(Action.PERMISSION_CHANGED, object_type="auth.group",
                                         object_id=str(group.pk))] == [
        {"relation": "permissions", "added": ["dispatch.change_category"]},
        {"relation": "permissions", "removed": ["dispatch.change_category"]},
    ]


# --- memberships ------------------------------------------------------------------------------------------

def test_a_membership_granted_and_revoked_through_the_services_is_recorded(grid, security_admin, request_by):
    user = make_user("new-worker")
    with request_by(security_admin, "10.9.8.7"):
        membership = membership_grant(user=user, role=Role.GRID_WORKER, unit=grid)
        pk = membership.pk
        membership_revoke(membership=membership)

    granted, revoked = only(Action.ROLE_GRANTED, object_id=str(pk)), only(Action.ROLE_REVOKED, object_id=str(pk))
    facts = {"user_id": user.pk, "username": "new-worker", "role": "grid_worker", "unit_type": "grid",
             "unit_id": grid.pk, "unit": f"{grid.code} {grid}"}
    assert granted.data == facts and revoked.data == facts
    assert granted.object_type == "people.membership"
    assert granted.object_repr == f"new-worker · 网格员 · {grid.code} {grid}"
    assert (granted.actor_username, granted.address) == ("security-admin", "10.9.8.7")
    # The role group that goes with it is a change of permissions too.
    assert [entry.data for entry in rows(Action.PERMISSION_CHANGED, object_type="auth.user",
                                         object_id=str(user.pk))] == [
        {"relation": "groups", "added": ["grid_worker"]}, {"relation": "groups", "removed": ["grid_worker"]}]


def test_granting_a_membership_held_already_writes_no_row(street_staff, street):
    before = AuditEntry.objects.count()
    membership_grant(user=street_staff, role=Role.STREET_STAFF, unit=street)
    assert AuditEntry.objects.count() == before


def test_memberships_granted_in_bulk_leave_one_row_for_the_batch(grid, street):
    first, second = make_user("bulk-1"), make_user("bulk-2")
    memberships_grant(grants=[Grant(first, Role.GRID_WORKER, grid), Grant(second, Role.GRID_WORKER, grid),
                              Grant(second, Role.STREET_STAFF, street)])

    entry = only(Action.ROLE_GRANTED, data__bulk=True)
    assert entry.data == {"bulk": True, "asked": 3, "roles": {"grid_worker": 2, "street_staff": 1}}


def test_a_membership_granted_and_revoked_in_the_admin_is_recorded_with_the_administrator(root, street):
    user = make_user("admin-made")
    client = signed_in(root)

    added = client.post("/admin/people/membership/add/", {
        "user": user.pk, "role": Role.STREET_STAFF, "street": street.pk, "title": "", "duty": "", "public_phone": "",
        "_save": "Save"}, REMOTE_ADDR="10.0.0.5")
    assert added.status_code == 302, added.content.decode()[:2000]
    membership = Membership.objects.get(user=user)
    deleted = client.post(f"/admin/people/membership/{membership.pk}/delete/", {"post": "yes"}, REMOTE_ADDR="10.0.0.5")
    assert deleted.status_code == 302

    for action in (Action.ROLE_GRANTED, Action.ROLE_REVOKED):
        entry = only(action, object_id=str(membership.pk))
        assert (entry.actor_username, entry.actor_unit, entry.address) == ("root", "superuser", "10.0.0.5")
        assert entry.data["unit"] == f"{street.code} {street.name}" and entry.data["role"] == Role.STREET_STAFF
    changes = rows(Action.ADMIN_CHANGE, object_type="people.membership", object_id=str(membership.pk))
    assert [entry.data["action"] for entry in changes] == ["add", "delete"]


# --- the admin ---------------------------------------------------------------------------------------------

def test_a_change_in_the_admin_is_recorded_with_its_message(root):
    client = signed_in(root)
    permission = Permission.objects.get(codename="view_category")

    response = client.post("/admin/auth/group/add/", {"name": "category-readers", "permissions": [permission.pk],
                                                      "_save": "Save"}, REMOTE_ADDR="10.0.0.6")

    assert response.status_code == 302
    group = Group.objects.get(name="category-readers")
    change = only(Action.ADMIN_CHANGE, object_type="auth.group")
    assert (change.object_id, change.object_repr, change.actor_username, change.address) == (
        str(group.pk), "category-readers", "root", "10.0.0.6")
    assert change.data["action"] == "add" and change.data["content_type"] == "auth.group"
    assert change.data["log_entry"] == LogEntry.objects.get(object_id=str(group.pk), content_type__model="group").pk
    assert change.data["change_message"] == "已添加。"
    assert only(Action.PERMISSION_CHANGED, object_type="auth.group", object_id=str(group.pk)).data == {
        "relation": "permissions", "added": ["dispatch.view_category"]}


def test_deleting_several_objects_at_once_in_the_admin_records_each(root, work_area):  # noqa: F811
    first = Category.objects.create(code="T9801", name="一", parent=work_area)
    second = Category.objects.create(code="T9802", name="二", parent=work_area)

    response = signed_in(root).post("/admin/dispatch/category/", {
        "action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"})

    assert response.status_code == 302
    deleted = rows(Action.ADMIN_CHANGE, object_type="dispatch.category")
    assert sorted(entry.object_id for entry in deleted) == sorted([str(first.pk), str(second.pk)])
    assert {entry.data["action"] for entry in deleted} == {"delete"}
    assert {entry.actor_username for entry in deleted} == {"root"}


def test_an_export_from_an_admin_list_is_recorded(root):
    client = signed_in(root)
    page = client.get("/admin/auth/user/export/")
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data.update({"format": "0", "resource": form.fields["resource"].initial or "0"} if "resource" in form.fields
                else {"format": "0"})
    data = {name: ("on" if value is True else value) for name, value in data.items() if value is not False}

    response = client.post("/admin/auth/user/export/", data)

    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    entry = only(Action.EXPORT, data__via="admin")
    assert entry.data["what"] == "auth.user" and entry.data["format"] == "csv"
    assert entry.actor_username == "root"


# --- exports ---------------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("reported_case")
def test_the_case_csv_export_of_the_api_is_recorded(api, street_staff):
    response = api.as_user(street_staff).get("/api/v1/cases/export/?format=csv&status=reported",
                                             REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 200 and b"".join(response.streaming_content).count(b"\n") == 2
    entry = only(Action.EXPORT)
    assert entry.data == {"what": "cases", "format": "csv", "via": "api", "filters": {"status": "reported"}}
    assert (entry.actor_username, entry.address, entry.outcome) == ("street-staff", "10.0.0.7", "ok")


@pytest.mark.usefixtures("reported_case")
def test_the_case_excel_export_of_the_api_is_recorded(api, street_staff):
    response = api.as_user(street_staff).get("/api/v1/cases/export.xlsx")

    assert response.status_code == 200
    assert only(Action.EXPORT).data == {"what": "cases", "format": "xlsx", "via": "api", "filters": {}}


@pytest.mark.usefixtures("reported_case")
def test_the_workbench_exports_are_recorded(street_staff, street):
    client = signed_in(street_staff)

    assert client.get(f"/workbench/export.csv?street={street.code}&queue=reported").status_code == 200
    assert client.get(f"/workbench/export.xlsx?street={street.code}").status_code == 200

    assert [entry.data for entry in rows(Action.EXPORT)] == [
        {"what": "cases", "format": "csv", "via": "workbench", "filters": {"street": street.code, "queue": "reported"}},
        {"what": "cases", "format": "xlsx", "via": "workbench", "filters": {"street": street.code}},
    ]


def test_a_refused_export_writes_no_export_row(api, street_staff):
    assert api.as_user(street_staff).get("/api/v1/cases/export/?format=pdf").status_code == 404
    assert not rows(Action.EXPORT)


def test_the_assessment_results_export_is_recorded(api, district_command, street):
    round_ = Round.objects.create(period="2025H2", status=RoundStatus.PUBLISHED, version=1, published_version=1,
                                  published_at=dt.datetime(2026, 1, 20, 10, tzinfo=SHANGHAI))
    Result.objects.create(round=round_, version=1, kind=UnitKind.STREET, unit_id=street.pk, unit_code=street.code,
                          unit_name=street.name, total=90.0, rank=1, grade="A", indicators={}, breakdown={})

    response = api.as_user(district_command).get("/api/v1/rounds/2025H2/results.xlsx")

    assert response.status_code == 200
    entry = only(Action.EXPORT, object_type="assessment.round")
    assert entry.object_id == str(round_.pk) and entry.actor_username == "district-command"
    assert entry.data == {"what": "assessment_results", "format": "xlsx", "via": "api", "period": "2025H2",
                          "version": 1, "people_named": True}


# --- append-only --------------------------------------------------------------------------------------------------

def test_the_database_refuses_to_update_or_delete_a_row(street_staff):
    entry = audit.record(Action.EXPORT, actor=street_staff, data={"what": "cases"})

    for statement in ("UPDATE haidian_auditentry SET outcome = 'failed' WHERE id = %s",
                      "DELETE FROM haidian_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(outcome="failed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()

    assert AuditEntry.objects.get(pk=entry.pk).outcome == "ok"


def test_a_row_holds_no_nul_or_lone_surrogate_and_no_forged_address(street_staff):
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-address")
    request.user = street_staff

    entry = audit.record(Action.EXPORT, request=request, data={"filters": {"q": "a\x00b\ud800"}})

    assert AuditEntry.objects.get(pk=entry.pk).data == {"filters": {"q": "a\ufffdb\ufffd"}}
    assert entry.address is None


def test_the_retention_setting_refuses_less_than_six_months():
    def load(**env):
        return subprocess.run([sys.executable, "-c", "import haidian.settings as s; print(s.AUDIT_RETENTION_DAYS)"],
                              cwd=ROOT, env={"PATH": "/usr/bin:/bin", "HAIDIAN_ENV": "test", **env},
                              capture_output=True, text=True)

    assert load().stdout.strip() == "180"
    assert load(AUDIT_RETENTION_DAYS="400").stdout.strip() == "400"
    short = load(AUDIT_RETENTION_DAYS="90")
    assert short.returncode != 0 and "AUDIT_RETENTION_DAYS" in short.stderr


# --- the audit administrator's page ----------------------------------------------------------------------------

def entry_at(at: dt.datetime, **fields) -> AuditEntry:
    return AuditEntry.objects.create(at=at, **{"action": Action.EXPORT, "actor_username": "someone", **fields})


@pytest.fixture
def some_entries(db):
    """Rows spread over two Shanghai days, one each of a few logins, actions, outcomes and addresses."""
    return {
        "late": entry_at(dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI), actor_username="wang",
                         action=Action.LOGIN_FAILED, outcome="failed", address="10.1.1.1"),
        "early": entry_at(dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI), actor_username="li",
                          action=Action.ROLE_GRANTED, object_type="people.membership", object_id="77",
                          object_repr="li · 网格员", address="10.2.2.2"),
        "next": entry_at(dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI), actor_username="wang",
                         action=Action.EXPORT, address="10.1.1.1", object_repr="=HYPERLINK(\"x\")",
                         data={"what": "cases", "format": "csv"}),
    }


def shown(response) -> list[int]:
    assert response.status_code == 200, response.content.decode()[:500]
    return [entry.pk for entry in response.context["entries"]]


@pytest.mark.parametrize("query, expected", [
    ("", ["next", "early", "late"]),
    ("actor=wang", ["next", "late"]),
    ("action=role_granted", ["early"]),
    ("outcome=failed", ["late"]),
    ("object_type=people.membership&object_id=77", ["early"]),
    ("object_id=78", []),
    ("address=10.1.1.1", ["next", "late"]),
    ("date_from=2026-03-02&date_to=2026-12-31", ["next", "early"]),
    ("date_to=2026-03-01", ["late"]),  # 23:30 in Shanghai is still the 1st (15:30 UTC)
    ("date_from=2026-03-02&date_to=2026-03-02", ["early"]),  # 00:30 in Shanghai is the 2nd (16:30 UTC on the 1st)
    ("actor=wang&action=export", ["next"]),
])
def test_the_page_searches_by_each_filter(audit_admin, some_entries, query, expected):
    found = shown(signed_in(audit_admin).get(f"/security/audit/?{query}"))
    # Rows written now (the fixtures' accounts and roles) are newer than these and may come first.
    assert [pk for pk in found if pk in {entry.pk for entry in some_entries.values()}] == [
        some_entries[name].pk for name in expected]


def test_the_page_is_in_chinese_and_shows_each_row(audit_admin, some_entries):
    page = signed_in(audit_admin).get("/security/audit/?actor=li").content.decode()

    with translation.override("zh-hans"):
        title, label = str(_("Audit log")), str(Action.ROLE_GRANTED.label)
    assert f"<h1>{title}</h1>" in page and f"<td>{label}</td>" in page
    assert "li · 网格员" in page and "10.2.2.2" in page and "2026-03-02 00:30:00" in page


def test_a_bad_search_answers_400(audit_admin):
    client = signed_in(audit_admin)
    assert client.get("/security/audit/?address=not-an-ip").status_code == 400
    assert client.get("/security/audit/?date_from=2026-03-05&date_to=2026-03-01").status_code == 400
    assert client.get("/security/audit/?date_from=yesterday").status_code == 400
    assert client.get("/security/audit/?cursor=1.x").status_code == 400
    assert client.get("/security/audit/?action=dance").status_code == 400


def test_the_page_shows_fifty_rows_and_pages_by_keyset(audit_admin, django_assert_max_num_queries):
    moment = dt.datetime(2025, 6, 1, 12, tzinfo=SHANGHAI)
    made = [entry_at(moment + dt.timedelta(seconds=index // 2), actor_username="pager") for index in range(73)]
    client = signed_in(audit_admin)

    first = client.get("/security/audit/?actor=pager")
    second = client.get("/security/audit/?" + first.context["next_query"])

    newest_first = [entry.pk for entry in sorted(made, key=lambda entry: (entry.at, entry.pk), reverse=True)]
    assert shown(first) == newest_first[:50] and shown(second) == newest_first[50:]
    assert second.context["next_query"] is None
    # The session, the user, the scope, the notifications badge and one page of rows; no count(*).
    with django_assert_max_num_queries(6) as captured:
        client.get("/security/audit/?" + first.context["next_query"])
    assert not any("COUNT(" in query["sql"].upper() and "haidian_auditentry" in query["sql"]
                   for query in captured.captured_queries)


def test_the_export_is_the_filtered_list_with_formulas_neutralised_and_is_itself_recorded(audit_admin,
                                                                                         some_entries):
    response = signed_in(audit_admin).get("/security/audit/export.csv?actor=wang", REMOTE_ADDR="10.3.3.3")

    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith(BOM)
    lines = list(csv.reader(io.StringIO(body[len(BOM):], newline="")))
    assert lines[0] == ["时间", "用户", "单位", "地址", "操作", "结果", "对象类型", "对象编号", "对象", "详情"]
    assert [line[0] for line in lines[1:]] == ["2026-03-03 09:00:00", "2026-03-01 23:30:00"]
    exported = lines[1]
    with translation.override("zh-hans"):
        ok, failed = str(audit.Outcome.OK.label), str(Action.LOGIN_FAILED.label)
    assert exported[1] == "wang" and exported[3] == "10.1.1.1" and exported[5] == ok
    assert exported[8] == "'=HYPERLINK(\"x\")"  # a formula made plain text, as the case export does
    assert json.loads(exported[9]) == {"format": "csv", "what": "cases"}
    assert lines[2][4] == failed

    entry = only(Action.AUDIT_EXPORTED)
    assert (entry.actor_username, entry.address) == ("audit-admin", "10.3.3.3")
    assert entry.data == {"what": "audit_log", "format": "csv", "filters": {"actor": "wang"}}


def test_a_superuser_reads_the_log_too(root, some_entries):
    assert signed_in(root).get("/security/audit/").status_code == 200


@pytest.mark.parametrize("who", ["street_staff", "grid_worker", "district_command", "security_admin", "system_admin"])
def test_nobody_else_reads_the_log_and_trying_is_recorded(request, who):
    user = request.getfixturevalue(who)
    client = signed_in(user)

    page, export = client.get("/security/audit/"), client.get("/security/audit/export.csv")

    assert page.status_code == 403 and export.status_code == 403
    assert not rows(Action.AUDIT_EXPORTED)
    refused = rows(Action.AUDIT_READ_REFUSED, actor_id=user.pk)
    assert [(entry.outcome, entry.data["path"]) for entry in refused] == [
        ("denied", "/security/audit/"), ("denied", "/security/audit/export.csv")]


def test_anonymous_readers_are_sent_to_the_login_page(client):
    for path in ("/security/audit/", "/security/audit/export.csv"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_audit_administrator_finds_the_log_in_the_header(audit_admin, street_staff):
    assert 'href="/security/audit/"' in signed_in(audit_admin).get("/").content.decode()
    assert 'href="/security/audit/"' not in signed_in(street_staff).get("/").content.decode()


# --- the Django admin --------------------------------------------------------------------------------------------

def test_the_admin_shows_the_log_read_only_to_the_audit_administrator(audit_admin, security_admin, some_entries):
    for user in (audit_admin, security_admin):
        user.is_staff = True
        user.save()
    auditor, other = signed_in(audit_admin), signed_in(security_admin)
    entry = some_entries["early"]

    assert auditor.get("/admin/haidian/auditentry/").status_code == 200
    assert auditor.get(f"/admin/haidian/auditentry/{entry.pk}/change/").status_code == 200
    assert auditor.get("/admin/haidian/auditentry/add/").status_code == 403
    assert auditor.post(f"/admin/haidian/auditentry/{entry.pk}/change/", {"outcome": "ok"}).status_code == 403
    assert auditor.post(f"/admin/haidian/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert other.get("/admin/haidian/auditentry/").status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).outcome == "ok"


def test_even_a_superuser_cannot_change_or_delete_in_the_admin(root, some_entries):
    client, entry = signed_in(root), some_entries["late"]

    assert client.get("/admin/haidian/auditentry/").status_code == 200
    assert client.post(f"/admin/haidian/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/haidian/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk],
                                                      "post": "yes"}).status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
