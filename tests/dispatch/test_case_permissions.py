"""Who may do what to a case, endpoint by endpoint (STYLE §9).

Every workflow endpoint answers the same four people the same way: nobody signed in → 401; a
member of the cast who can see the case but whose role may not do this → 403; the same role in
another street (or agency, or grid) → 404, because a case outside your scope does not exist for
you; the right role on their own case → 2xx. A refused request leaves no trace on the case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dispatch import services
from dispatch.models import Case
from haidian.privacy import mask_phone
from tests.conftest import make_user
from tests.dispatch.conftest import REPORTER_PHONE, lead_task


@dataclass(frozen=True)
class Endpoint:
    name: str
    case: str  # the fixture with the case in the state the action needs
    right: str  # fixture names of the cast
    wrong: str
    outsider: str
    payload: Callable[[SimpleNamespace], dict] = lambda ctx: {}
    on_task: bool = False  # /tasks/{lead task}/… instead of /cases/{number}/…
    method: str = "post"
    multipart: bool = False
    ok: int = 200
    wrong_status: int = 403

    def url(self, ctx: SimpleNamespace) -> str:
        base = f"/api/v1/tasks/{ctx.task.pk}/" if self.on_task else f"/api/v1/cases/{ctx.case.number}/"
        return base if self.method == "get" else f"{base}{self.name}/"


def a_pdf(ctx) -> dict:
    return {"file": SimpleUploadedFile("现场照片说明.pdf", b"%PDF-1.4\n%test\n", "application/pdf"), "kind": "document"}


ENDPOINTS = [
    Endpoint("file", "reported_case", "street_staff", "grid_worker", "other_street_staff",
             lambda ctx: {"category": ctx.category.code}),
    Endpoint("reject", "reported_case", "street_staff", "grid_worker", "other_street_staff",
             lambda ctx: {"reason": "不属于网格事项"}),
    Endpoint("resolve_on_site", "reported_case", "grid_worker", "street_staff", "other_grid_worker",
             lambda ctx: {"note": "当场劝离"}),
    Endpoint("dispatch", "filed_case", "street_staff", "grid_worker", "other_street_staff",
             lambda ctx: {"lead": ctx.agency.code, "cooperating": [ctx.cooperating_agency.code]}),
    Endpoint("escalate", "dispatched_case", "street_staff", "agency_head", "other_street_staff",
             lambda ctx: {"reason": "街道无法协调"}),
    Endpoint("verify", "responded_case", "street_staff", "agency_head", "other_street_staff",
             lambda ctx: {"passed": True}),
    Endpoint("rate", "closed_case", "street_staff", "agency_head", "other_street_staff",
             lambda ctx: {"satisfaction": "basically_satisfied"}),
    Endpoint("attachments", "dispatched_case", "street_staff", "agency_head", "other_street_staff", a_pdf,
             multipart=True, ok=201),
    Endpoint("accept", "dispatched_case", "agency_head", "street_staff", "other_agency_head", on_task=True),
    Endpoint("return", "dispatched_case", "agency_head", "street_staff", "other_agency_head",
             lambda ctx: {"reason": "不属于派出所职责"}, on_task=True),
    Endpoint("request_extension", "dispatched_case", "agency_head", "street_staff", "other_agency_head",
             lambda ctx: {"until": (ctx.task.due_at + dt.timedelta(days=3)).isoformat(), "reason": "需协调"},
             on_task=True),
    Endpoint("approve_extension", "extension_requested_case", "street_staff", "agency_head", "other_street_staff",
             on_task=True),
    Endpoint("respond", "dispatched_case", "agency_head", "street_staff", "other_agency_head",
             lambda ctx: {"result": "已清理"}, on_task=True),
    # Reads have no wrong role: someone who serves nowhere simply does not see the case.
    Endpoint("case detail", "reported_case", "street_staff", "nobody", "other_street_staff", method="get",
             wrong_status=404),
    Endpoint("task detail", "dispatched_case", "agency_head", "nobody", "other_agency_head", method="get",
             on_task=True, wrong_status=404),
]


@pytest.fixture
def extension_requested_case(dispatched_case, agency_head):
    task = lead_task(dispatched_case)
    services.task_request_extension(task=task, actor=agency_head, until=task.due_at + dt.timedelta(days=3),
                                    reason="需协调产权单位")
    return dispatched_case


@pytest.mark.parametrize("who", ["anonymous", "wrong", "outsider", "right"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_each_endpoint_answers_the_cast(request, api, settings, tmp_path, endpoint, who):
    settings.MEDIA_ROOT = tmp_path
    case = request.getfixturevalue(endpoint.case)
    ctx = SimpleNamespace(
        case=case, task=lead_task(case) if endpoint.on_task else None,
        category=request.getfixturevalue("category"), agency=request.getfixturevalue("agency"),
        cooperating_agency=request.getfixturevalue("cooperating_agency"),
    )
    client = api if who == "anonymous" else api.as_user(request.getfixturevalue(getattr(endpoint, who)))
    events_before = case.events.count()

    if endpoint.method == "get":
        response = client.get(endpoint.url(ctx))
    else:
        response = client.post(endpoint.url(ctx), endpoint.payload(ctx),
                               format="multipart" if endpoint.multipart else "json")

    expected = {"anonymous": 401, "wrong": endpoint.wrong_status, "outsider": 404, "right": endpoint.ok}[who]
    assert response.status_code == expected, response.content
    if who != "right" or endpoint.method == "get":
        assert case.events.count() == events_before
        assert Case.objects.get(pk=case.pk).status == case.status
    else:
        assert case.events.count() == events_before + 1


# --- lists -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/cases/", "/api/v1/tasks/"])
def test_anonymous_lists_are_401(api, url):
    assert api.get(url).status_code == 401


def test_reporting_a_case_needs_a_sign_in(api, grid):
    response = api.post("/api/v1/cases/", {"title": "井盖缺失", "lat": grid.centroid_lat, "lng": grid.centroid_lng,
                                           "source": "resident"}, format="json")
    assert response.status_code == 401
    assert not Case.objects.filter(title="井盖缺失").exists()


@pytest.mark.parametrize(
    "who, sees",
    [
        ("street_staff", True),
        ("grid_worker", True),
        ("district_command", True),
        ("agency_head", True),
        ("department_admin", True),  # the police station's department
        ("other_street_staff", False),
        ("other_agency_head", False),
        ("other_grid_worker", False),
        ("nobody", False),
    ],
)
def test_the_case_list_holds_only_the_cases_in_scope(request, api, dispatched_case, who, sees):
    response = api.as_user(request.getfixturevalue(who)).get("/api/v1/cases/")
    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == ([dispatched_case.number] if sees else [])


@pytest.mark.parametrize(
    "who, roles",
    [
        ("agency_head", ["lead"]),
        ("cooperating_head", ["cooperating"]),
        ("department_admin", ["lead"]),  # its police station's task
        ("other_agency_head", []),
        ("street_staff", []),  # the inbox holds the tasks of your own agencies and departments
    ],
)
def test_the_task_inbox_holds_the_tasks_of_your_own_units(request, api, dispatched_case, who, roles):
    response = api.as_user(request.getfixturevalue(who)).get("/api/v1/tasks/")
    assert response.status_code == 200
    assert [row["role"] for row in response.json()["results"]] == roles


# --- roles beyond the matrix -------------------------------------------------------------------------

def test_the_grid_worker_of_the_cases_grid_may_also_verify(api, responded_case, grid_worker):
    response = api.as_user(grid_worker).post(f"/api/v1/cases/{responded_case.number}/verify/", {"passed": True},
                                             format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_a_resident_may_rate_their_own_case(api, make_case, workflow):
    resident = make_user("resident-reporter")
    case = workflow.close(make_case(actor=resident, source="resident"))
    response = api.as_user(resident).post(f"/api/v1/cases/{case.number}/rate/",
                                          {"satisfaction": "satisfied", "comment": "处理及时"}, format="json")
    assert response.status_code == 200
    assert case.events.last().actor_unit == "reporter"


def test_a_grid_worker_may_not_rate_their_own_patrol_report(api, closed_case, grid_worker):
    response = api.as_user(grid_worker).post(f"/api/v1/cases/{closed_case.number}/rate/",
                                             {"satisfaction": "satisfied"}, format="json")
    assert response.status_code == 403


def test_a_cooperating_agency_cannot_act_on_the_lead_task(api, dispatched_case, cooperating_head):
    response = api.as_user(cooperating_head).post(f"/api/v1/tasks/{lead_task(dispatched_case).pk}/accept/")
    assert response.status_code == 404


def test_the_street_cannot_dispatch_a_case_the_district_took_over(api, filed_case, street_staff, agency):
    services.case_escalate(case=filed_case, actor=street_staff, reason="街道无法协调")
    response = api.as_user(street_staff).post(f"/api/v1/cases/{filed_case.number}/dispatch/",
                                              {"lead": agency.code}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the district command center may do this."


# --- the reporter's phone number ---------------------------------------------------------------------

# Whole only for whose task on the case may need a call-back (dispatch.selectors.sees_reporter_phone):
# on a dispatched street-tier case, the street; the grid worker and the district see it masked.
@pytest.mark.parametrize(
    "who, phone",
    [
        ("street_staff", REPORTER_PHONE),
        ("grid_worker", "138****5678"),
        ("district_command", "138****5678"),
        ("agency_head", "138****5678"),
        ("cooperating_head", "138****5678"),
        ("department_admin", "138****5678"),
    ],
)
def test_agencies_see_the_reporters_phone_masked(request, api, dispatched_case, who, phone):
    response = api.as_user(request.getfixturevalue(who)).get(f"/api/v1/cases/{dispatched_case.number}/")
    assert response.status_code == 200
    assert response.json()["reporter_phone"] == phone


@pytest.mark.parametrize(("phone", "shown"), [("13812345678", "138****5678"), ("010-62345678", "010*****5678"),
                                              ("6234567", "*******"), ("12345", "*****")])
def test_a_phone_is_masked_and_a_short_one_wholly(phone, shown):
    assert mask_phone(phone) == shown  # seven characters would otherwise be shown whole
