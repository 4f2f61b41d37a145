"""Who sees a case in lists: the area's people, and a reporter their own report wherever it is."""

import pytest

pytestmark = pytest.mark.django_db


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def test_a_grid_worker_follows_a_report_made_outside_their_grid(api, make_case, grid_worker, other_grid,
                                                                 other_grid_worker):
    case = make_case(at=other_grid, actor=grid_worker)

    assert case.number in numbers(api.as_user(grid_worker).get("/api/v1/cases/"))
    assert api.as_user(grid_worker).get(f"/api/v1/cases/{case.number}/").status_code == 200
    assert case.number in numbers(api.as_user(other_grid_worker).get("/api/v1/cases/"))


def test_street_staff_see_every_case_of_their_street_and_none_of_another(api, make_case, street_staff, other_grid):
    home, away = make_case(), make_case(at=other_grid)

    seen = numbers(api.as_user(street_staff).get("/api/v1/cases/"))

    assert home.number in seen and away.number not in seen


def test_filtering_on_several_statuses_lists_each_case_once(api, make_case, street_staff):
    cases = {make_case().number for _ in range(3)}

    seen = api.as_user(street_staff).get("/api/v1/cases/?status=reported&status=filed").json()["results"]

    assert sorted(row["number"] for row in seen) == sorted(cases)
