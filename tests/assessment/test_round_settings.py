"""A round's own weights (components, call-backs, indicator tables) through the API, the page and the
admin; the sanity report; one result drilled down over the API; the co-managers' reward list."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from assessment import compute, rewards, scoring, services
from assessment.models import Evaluation, Result, Round, RoundEvent, RoundStatus, UnitKind
from comanagers import services as comanagers
from comanagers.models import Deployment
from haidian.calendar import SHANGHAI
from haidian.permissions import Role
from tests.comanagers.conftest import seeded_post, set_quota
from tests.conftest import make_user
from tests.dispatch.conftest import signed_in

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
AGENCY_TABLE = {"on_time_rate": 50, "handling_rate": 50}


def test_the_api_sets_an_indicator_table_per_kind_and_refuses_a_bad_one(api, district_command, street_staff):
    client = api.as_user(district_command)
    created = client.post("/api/v1/rounds/", {"period": "2026H1"}, format="json").json()
    assert created["indicator_weights"] == scoring.default_indicator_weights()
    assert (created["weight_oversight"], created["callback_share"]) == (5, 0)

    bad = client.patch("/api/v1/rounds/2026H1/", {"indicator_weights": {"agency": {"on_time_rate": 60}}},
                       format="json")
    assert bad.status_code == 400 and "indicator_weights.agency" in bad.json()
    unknown = client.patch("/api/v1/rounds/2026H1/", {"indicator_weights": {"agency": {"luck": 100}}},
                           format="json")
    assert unknown.status_code == 400 and "luck" in json.dumps(unknown.json(), ensure_ascii=False)
    assert api.as_user(street_staff).patch("/api/v1/rounds/2026H1/", {"indicator_weights": {"agency": AGENCY_TABLE}},
                                           format="json").status_code == 403

    done = client.patch("/api/v1/rounds/2026H1/", {"indicator_weights": {"agency": AGENCY_TABLE},
                                                   "callback_share": 30}, format="json")
    assert done.status_code == 200, done.json()
    round_ = Round.objects.get(period="2026H1")
    # the kind given is replaced, the others kept
    assert round_.indicator_weights["agency"] == AGENCY_TABLE
    assert round_.indicator_weights["street"] == scoring.DEFAULT_INDICATOR_WEIGHTS["street"]
    assert round_.callback_share == 30
    assert RoundEvent.objects.filter(round=round_, action="weights").count() == 1  # the refused ones wrote none

    services.round_open(round=round_, actor=district_command, now=NOW)
    assert client.patch("/api/v1/rounds/2026H1/", {"indicator_weights": {"agency": AGENCY_TABLE}},
                        format="json").status_code == 409


def test_the_round_page_saves_the_indicator_weights(district_command):
    round_ = services.round_create(actor=district_command, period="2026H1")
    client = signed_in(district_command)
    fields = {f: getattr(round_, f) for f in ("weight_objective", "weight_upward", "weight_downward",
                                              "weight_satisfaction", "weight_oversight", "callback_share",
                                              "deputy_street_weight")}
    table = {f"iw-agency-{name}": 0 for name in scoring.weighable("agency")} | {
        "iw-agency-on_time_rate": 70, "iw-agency-overdue_rate": 30}

    page = client.get("/assessment/rounds/2026H1/").content.decode()
    assert 'name="iw-agency-on_time_rate"' in page and 'value="20"' in page

    client.post("/assessment/rounds/2026H1/do/weights/", {**fields, **table})
    round_.refresh_from_db()
    assert round_.indicator_weights["agency"]["on_time_rate"] == 70
    assert sum(round_.indicator_weights["agency"].values()) == 100

    client.post("/assessment/rounds/2026H1/do/weights/", {**fields, **table, "iw-agency-overdue_rate": 31})
    round_.refresh_from_db()
    assert round_.indicator_weights["agency"]["overdue_rate"] == 30  # 101 in all: refused, nothing changed


def test_the_admin_sets_a_draft_rounds_weights_through_the_service(client, district_command):
    round_ = services.round_create(actor=district_command, period="2026H1")
    admin = make_user("root", Role.DISTRICT_COMMAND, [district_command.memberships.get().district])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    url = f"/admin/assessment/round/{round_.pk}/change/"
    body = {"weight_objective": 35, "weight_upward": 20, "weight_downward": 20, "weight_satisfaction": 20,
            "weight_oversight": 5, "deputy_street_weight": 60, "callback_share": 0,
            "indicator_weights": json.dumps(scoring.default_indicator_weights())}
    assert client.get(url).status_code == 200

    refused = client.post(url, {**body, "weight_objective": 40})
    assert refused.status_code == 200 and "100" in refused.content.decode()  # the form again, with the error
    assert client.post(url, body).status_code == 302
    round_.refresh_from_db()
    assert (round_.weight_objective, round_.deputy_street_weight) == (35, 60)
    assert RoundEvent.objects.filter(round=round_, action="weights").exists()

    services.round_open(round=round_, actor=district_command, now=NOW)
    assert client.post(url, body).status_code == 403  # no longer a draft


def test_the_sanity_report_lists_every_kind_and_refuses_what_it_cannot_read(district_command):
    with pytest.raises(CommandError, match="no round"):
        call_command("assessment_report", "2026H1")
    round_ = services.round_create(actor=district_command, period="2026H1")
    with pytest.raises(CommandError, match="compute it first"):
        call_command("assessment_report", "2026H1")
    compute.compute_round(services.round_open(round=round_, actor=district_command, now=NOW))

    out = io.StringIO()
    call_command("assessment_report", "2026H1", "--json", stdout=out)
    rows = {row["kind"]: row for row in json.loads(out.getvalue())}
    # nothing happened in the half: every unit has too small a sample, so none is ranked or at the top
    assert rows["agency"]["units"] == Result.objects.filter(kind=UnitKind.AGENCY).count()
    assert rows["agency"]["ranked"] == 0 and rows["agency"]["top_share"] is None
    assert rows["agency"]["perfect"] == 0 and rows["agency"]["thin_ranked"] == 0
    printed = io.StringIO()
    call_command("assessment_report", "2026H1", stdout=printed)
    assert "agency" in printed.getvalue() and "street" in printed.getvalue()


def test_one_result_drills_down_over_the_api_and_a_person_is_theirs_and_their_raters(
        api, district_command, grid_worker, street_staff, other_street_staff, grid):
    round_ = services.round_create(actor=district_command, period="2026H1")
    round_ = services.round_open(round=round_, actor=district_command, now=NOW)
    form = Evaluation.objects.get(round=round_, rater_kind=UnitKind.STREET, ratee_kind=UnitKind.GRID_WORKER,
                                  ratee_id=grid_worker.pk)
    services.evaluation_submit(evaluation=form, actor=street_staff, scores=dict.fromkeys(services.CRITERIA, 80),
                               now=NOW)
    services.round_close(round=round_, actor=district_command)
    compute.compute_round(round_)
    services.round_publish(round=Round.objects.get(pk=round_.pk), actor=district_command)
    street_id = grid.community.street_id
    url = f"/api/v1/rounds/2026H1/results/street/{street_id}/"

    detail = api.as_user(district_command).get(url)
    assert detail.status_code == 200
    body = detail.json()
    stored = Result.objects.get(round=round_, kind=UnitKind.STREET, unit_id=street_id)
    assert body["total"] == stored.total and body["sample_ok"] is False  # nothing reported: 样本不足
    for row in body["behind"]:
        assert row["numerator_value"] == stored.indicators[row["numerator"]]
        assert row["denominator_value"] == stored.indicators[row["denominator"]]
        assert sum(r["weight"] for r in row["behind"]["denominator"]) == row["denominator_value"]

    mine = f"/api/v1/rounds/2026H1/results/grid_worker/{grid_worker.pk}/"
    assert api.as_user(grid_worker).get(mine).json()["downward"] == 80.0
    page = signed_in(grid_worker).get("/assessment/").content.decode()
    assert 'id="own-results"' in page and f"/results/grid_worker/{grid_worker.pk}/" in page
    own_page = f"/assessment/rounds/2026H1/results/grid_worker/{grid_worker.pk}/"
    assert signed_in(grid_worker).get(own_page).status_code == 200
    assert signed_in(other_street_staff).get(own_page).status_code == 404
    assert api.as_user(street_staff).get(mine).status_code == 200  # the street rated them
    assert api.as_user(other_street_staff).get(mine).status_code == 404
    listed = api.as_user(other_street_staff).get("/api/v1/rounds/2026H1/results/?kind=grid_worker").json()
    assert grid_worker.pk not in {row["unit_id"] for row in listed["results"]}
    assert api.as_user(district_command).get("/api/v1/rounds/2026H1/results/agency/0/").status_code == 404


def test_the_reward_list_gives_each_co_manager_the_tier_of_their_mean(api, district_command, street, street_staff,
                                                                     other_street_staff, django_assert_num_queries):
    set_quota(street, 2)
    post = seeded_post("safety-informant")
    good, middling = (comanagers.comanager_hire(
        actor=street_staff, street=street, post=post, name=name, phone="13800001234", hired_at=dt.date(2026, 3, 2),
        deployment=Deployment.CENTRAL, central_reason="治安联合调解室调解员") for name in ("赵六", "钱七"))
    round_ = services.round_create(actor=district_command, period="2026H1")
    round_ = services.round_open(round=round_, actor=district_command, now=NOW)
    for person, score in ((good, 92), (middling, 70)):
        # held centrally: the street rates them
        form = Evaluation.objects.get(round=round_, rater_kind=UnitKind.STREET, rater_id=street.pk,
                                      ratee_kind=UnitKind.CO_MANAGER, ratee_id=person.pk)
        services.evaluation_submit(evaluation=form, actor=street_staff, scores=dict.fromkeys(services.CRITERIA, score),
                                   now=NOW)
    services.round_close(round=round_, actor=district_command)
    compute.compute_round(round_)
    url = f"/api/v1/comanager-rewards/?street={street.code}&year=2026"
    assert [row["mean"] for row in api.as_user(street_staff).get(url).json()] == [None, None]  # not published yet
    services.round_publish(round=Round.objects.get(pk=round_.pk), actor=district_command)

    rows = api.as_user(street_staff).get(url).json()
    assert [(row["name"], row["mean"], row["grade"], row["tier"]) for row in rows] == [
        ("赵六", 92.0, "A", "excellent"), ("钱七", 70.0, "C", "")]
    assert rows[0]["rounds"] == {"2026H1": 92.0}
    with django_assert_num_queries(2):  # the co-managers, and their published results of the year
        assert rewards.reward_list(street_id=street.pk, year=2026) == rows
    assert api.as_user(other_street_staff).get(url).status_code == 404
    assert api.as_user(street_staff).get(f"/api/v1/comanager-rewards/?street={street.code}").status_code == 400
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.PUBLISHED
