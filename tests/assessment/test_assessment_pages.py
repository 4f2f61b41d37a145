"""The assessment's pages: my forms, filling one, and the district's round page with the
computation's progress bar, the raters' follow-up (missing and late forms) and the results."""

import datetime as dt

import pytest

from assessment import compute, services
from assessment.models import ComputeState, Evaluation, Round, UnitKind
from dispatch.models import Source
from haidian.calendar import SHANGHAI
from tests.dispatch.conftest import signed_in

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def opened(district_command, grid_worker, street_staff):
    round_ = services.round_create(actor=district_command, period="2026H1")
    return services.round_open(round=round_, actor=district_command, now=NOW,
                               closes_at=dt.datetime(2026, 7, 15, 17, 0, tzinfo=SHANGHAI))


def test_a_grid_worker_fills_a_form_on_the_page(opened, grid_worker):
    client = signed_in(grid_worker)
    own = Evaluation.objects.filter(round=opened, rater_kind=UnitKind.GRID_WORKER, rater_id=grid_worker.pk).first()
    assert f"/assessment/forms/{own.pk}/" in client.get("/assessment/").content.decode()

    bad = client.post(f"/assessment/forms/{own.pk}/", {"duty": 120, "response": 80, "cooperation": 80,
                                                       "conduct": 80})
    assert bad.status_code == 400 and "duty" in bad.context["form"].errors
    good = client.post(f"/assessment/forms/{own.pk}/", {"duty": 90, "response": 80, "cooperation": 70,
                                                        "conduct": 60, "comment": "配合积极"})

    assert good.status_code == 302
    own.refresh_from_db()
    assert own.scores == {"duty": 90, "response": 80, "cooperation": 70, "conduct": 60} and own.comment == "配合积极"


def test_someone_elses_form_is_not_there(opened, grid_worker, street_staff):
    form = Evaluation.objects.filter(round=opened, rater_kind=UnitKind.STREET).first()
    assert signed_in(grid_worker).get(f"/assessment/forms/{form.pk}/").status_code == 404
    assert signed_in(grid_worker).get("/assessment/rounds/2026H1/").status_code == 404


def test_the_district_follows_missing_and_late_forms(opened, grid_worker, district_command):
    own = Evaluation.objects.filter(round=opened, rater_kind=UnitKind.GRID_WORKER, rater_id=grid_worker.pk)
    first, *rest = list(own)
    services.evaluation_submit(evaluation=first, actor=grid_worker, scores=dict.fromkeys(services.CRITERIA, 80),
                               now=dt.datetime(2026, 7, 16, 9, 0, tzinfo=SHANGHAI))  # after the window

    page = signed_in(district_command).get("/assessment/rounds/2026H1/?rater_kind=grid_worker")

    assert {r["rater_kind"] for r in page.context["raters"]} == {"grid_worker"}
    row = next(r for r in page.context["raters"] if r["rater_kind"] == "grid_worker"
               and r["rater_id"] == grid_worker.pk)
    assert (row["forms"], row["submitted"], row["late"], row["missing"]) == (1 + len(rest), 1, 1, len(rest))


def test_the_round_page_shows_the_computation_progress_and_polls_while_it_runs(opened, district_command,
                                                                                django_capture_on_commit_callbacks):
    client = signed_in(district_command)
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/assessment/rounds/2026H1/do/compute/")
    Round.objects.filter(pk=opened.pk).update(compute_state=ComputeState.RUNNING, compute_percent=55,
                                              compute_stage="ratings")

    bar = client.get("/assessment/rounds/2026H1/progress/").content.decode()
    assert 'value="55"' in bar and "55%" in bar and "ratings" in bar and 'hx-trigger="every 2s"' in bar

    compute.run(opened.pk)
    done = client.get("/assessment/rounds/2026H1/progress/").content.decode()
    assert 'value="100"' in done and "hx-trigger" not in done
    page = client.get("/assessment/rounds/2026H1/?kind=street")
    assert len(page.context["results"]) == 29


def test_the_district_publishes_from_the_page(opened, district_command):
    client = signed_in(district_command)
    client.post("/assessment/rounds/2026H1/do/close/")
    compute.run(opened.pk)
    client.post("/assessment/rounds/2026H1/do/annotate/", {"annotation": "本轮考核结果经区委审定。"})
    client.post("/assessment/rounds/2026H1/do/publish/")

    round_ = Round.objects.get(pk=opened.pk)
    assert round_.status == "published" and round_.published_version == 1
    assert round_.annotation == "本轮考核结果经区委审定。"


def test_the_case_page_gives_street_staff_the_reporters_rating_link(make_case, workflow, street_staff, agency_head):
    case = workflow.close(make_case(source=Source.HOTLINE_12345, actor=street_staff))

    staff_page = signed_in(street_staff).get(f"/cases/{case.number}/").content.decode()
    agency_page = signed_in(agency_head).get(f"/cases/{case.number}/").content.decode()

    assert 'class="rating-link"' in staff_page and "http://testserver/rate/" in staff_page
    assert "/rate/" not in agency_page
