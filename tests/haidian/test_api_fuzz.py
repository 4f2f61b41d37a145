"""A whole-API fuzz (issue 17): schemathesis generates requests from /api/schema/ for every operation
and sends them in-process, through the WSGI application, as three roles — the home street's staff,
the head of its police station, the district command center — against a small street built through
the services (cases and tasks in every state, letters, rounds open and published, meetings,
co-managers, work access, supervision…).

Each response must be no server error, of a status code the operation documents, in its
documented media type and shape; and a request the schema calls valid must not be refused as bad
input (400). Requests the schema calls invalid are sent too (negative data): they must not break
anything, but whether each is refused is not checked — DRF takes some on purpose (an unknown
`page_size` falls back to the default), and haidian.inputs' tests hold the refusals that matter.

What a schema cannot say — that a code names an object that exists and the caller can see, that a
moment lies in the future, a point in a grid, that an action needs its object in a certain state —
the fuzz learns from the street: schemathesis' parameter dictionaries bind those fields to real
values (FIELD_VALUES, PATH_VALUES, OPERATION_VALUES) in positive requests, and a few rules between
fields that the operations' descriptions state are applied to positive requests by STEERING.

Every example runs in a savepoint rolled back afterwards: each request meets the same street. The
hypothesis settings are derandomized, so a run is the same run in CI and on a laptop; a failure
names the operation and the role, with a curl command to replay it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from agencies.models import Agency, Department, District, ManagementMode, Street
from appointments import services as appointments
from appointments.models import Position
from assessment import compute
from assessment import services as assessment
from assessment.models import Evaluation, RatingInvitation, Round
from comanagers import services as comanagers
from comanagers.models import Deployment
from committees import services as committees
from committees.models import MeetingKind
from dispatch import services as dispatch
from dispatch.letters import services as letters
from dispatch.models import Case, Category, Priority, Satisfaction, Source, Task, TaskRole, TaskStatus
from dispatch.notices import NoticeKind
from dispatch.selectors import case_list
from grids.models import GridCell
from haidian.permissions import Role
from haidian.workflow import PUBLIC
from haidian.wsgi import application
from notifications.models import Notification
from notifications.services import Note, notify
from supervision import services as supervision
from supervision.models import BodyKind
from tests.comanagers.conftest import seeded_post
from tests.conftest import HOME_STREET, OTHER_STREET, make_user
from whistle import services as whistle
from workaccess import services as workaccess

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

ROLES = ("street_staff", "agency_head", "district_command")
# Generated requests per operation and role (positive and negative together): ~4,300 in all, about
# 45 s per role on two cores. The suite's time budget decides; more finds more.
EXAMPLES_PER_OPERATION = 10

# Checks on every response. Not the ones that send more requests of their own (ignored_auth,
# use_after_free…): the run's time goes to generated requests.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.positive_data_acceptance,
]


@dataclass
class HomeStreet:
    """The home street's objects, by kind, and the values of the fields that name them."""

    users: dict = field(default_factory=dict)
    district_cases: set = field(default_factory=set)
    visible: dict[str, dict[str, list]] = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    values: dict[str, list] = field(default_factory=dict)

    def add(self, kind: str, *values) -> None:
        self.values.setdefault(kind, [])
        self.values[kind] += [value for value in values if value not in self.values[kind]]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def build_street() -> HomeStreet:
    """The home street, one object of each kind in each state the API moves it through."""
    data = HomeStreet()
    now = timezone.now()
    district = District.objects.get(code="110108")
    street, other_street = Street.objects.get(code=HOME_STREET), Street.objects.get(code=OTHER_STREET)
    grid = GridCell.objects.filter(community__street=street).order_by("code").first()
    other_grid = GridCell.objects.filter(community__street=other_street).order_by("code").first()
    pcs, squad = Agency.objects.get(code=f"{HOME_STREET}-pcs"), Agency.objects.get(code=f"{HOME_STREET}-cgfd")
    police = Department.objects.get(code="110108-ga")
    staff = make_user("fuzz-street-staff", Role.STREET_STAFF, [street])
    colleague = make_user("fuzz-street-staff-2", Role.STREET_STAFF, [street])
    head = make_user("fuzz-agency-head", Role.AGENCY_HEAD, [pcs])
    command = make_user("fuzz-district-command", Role.DISTRICT_COMMAND, [district])
    worker = make_user("fuzz-grid-worker", Role.GRID_WORKER, [grid])
    department_admin = make_user("fuzz-department-admin", Role.DEPARTMENT_ADMIN, [police])
    secretary = make_user("fuzz-secretary")
    data.users = {"street_staff": staff, "agency_head": head, "district_command": command}
    data.tokens = {role: Token.objects.create(user=user).key for role, user in data.users.items()}

    category = Category.objects.filter(parent__isnull=False, default_agency_kind="pcs").order_by("code").first()

    def report(title: str, at: GridCell = grid) -> Case:
        return dispatch.case_create(actor=worker, title=title, lat=at.centroid_lat, lng=at.centroid_lng,
                                    source=Source.GRID_PATROL, reporter_phone="13812345678",
                                    reporter_name="王先生")

    def dispatched(title: str) -> Case:
        case = dispatch.case_file(case=report(title), actor=staff, category=category)
        return dispatch.case_dispatch(case=case, actor=staff, lead=pcs.code, cooperating=[squad.code])

    def lead(case: Case) -> Task:
        return Task.objects.get(case=case, role=TaskRole.LEAD, status__in=TaskStatus.active_values())

    reported = report("人行道井盖丢失")
    filed = dispatch.case_file(case=report("路灯夜间不亮"), actor=staff, category=category)
    waiting = dispatched("早市菜摊占道经营")
    accepted = dispatched("楼顶私搭彩钢房")
    dispatch.task_accept(task=lead(accepted), actor=head)
    returning = dispatched("共享单车乱停")
    dispatch.task_return(task=lead(returning), actor=head, reason="不属于本所职责")
    extending = dispatched("噪声扰民")
    dispatch.task_accept(task=lead(extending), actor=head)
    dispatch.task_request_extension(task=lead(extending), actor=head, until=now + dt.timedelta(days=20),
                                    reason="需协调产权单位")
    responded = dispatched("路面坑洼")
    dispatch.task_respond(task=lead(responded), actor=head, result="已修补")
    closed = dispatched("垃圾桶满溢无人清理")
    dispatch.task_respond(task=lead(closed), actor=head, result="已清运")
    dispatch.case_verify(case=closed, actor=staff, passed=True)
    dissatisfied = dispatched("餐馆油烟直排")
    dispatch.task_respond(task=lead(dissatisfied), actor=head, result="已责令整改")
    dispatch.case_verify(case=dissatisfied, actor=staff, passed=True)
    dispatch.case_rate(case=dissatisfied, actor=PUBLIC, satisfaction=Satisfaction.DISSATISFIED, comment="没有整改",
                       invitation=RatingInvitation.objects.get(case=dissatisfied))
    rejected = dispatch.case_reject(case=report("重复上报"), actor=staff, reason="重复")
    escalated = dispatch.case_escalate(case=dispatch.case_file(case=report("下凹桥积水"), actor=staff,
                                                               category=category), actor=staff, reason="跨街道")
    critical = dispatch.case_file(case=report("燃气泄漏"), actor=staff, category=category, priority=Priority.CRITICAL)
    elsewhere = report("别的街道的案卷", at=other_grid)
    cases = [reported, filed, waiting, accepted, returning, extending, responded, closed, dissatisfied, rejected,
             escalated, critical]
    data.add("case", *(case.number for case in cases), elsewhere.number)
    data.add("home_case", *(case.number for case in cases))
    numbers = [case.number for case in cases]
    # Bodies name cases the caller can see (else "no such case in your area", 400).
    data.visible = {role: {"home_case": list(case_list(user=user).filter(number__in=numbers).order_by("number")
                                             .values_list("number", flat=True))}
                    for role, user in data.users.items()}
    data.district_cases = {escalated.number}
    data.add("task", *Task.objects.filter(case__in=cases).order_by("id").values_list("id", flat=True))
    # Objects by the state an action starts from, so that most of its examples find one that can move.
    for state, state_cases in {"reported": [reported], "filed": [filed, critical], "dispatched": [waiting, accepted],
                               "responded": [responded], "closed": [closed, dissatisfied],
                               "dissatisfied": [dissatisfied], "district": [escalated], "critical": [critical]}.items():
        data.add(f"case_{state}", *(case.number for case in state_cases))
    for state, case in {"dispatched": waiting, "accepted": accepted, "returning": returning,
                        "extending": extending}.items():
        data.add(f"task_{state}", lead(case).pk)

    letter = letters.letter_issue(actor=staff, agency=pcs, cases=[waiting], requirement="三日内清理占道摊点")
    answered = letters.letter_issue(actor=staff, agency=pcs, cases=[accepted], requirement="限期拆除")
    letters.letter_acknowledge(letter=answered, actor=head)
    letters.letter_answer(letter=answered, actor=head, answer="已拆除")
    told = letters.letter_issue(actor=staff, agency=pcs, cases=[closed], requirement="限期清运")
    letters.letter_acknowledge(letter=told, actor=head)
    letters.letter_answer(letter=told, actor=head, answer="已清运")
    letters.letter_feedback(letter=told, actor=staff, note="已告知反映人")
    data.add("letter", letter.pk, answered.pk, told.pk)

    summons = whistle.summons_create(case=accepted, actor=staff, units=[pcs.code], minutes=30)
    data.add("summons", summons.pk)

    draft = assessment.round_create(actor=command, period="2027H1")
    rating = assessment.round_open(round=assessment.round_create(actor=command, period="2026H2"), actor=command,
                                   closes_at=now + dt.timedelta(days=7))
    # A round computed and published: its results, their drill-down and the Excel file.
    assessed = assessment.round_open(round=assessment.round_create(actor=command, period="2026H1"), actor=command,
                                     closes_at=now + dt.timedelta(days=7))
    assessment.round_close(round=assessed, actor=command)
    assessment.round_compute(round=assessed, actor=command)
    compute.run(assessed.pk)
    assessed = assessment.round_publish(round=Round.objects.get(pk=assessed.pk), actor=command)
    data.add("round", draft.period, rating.period, assessed.period)
    data.add("result_kind", "street", "agency")
    data.add("result_unit", str(street.pk), str(pcs.pk))  # a path segment of digits
    data.add("evaluation", *Evaluation.objects.filter(round=rating).filter(
        Q(rater_kind="street", rater_id=street.pk) | Q(rater_kind="agency", rater_id=pcs.pk)
        | Q(rater_kind="district")).order_by("id").values_list("id", flat=True)[:20])
    # Recorded by one staff member, approved by another.
    award = assessment.award_record(actor=colleague, street=street, agency=pcs, amount=Decimal("5000"),
                                    reason="处置及时", year=now.year)
    data.add("award", award.pk)

    comanagers.quota_set(actor=command, street=street, year=now.year, count=5)
    post = seeded_post("public-security")
    comanager = comanagers.comanager_hire(actor=staff, street=street, post=post, name="李协管", phone="13900001111",
                                          deployment=Deployment.GRIDS, grids=[grid])
    data.add("comanager", comanager.pk)
    data.add("quota", *street.comanager_quotas.values_list("id", flat=True))

    meeting = committees.meeting_plan(actor=staff, street=street, kind=MeetingKind.JOINT_MEETING,
                                      held_at=now + dt.timedelta(days=3), title="占道经营联席会", agencies=[pcs, squad])
    held = committees.meeting_plan(actor=staff, street=street, kind=MeetingKind.AREA_COMMITTEE,
                                   held_at=now - dt.timedelta(days=3), title="地区管理委员会例会", agencies=[pcs])
    committees.meeting_hold(meeting=held, actor=staff, minutes="议定三项")
    decision = committees.decision_add(meeting=held, actor=staff, text="整治早市", responsible_agency=pcs)
    data.add("meeting", meeting.pk, held.pk)
    data.add("invited", pcs.code)
    data.add("decision", decision.pk)
    team = committees.team_create(actor=staff, street=street)
    member = committees.member_add(team=team, actor=staff, agency=pcs, person_name="张警官")
    data.add("team", team.pk)
    data.add("team_member", member.pk)

    appointment = appointments.appointment_propose(actor=department_admin, agency=pcs, street=street,
                                                   candidate_name="赵所长", position=Position.HEAD)
    data.add("appointment", appointment.pk)

    draft_request = workaccess.request_create(actor=department_admin, department=police, title="消防巡查",
                                              description="每月一次", powers="检查权", budget_yuan=Decimal("10000"),
                                              staff_count=2)
    approved = workaccess.request_create(actor=department_admin, department=police, title="群租房排查",
                                         description="每季度一次", powers="检查权", budget_yuan=Decimal("20000"),
                                         staff_count=1)
    workaccess.request_submit(request=approved, actor=department_admin)
    submitted = workaccess.request_create(actor=department_admin, department=police, title="校园周边安全",
                                          description="开学前后", powers="检查权", budget_yuan=Decimal("5000"),
                                          staff_count=1)
    workaccess.request_submit(request=submitted, actor=department_admin)
    workaccess.request_decide(request=approved, actor=command, approve=True, meeting_reference="区委常委会〔2026〕3号")
    assignment = workaccess.request_assign(request=approved, actor=command, streets=[street])[0]
    data.add("access_request", draft_request.pk, approved.pk, submitted.pk)
    data.add("street_task", assignment.pk)
    matter = workaccess.matter_create(actor=command, department=police, code="WT-001", title="占道经营处罚",
                                      legal_basis="《北京市市容环境卫生条例》", valid_from=now.date())
    action = workaccess.action_record(actor=staff, matter=matter, street=street, description="处罚占道摊点")
    data.add("matter", matter.pk)
    data.add("matter_code", matter.code)
    data.add("delegated_action", action.pk)

    body = supervision.body_create(actor=staff, street=street, kind=BodyKind.DEMOCRATIC_COMMITTEE)
    body_member = supervision.member_add(body=body, actor=staff, name="王秘书", user=secretary, is_secretary=True)
    data.add("body_member", body_member.pk)
    inquiry = supervision.inquiry_put(body=body, actor=staff, target=street.code, subject="占道经营",
                                      question="何时整治？")
    task = supervision.task_create(actor=command, year=now.year, code=f"{now.year}-01", title="背街小巷整治",
                                   owner=street.code, deadline=now.date() + dt.timedelta(days=60))
    data.add("body", body.pk)
    data.add("inquiry", inquiry.pk)
    data.add("workplan_task", task.pk)

    data.add("street", street.code, other_street.code)
    data.add("home_street", street.code)
    data.add("agency", pcs.code, squad.code)
    data.add("local_agency", *Agency.objects.filter(streets=street, management_mode=ManagementMode.LOCAL)
             .order_by("code").values_list("code", flat=True))
    data.add("past_date", (now - dt.timedelta(days=60)).date().isoformat())
    data.add("next_date", (now + dt.timedelta(days=1)).date().isoformat())
    data.add("street_body_kind", BodyKind.DEMOCRATIC_COMMITTEE.value)
    data.add("department", police.code)
    data.add("community", grid.community.code)
    data.add("grid", grid.code)
    data.add("leaf_category", category.code)
    data.add("category", category.code, category.parent.code)
    data.add("target", street.code, pcs.code)
    data.add("owner", street.code, police.code)
    data.add("summoned", pcs.code, police.code)
    data.add("commander", command.username)
    notify([Note([user.pk for user in data.users.values()], "fuzz", NoticeKind.LETTER, "限期函告", "请按时答复")], now)
    data.add("notification", *Notification.objects.filter(user__in=data.users.values()).order_by("id")
             .values_list("id", flat=True))
    data.add("post", post.code)
    data.add("username", secretary.username)
    data.add("lat", grid.centroid_lat)
    data.add("lng", grid.centroid_lng)
    data.add("future", (now + dt.timedelta(days=30)).isoformat(), (now + dt.timedelta(days=90)).isoformat())
    return data


