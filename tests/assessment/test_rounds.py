"""Rounds: the forms a round writes (every rater → ratee pair once, no others), filling them (own
forms only, only while open, scores 0–100), weights, the squad deputy's ≥ 50 % rule, publication
freezing a version, beat opening the half just ended on 1 January / 1 July, the commands."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Agency, Department, Street
from assessment import compute, schedule, scoring, services
from assessment.models import Evaluation, Result, Round, RoundStatus, UnitKind
from assessment.tasks import daily
from grids.models import GridCell
from haidian.calendar import SHANGHAI
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from notifications.models import Notification
from tests.conftest import HOME_STREET, OTHER_STREET, make_user

pytestmark = pytest.mark.django_db
K = UnitKind
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
SCORES = {"duty": 90, "response": 80, "cooperation": 85, "conduct": 95}


@pytest.fixture
def squad_deputy(street):
    return make_user("squad-deputy", Role.AGENCY_HEAD, [Agency.objects.get(code=f"{street.code}-cgfd")])


@pytest.fixture
def two_street_worker(street, other_street):
    """A grid worker serving a grid in the home street and one in another street."""
    grids = [GridCell.objects.filter(community__street=s).order_by("code").last() for s in (street, other_street)]
    return make_user("two-street-worker", Role.GRID_WORKER, grids)


@pytest.fixture
def opened(district_command, grid_worker, two_street_worker, squad_deputy):
    round_ = services.round_create(actor=district_command, period="2026H1")
    return services.round_open(round=round_, actor=district_command, now=NOW)


def expected_pairs(grid_workers, deputies) -> set[tuple]:
    """The reform's pairs, walked through the organisation's relations one unit at a time."""
    pairs = set()
    for street in Street.objects.prefetch_related("communities", "agencies"):
        pairs.add(("down", "district", street.district_id, "street", street.pk))
        for community in street.communities.all():
            pairs |= {("down", "street", street.pk, "community", community.pk),
                      ("up", "community", community.pk, "street", street.pk)}
            # the seed's stress: 社区(村) rate the agencies serving them
            pairs |= {("up", "community", community.pk, "agency", agency.pk) for agency in street.agencies.all()}
        for agency in street.agencies.all():
            pairs.add(("up", "street", street.pk, "agency", agency.pk))
        for department in Department.objects.filter(district=street.district_id):
            pairs.add(("up", "street", street.pk, "department", department.pk))
            pairs.add(("down", "district", street.district_id, "department", department.pk))
    for agency in Agency.objects.all():
        pairs |= {("down", "department", agency.department_id, "agency", agency.pk),
                  ("up", "agency", agency.pk, "department", agency.department_id)}
    for worker in grid_workers:
        streets = {m.grid.community.street for m in worker.memberships.select_related("grid__community__street")}
        for street in streets:
            pairs |= {("down", "street", street.pk, "grid_worker", worker.pk),
                      ("up", "grid_worker", worker.pk, "street", street.pk)}
            pairs |= {("up", "grid_worker", worker.pk, "agency", agency.pk) for agency in street.agencies.all()}
    for deputy in deputies:
        squad = deputy.memberships.get().agency
        pairs.add(("down", "department", squad.department_id, "squad_deputy", deputy.pk))  # the 城管大队
        for street in squad.streets.all():
            pairs.add(("down", "street", street.pk, "squad_deputy", deputy.pk))
    return pairs


def test_opening_writes_every_rater_ratee_pair_once_and_no_others(opened, grid_worker, two_street_worker,
                                                                  squad_deputy):
    rows = list(Evaluation.objects.filter(round=opened).values_list(
        "direction", "rater_kind", "rater_id", "ratee_kind", "ratee_id"))

    assert len(rows) == len(set(rows))  # once each
    assert set(rows) == expected_pairs([grid_worker, two_street_worker], [squad_deputy])
    home = Street.objects.get(code=HOME_STREET)
    police = Agency.objects.get(code=f"{HOME_STREET}-pcs")
    other_police = Agency.objects.get(code=f"{OTHER_STREET}-pcs")
    mine = set(Evaluation.objects.filter(round=opened, rater_kind=K.GRID_WORKER, rater_id=grid_worker.pk)
               .values_list("ratee_kind", "ratee_id"))
    assert ("street", home.pk) in mine and ("agency", police.pk) in mine and ("agency", other_police.pk) not in mine
    assert len(mine) == 1 + home.agencies.count()
    assert Evaluation.objects.filter(round=opened, rater_kind=K.GRID_WORKER, rater_id=two_street_worker.pk,
                                     ratee_kind=K.STREET).count() == 2


def test_opening_twice_is_refused_and_writes_nothing_more(opened, district_command):
    count = opened.evaluations.count()
    with pytest.raises(ActionConflict):
        services.round_open(round=opened, actor=district_command)
    assert opened.evaluations.count() == count


def test_a_rater_fills_only_their_own_forms_and_only_while_open(api, opened, grid_worker, two_street_worker,
                                                                district_command):
    own = Evaluation.objects.get(round=opened, rater_kind=K.GRID_WORKER, rater_id=grid_worker.pk,
                                 ratee_kind=K.STREET)
    others = Evaluation.objects.get(round=opened, rater_kind=K.GRID_WORKER, rater_id=two_street_worker.pk,
                                    ratee_kind=K.STREET, ratee_id=own.ratee_id)
    client = api.as_user(grid_worker)

    listed = client.get("/api/v1/rounds/2026H1/evaluations/?mine=1").json()["results"]
    assert {row["rater_id"] for row in listed} == {grid_worker.pk}
    assert client.post(f"/api/v1/evaluations/{others.pk}/submit/", {"scores": SCORES},
                       format="json").status_code == 404
    done = client.post(f"/api/v1/evaluations/{own.pk}/submit/", {"scores": SCORES, "comment": "响应及时"},
                       format="json")
    assert done.status_code == 200 and done.json()["scores"] == SCORES

    services.round_close(round=opened, actor=district_command)
    late = client.post(f"/api/v1/evaluations/{own.pk}/submit/", {"scores": {**SCORES, "duty": 10}}, format="json")
    assert late.status_code == 409
    assert Evaluation.objects.get(pk=own.pk).scores["duty"] == 90


@pytest.mark.parametrize("scores", [
    {**SCORES, "duty": 101}, {**SCORES, "duty": -1}, {**SCORES, "duty": 80.5}, {**SCORES, "duty": "九十"},
    {"duty": 90}, {**SCORES, "beauty": 90},
])
def test_scores_outside_0_to_100_or_missing_are_refused(api, opened, grid_worker, scores):
    own = Evaluation.objects.filter(round=opened, rater_kind=K.GRID_WORKER, rater_id=grid_worker.pk).first()

    response = api.as_user(grid_worker).post(f"/api/v1/evaluations/{own.pk}/submit/", {"scores": scores},
                                             format="json")

    assert response.status_code == 400 and "scores" in response.json()
    assert Evaluation.objects.get(pk=own.pk).submitted_at is None


def test_weights_change_only_in_draft_and_must_add_up_to_100(api, district_command, street_staff):
    client = api.as_user(district_command)
    assert client.post("/api/v1/rounds/", {"period": "2026H1"}, format="json").json()["weight_objective"] == 40
    assert client.patch("/api/v1/rounds/2026H1/", {"weight_objective": 50, "weight_upward": 10},
                        format="json").status_code == 200
    refused = client.patch("/api/v1/rounds/2026H1/", {"weight_objective": 60}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["weights"]  # 60 + 10 + 20 + 20 ≠ 100
    assert api.as_user(street_staff).patch("/api/v1/rounds/2026H1/", {"weight_objective": 40, "weight_upward": 20},
                                           format="json").status_code == 403
    round_ = Round.objects.get(period="2026H1")
    assert (round_.weight_objective, round_.weight_upward) == (50, 10)

    services.round_open(round=round_, actor=district_command)
    assert api.as_user(district_command).patch("/api/v1/rounds/2026H1/", {"weight_objective": 40,
                                                                          "weight_upward": 20},
                                               format="json").status_code == 409
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(weight_objective=99)


def test_the_street_counts_at_least_half_of_the_squad_deputys_result(district_command):
    with pytest.raises(InvalidInput) as refused:
        services.round_create(actor=district_command, period="2026H1", deputy_street_weight=40)
    assert "deputy_street_weight" in refused.value.errors
    round_ = services.round_create(actor=district_command, period="2026H1", deputy_street_weight=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(deputy_street_weight=49)


def test_the_squad_deputys_total_takes_the_streets_rating_at_its_weight(opened, district_command, street_staff,
                                                                        squad_deputy, street):
    form = Evaluation.objects.get(round=opened, rater_kind=K.STREET, rater_id=street.pk,
                                  ratee_kind=K.SQUAD_DEPUTY, ratee_id=squad_deputy.pk)
    services.evaluation_submit(evaluation=form, actor=street_staff, scores={"duty": 70, "response": 70,
                                                                            "cooperation": 70, "conduct": 70})
    squad = Agency.objects.get(code=f"{street.code}-cgfd")
    # The other part is the 城管大队's own appraisal: the squad's department rates its deputy.
    appraisal = Evaluation.objects.get(round=opened, rater_kind=K.DEPARTMENT, rater_id=squad.department_id,
                                       ratee_kind=K.SQUAD_DEPUTY, ratee_id=squad_deputy.pk)
    Evaluation.objects.filter(pk=appraisal.pk).update(scores=dict.fromkeys(services.CRITERIA, 90),
                                                      submitted_at=timezone.now())
    rated = compute.ratings(opened)

    (row,) = compute._deputies(opened, rated, {}, {})

    # 50 % × 70 (the street) + 50 % × 90 (the 大队) = 80
    assert (row.downward, row.indicators["squad_rating"], row.total, row.grade) == (70.0, 90.0, 80.0, "B")
    Round.objects.filter(pk=opened.pk).update(deputy_street_weight=75)
    opened.refresh_from_db()
    (row,) = compute._deputies(opened, rated, {}, {})
    assert row.total == 75.0  # 75 % × 70 + 25 % × 90


def test_totals_grades_and_ranks():
    weights = {"objective": 40, "upward": 20, "downward": 20, "satisfaction": 20}
    assert scoring.total({"objective": 80, "upward": 90, "downward": 70, "satisfaction": 100}, weights) \
        == 84.0  # (3200 + 1800 + 1400 + 2000) / 100
    # a component a kind does not have (nobody rates a community upward): the others scaled up
    assert scoring.total({"objective": 80, "downward": 70, "satisfaction": 100}, weights) == 82.5  # 6600 / 80
    assert scoring.total(dict.fromkeys(weights), weights) is None
    assert [compute.grade(t) for t in (90, 89.99, 75, 60, 40, 39.99, None)] == ["A", "B", "B", "C", "D", "E", ""]
    # by total, then objective, then satisfaction; equal on all three: a shared rank (1, 1, 3)
    assert scoring.ranks({1: (80.0, 70.0, 90.0), 2: (95.0, 50.0, 50.0), 3: (80.0, 75.0, 10.0),
                          4: (80.0, 75.0, 10.0), 5: (None, 99.0, 99.0), 6: (70.0, None, None)}) \
        == {2: 1, 3: 2, 4: 2, 1: 4, 6: 5}


def test_publishing_freezes_the_results_and_a_recomputation_is_a_new_version(api, opened, district_command,
                                                                            grid_worker, street):
    own = Evaluation.objects.get(round=opened, rater_kind=K.GRID_WORKER, rater_id=grid_worker.pk,
                                 ratee_kind=K.STREET)
    services.evaluation_submit(evaluation=own, actor=grid_worker, scores=SCORES)
    with pytest.raises(ActionConflict):
        services.round_publish(round=opened, actor=district_command)  # still open
    services.round_close(round=opened, actor=district_command)
    with pytest.raises(ActionConflict):
        services.round_publish(round=opened, actor=district_command)  # nothing computed
    assert compute.compute_round(opened) == 1
    services.round_publish(round=Round.objects.get(pk=opened.pk), actor=district_command)
    published = Result.objects.get(round=opened, version=1, kind=K.STREET, unit_id=street.pk)
    assert published.upward == 87.5  # (90 + 80 + 85 + 95) / 4

    Evaluation.objects.filter(pk=own.pk).update(scores=dict.fromkeys(SCORES, 10))  # a late correction
    assert compute.compute_round(Round.objects.get(pk=opened.pk)) == 2

    assert Result.objects.get(pk=published.pk).upward == 87.5  # version 1 untouched
    assert Result.objects.get(round=opened, version=2, kind=K.STREET, unit_id=street.pk).upward == 10.0
    public = api.as_user(grid_worker).get("/api/v1/rounds/2026H1/results/?kind=street").json()["results"]
    assert {row["version"] for row in public} == {1}
    assert api.as_user(grid_worker).get("/api/v1/rounds/2026H1/results/?version=2").status_code == 404
    assert api.as_user(district_command).get("/api/v1/rounds/2026H1/results/?version=2&kind=street").json()[
        "results"][0]["version"] == 2
    with pytest.raises(ActionConflict):
        services.round_annotate(round=Round.objects.get(pk=opened.pk), actor=district_command, annotation="改")


def test_unpublished_results_are_hidden_from_everyone_but_the_district(api, opened, district_command, street_staff):
    services.round_close(round=opened, actor=district_command)
    compute.compute_round(opened)

    assert api.as_user(street_staff).get("/api/v1/rounds/2026H1/results/").status_code == 404
    assert api.as_user(district_command).get("/api/v1/rounds/2026H1/results/?kind=agency").status_code == 200


@pytest.mark.parametrize(("today", "period"), [("2027-01-01", "2026H2"), ("2026-07-01", "2026H1"),
                                               ("2026-07-03", "2026H1")])
def test_beat_opens_the_half_just_ended_on_1_january_and_1_july(today, period, grid_worker):
    result = daily(today)

    assert result["opened"] == [period]
    round_ = Round.objects.get(period=period)
    assert round_.status == RoundStatus.OPEN and round_.evaluations.exists()
    assert daily(today)["opened"] == []  # once


@pytest.mark.parametrize("today", ["2026-12-31", "2026-06-30", "2026-08-15"])
def test_beat_opens_nothing_on_other_days(today):
    assert daily(today)["opened"] == []
    assert not Round.objects.exists()


def test_beat_closes_the_round_after_its_window_and_reminds_empty_raters_once_before(grid_worker, street_staff):
    daily("2026-07-01")
    round_ = Round.objects.get(period="2026H1")
    closes = round_.window_closes_at.astimezone(SHANGHAI).date()

    schedule.daily(today=closes - dt.timedelta(days=4))
    assert not Notification.objects.filter(key="assessment-remind:2026H1").exists()  # not yet
    schedule.daily(today=closes - dt.timedelta(days=2))
    first = Notification.objects.filter(key="assessment-remind:2026H1").count()
    schedule.daily(today=closes - dt.timedelta(days=1))

    assert first >= 2 and Notification.objects.filter(key="assessment-remind:2026H1").count() == first
    assert Notification.objects.filter(user=grid_worker, key="assessment-remind:2026H1").count() == 1
    assert Notification.objects.filter(user=street_staff, key="assessment-remind:2026H1").count() == 1
    assert schedule.daily(today=closes + dt.timedelta(days=1)).closed == ["2026H1"]
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.CLOSED


def test_the_commands_open_and_close_a_round(grid_worker, capsys):
    call_command("open_round", "2026H1", "--closes", "2027-01-20T17:00")
    assert "2026H1 open until 2027-01-20 17:00" in capsys.readouterr().out
    with pytest.raises(CommandError, match="open"):
        call_command("open_round", "2026H1")
    with pytest.raises(CommandError, match="2026H3"):
        call_command("open_round", "2026H3")
    call_command("close_round", "2026H1")
    assert Round.objects.get(period="2026H1").status == RoundStatus.CLOSED
    with pytest.raises(CommandError):
        call_command("close_round", "2025H2")


def test_only_the_district_runs_rounds(api, street_staff, district_command):
    assert api.as_user(street_staff).post("/api/v1/rounds/", {"period": "2026H1"}, format="json").status_code == 403
    with pytest.raises(ActionForbidden):
        services.round_create(actor=street_staff, period="2026H1")
    assert api.as_user(district_command).post("/api/v1/rounds/", {"period": "2026H3"},
                                              format="json").status_code == 400


def test_computing_is_queued_once_and_runs_with_progress(api, opened, district_command,
                                                         django_capture_on_commit_callbacks):
    client = api.as_user(district_command)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/api/v1/rounds/2026H1/compute/")
    assert response.status_code == 202 and response.json()["compute_state"] == "queued"
    assert len(queued) == 1
    assert client.post("/api/v1/rounds/2026H1/compute/").status_code == 409  # already queued

    assert compute.run(opened.pk) == 1
    round_ = client.get("/api/v1/rounds/2026H1/").json()
    assert (round_["compute_state"], round_["compute_percent"], round_["version"]) == ("done", 100, 1)
    kinds = set(Result.objects.filter(round=opened).values_list("kind", flat=True))
    assert kinds == {"street", "community", "agency", "department", "grid_worker", "squad_deputy"}




def test_a_street_records_an_incentive_award_against_a_published_round(api, opened, district_command, street_staff,
                                                                       street, other_street):
    police = Agency.objects.get(code=f"{street.code}-pcs")
    body = {"street": street.code, "agency": police.code, "amount": "20000.00", "reason": "处置及时，群众满意"}
    assert api.as_user(street_staff).post("/api/v1/rounds/2026H1/awards/", body,
                                          format="json").status_code == 409  # not published yet
    services.round_close(round=opened, actor=district_command)
    compute.compute_round(opened)
    services.round_publish(round=Round.objects.get(pk=opened.pk), actor=district_command)
    client = api.as_user(street_staff)

    done = client.post("/api/v1/rounds/2026H1/awards/", body, format="json")
    other_agency = client.post("/api/v1/rounds/2026H1/awards/", {
        **body, "agency": Agency.objects.get(code=f"{other_street.code}-pcs").code}, format="json")
    other_street_award = client.post("/api/v1/rounds/2026H1/awards/", {**body, "street": other_street.code},
                                     format="json")
    nothing = client.post("/api/v1/rounds/2026H1/awards/", {**body, "amount": "0"}, format="json")

    assert done.status_code == 201 and done.json()["amount"] == "20000.00" and done.json()["year"] == 2026
    assert other_agency.status_code == 400 and "agency" in other_agency.json()
    assert other_street_award.status_code == 403
    assert nothing.status_code == 400 and "amount" in nothing.json()
    assert [row["agency"] for row in client.get("/api/v1/rounds/2026H1/awards/").json()] == [police.code]


def test_the_api_exports_the_results_as_excel(api, opened, district_command, street_staff, street):
    services.round_close(round=opened, actor=district_command)
    compute.compute_round(opened)
    assert api.as_user(street_staff).get("/api/v1/rounds/2026H1/results.xlsx").status_code == 404  # unpublished

    response = api.as_user(district_command).get("/api/v1/rounds/2026H1/results.xlsx")

    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    names = [cell.value for cell in next(book.worksheets[1].iter_rows(max_row=1))]
    rows = [dict(zip(names, (c.value for c in row), strict=False)) for sheet in book.worksheets[1:]
            for row in sheet.iter_rows(min_row=2)]
    home = next(row for row in rows if row.get("名称") == street.name)
    stored = Result.objects.get(round=opened, kind=K.STREET, unit_id=street.pk)
    assert home["总分"] == stored.total
    assert home["排名"] == (stored.rank if stored.sample_ok else "样本不足")