@pytest.fixture(scope="module")
def home_street(django_db_setup, django_db_blocker):
    """The street, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_street()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def in_process():
    """Requests served by the WSGI application inside the test's transaction: Django's own test
    client does the same (the signal would close the connection, and the transaction with it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _dictionary(values: list) -> dict:
    return {"values": [value if isinstance(value, int | float) else str(value) for value in values]}


# What a field names, for the fields that name something the schema cannot list: schemathesis' positive
# requests take these from the dataset (a binding per field); negative ones are left to the generator.
FIELD_VALUES = {
    "path.number": "case", "path.period": "round",
    "body.lead": "agency", "body.cooperating[*]": "agency", "body.agency": "agency", "body.agencies[*]": "agency",
    "body.optional_agencies[*]": "agency", "body.responsible_agency": "agency", "body.attendance[*].agency": "agency",
    "body.street": "street", "body.streets[*]": "street", "body.category": "leaf_category",
    "body.cases[*]": "home_case", "body.duplicate_of": "home_case", "body.case_number": "home_case",
    "body.department": "department", "body.post": "post", "body.grids[*]": "grid", "body.matter": "matter_code",
    "body.body": "body", "body.user": "username", "body.placement_approver": "commander",
    "body.participants[*]": "team_member", "body.attendees[*]": "body_member", "body.target": "target",
    "body.owner": "owner", "body.units[*]": "summoned", "body.unit": "summoned", "body.task": "task",
    "body.lat": "lat", "body.lng": "lng", "query.lat": "lat", "query.lng": "lng",
    "path.kind": "result_kind", "path.unit_id": "result_unit",
    "body.due_at": "future", "body.deadline": "future", "body.until": "future", "body.closes_at": "future",
    "body.answer_due_at": "future",
    "query.street": "street", "query.grid": "grid", "query.category": "category", "query.case": "case",
    "query.community__code": "community", "query.street__code": "street",
    "query.community__street__code": "street",
}
# `{id}` and `{code}` name a different kind of object under each collection.
PATH_VALUES = {
    "tasks": "task", "letters": "letter", "appointments": "appointment", "awards": "award",
    "comanager-quotas": "quota", "comanagers": "comanager", "delegated-actions": "delegated_action",
    "delegated-matters": "matter", "evaluations": "evaluation", "inquiries": "inquiry", "joint-teams": "team",
    "meeting-decisions": "decision", "meetings": "meeting", "notifications": "notification",
    "street-tasks": "street_task", "summons": "summons", "supervision/bodies": "body",
    "work-access-requests": "access_request", "workplan/tasks": "workplan_task",
    "agencies": "agency", "categories": "category", "communities": "community", "departments": "department",
    "grids": "grid", "streets": "street",
}


# Actions on a case or a task, by the state they start from.
_CASE_ACTIONS = {
    "file": "reported", "reject": "reported", "resolve_on_site": "reported", "dispatch": "filed",
    "escalate": "filed", "send_down": "district", "acknowledge_alarm": "critical", "verify": "responded",
    "rate": "closed", "public_result": "closed", "reopen": "dissatisfied", "explain": "dissatisfied",
    "whistle": "dispatched", "attachments": "dispatched",
}
_TASK_ACTIONS = {
    "accept": "dispatched", "return": "dispatched", "respond": "accepted", "request_extension": "accepted",
    "approve_return": "returning", "refuse_return": "returning", "approve_extension": "extending",
}
# Fields whose valid values depend on the operation (a rule the operation's description states).
OPERATION_VALUES = {
    **{f"^/api/v1/cases/\\{{number\\}}/{verb}/$": {"path.number": f"case_{state}"}
       for verb, state in _CASE_ACTIONS.items()},
    **{f"^/api/v1/tasks/\\{{id\\}}/{verb}/$": {"path.id": f"task_{state}"} for verb, state in _TASK_ACTIONS.items()},
    # The street appoints directly the heads of its locally managed agencies only.
    "^/api/v1/appointments/appoint/$": {"body.agency": "local_agency", "body.street": "home_street"},
    # `until` comes after `since`.
    "^/api/v1/dashboard/summary/$": {"query.since": "past_date", "query.until": "next_date"},
    # The congresses and the villagers' assembly are a town's bodies; the fuzz's streets are streets.
    "^/api/v1/supervision/bodies/$": {"body.kind": "street_body_kind"},
    # Attendance is recorded for the agencies the meeting invited.
    "^/api/v1/meetings/\\{id\\}/attendance/$": {"body.attendance[*].agency": "invited", "path.id": "meeting"},
    # A street hires, awards, meets and supervises in its own street.
    "^/api/v1/(comanagers|awards|meetings|joint-teams|delegated-actions)/$": {"body.street": "home_street"},
}


def _binding(kind: str, probability: float = 1.0) -> dict:
    return {"dictionary": kind, "probability": probability}


def fuzz_config(data: HomeStreet, role: str) -> SchemathesisConfig:
    values = {**data.values, **data.visible[role]}
    # The first entry an operation matches is its own (schemathesis): the specific ones first.
    operations = [
        {"include-path-regex": path, "parameters": {
            name: _binding(kind, 0.8 if name.startswith("path.") else 1.0) for name, kind in bindings.items()}}
        for path, bindings in OPERATION_VALUES.items()
    ] + [
        {"include-path-regex": f"^/api/v1/{prefix}/\\{{(id|code)\\}}",
         "parameters": {"path.id": _binding(kind, 0.9), "path.code": _binding(kind, 0.9)}}
        for prefix, kind in PATH_VALUES.items() if values.get(kind)
    ] + [
        # A well-formed login with credentials nobody has is refused with 400 (DRF's ObtainAuthToken), as
        # schemathesis expects of an operation that grants credentials (CREDENTIAL_REJECTION_STATUSES).
        {"include-path": "/api/v1/auth/token/",
         "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "429"]}}},
    ]
    return SchemathesisConfig.from_dict({
        "generation": {"mode": "all", "with-security-parameters": False},
        "dictionaries": {name: _dictionary(items) for name, items in values.items() if items},
        "parameters": {name: _binding(kind, 0.9 if name.startswith("path.") else 1.0)
                       for name, kind in FIELD_VALUES.items() if values.get(kind)},
        "operations": operations,
    })


# --- steering: the rules an operation's description states and its schema cannot -------------------

PNG = _png()


def _files(data: HomeStreet, case) -> None:
    # An upload is judged by its bytes (haidian.uploads): a real photo. A task named is one of the case's.
    for name in ("file", "upload"):
        if name in case.body:
            case.body[name] = PNG
    case.body.pop("task", None)


def _hire(data: HomeStreet, case) -> None:
    # Sunk to grids of the street, or held centrally with a reason; a policy placement with its reason
    # and a commander's approval; extra duties only on a post that has several.
    body = case.body
    if body.get("deployment") == Deployment.GRIDS:
        body["grids"] = data.values["grid"][:1]
    else:
        body["grids"], body["central_reason"] = [], "联合调解室"
    if body.get("placement") == "policy":
        body["placement_reason"], body["placement_approver"] = "政策性安置", data.values["commander"][0]
    body["extra_duties"] = ""


def _dispatch(data: HomeStreet, case) -> None:
    # A district-tier case goes to departments of the district, a street-tier one to agencies serving it.
    district = case.path_parameters["number"] in data.district_cases
    units = data.values["department"] if district else data.values["agency"]
    case.body["lead"] = units[0]
    case.body["cooperating"] = [unit for unit in case.body.get("cooperating", []) if unit in units]


def _reject(data: HomeStreet, case) -> None:
    # A case cannot duplicate itself.
    if case.body.get("duplicate_of") == case.path_parameters["number"]:
        case.body.pop("duplicate_of")


def _close_letter(data: HomeStreet, case) -> None:
    # A reason for each linked case still open, by its number.
    given = [reason for reason in case.body.get("reasons", {}).values() if reason.strip()] or ["已向反映人说明"]
    case.body["reasons"] = {number: given[i % len(given)] for i, number in enumerate(data.values["home_case"])}


def _weights(data: HomeStreet, case) -> None:
    # The five weights add up to 100; an indicator table adds up to 100 per kind of unit.
    body = case.body
    if any(name in body for name in assessment.WEIGHT_FIELDS):
        body.update(zip(assessment.WEIGHT_FIELDS, (40, 20, 20, 10, 10), strict=True))
    body.pop("indicator_weights", None)


def _member(data: HomeStreet, case) -> None:
    # The secretary has an account.
    if case.body.get("is_secretary"):
        case.body["user"] = data.values["username"][0]


def _validity(data: HomeStreet, case) -> None:
    # A matter's validity ends on or after its start.
    start, end = case.body.get("valid_from"), case.body.get("valid_until")
    if start and end and end < start:
        case.body["valid_from"], case.body["valid_until"] = end, start


def _inspection(data: HomeStreet, case) -> None:
    # The date to put it right is not before the inspection (by default today).
    rectify = case.body.get("rectify_by")
    if rectify:
        inspected = (case.body.get("inspected_at") or timezone.localdate().isoformat())[:10]
        case.body["rectify_by"] = max(rectify, inspected)


STEERING = {
    "POST /api/v1/cases/{number}/attachments/": _files,
    "POST /api/v1/appointments/{id}/attach-document/": _files,
    "POST /api/v1/comanagers/": _hire,
    "POST /api/v1/cases/{number}/dispatch/": _dispatch,
    "POST /api/v1/cases/{number}/reject/": _reject,
    "POST /api/v1/letters/{id}/close/": _close_letter,
    "POST /api/v1/rounds/": _weights,
    "PATCH /api/v1/rounds/{period}/": _weights,
    "POST /api/v1/supervision/bodies/{id}/members/": _member,
    "POST /api/v1/delegated-matters/": _validity,
    "PATCH /api/v1/delegated-matters/{id}/": _validity,
    "POST /api/v1/workplan/tasks/{id}/inspections/": _inspection,
}


@pytest.fixture(scope="module")
def api_schemas(home_street, in_process, django_db_blocker) -> dict:
    """The schema served at /api/schema/, loaded once per role (each with its own view of the street)."""
    schemas = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            schema = schemathesis.openapi.from_wsgi("/api/schema/", application,
                                                    config=fuzz_config(home_street, role))
            schema.hook(steering(home_street))
            schemas[role] = schema
    return schemas


def steering(data: HomeStreet):
    def map_case(context, case):
        """A request valid by the schema, made valid by the rules its operation states (STEERING).
        Positive cases only; negative ones stay as generated."""
        rule = STEERING.get(case.operation.label)
        if rule is not None and case.meta is not None and case.meta.generation.mode.is_positive \
                and isinstance(case.body, dict):
            rule(data, case)
        return case

    return map_case


def fuzz(operation, token: str) -> None:
    """Generated requests of each mode to `operation`, each in a savepoint rolled back after it."""
    strategy = hypothesis.strategies.one_of(
        [operation.as_strategy(generation_mode=mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)])

    @hypothesis.given(case=strategy)
    @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck))
    def run(case):
        with transaction.atomic():
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
            transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_its_schema_says(role, api_schemas, home_street, subtests, db):
    for result in api_schemas[role].get_all_operations():
        operation = result.ok()
        with subtests.test(msg=operation.label):
            fuzz(operation, home_street.tokens[role])
