"""Grid and community reads are scoped to the user's units; another street's grid does not exist."""

import pytest

from grids.models import Community, GridCell


def other_grid(street):
    return GridCell.objects.filter(community__street=street).order_by("code").first()


def test_anonymous_grid_list_is_401(api, db):
    response = api.get("/api/v1/grids/")
    assert response.status_code == 401


def test_street_staff_see_only_their_streets_grids(api, street, street_staff):
    response = api.as_user(street_staff).get("/api/v1/grids/?page_size=500")
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    expected = set(GridCell.objects.filter(community__street=street).values_list("code", flat=True))
    assert codes == expected
    assert all(code.startswith(street.code) for code in codes)


def test_grid_detail_has_geojson_boundary(api, grid, street_staff):
    response = api.as_user(street_staff).get(f"/api/v1/grids/{grid.code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["boundary"]["type"] == "Polygon"
    assert body["community"] == grid.community.code


def test_another_streets_grid_is_404(api, other_street, street_staff):
    response = api.as_user(street_staff).get(f"/api/v1/grids/{other_grid(other_street).code}/")
    assert response.status_code == 404


def test_grid_worker_sees_only_their_grid(api, grid, grid_worker):
    client = api.as_user(grid_worker)
    codes = [row["code"] for row in client.get("/api/v1/grids/").json()["results"]]
    assert codes == [grid.code]
    neighbour = GridCell.objects.filter(community=grid.community).exclude(id=grid.id).first()
    assert client.get(f"/api/v1/grids/{neighbour.code}/").status_code == 404


def test_district_command_sees_every_grid(api, district_command):
    response = api.as_user(district_command).get("/api/v1/grids/?page_size=500")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 500
    assert response.json()["next"]


def test_locate_finds_own_grid(api, grid, street_staff):
    response = api.as_user(street_staff).get(
        "/api/v1/grids/locate/", {"lat": grid.centroid_lat, "lng": grid.centroid_lng}
    )
    assert response.status_code == 200
    assert response.json()["code"] == grid.code


def test_locate_outside_haidian_is_404(api, street_staff):
    response = api.as_user(street_staff).get("/api/v1/grids/locate/", {"lat": 31.23, "lng": 121.47})
    assert response.status_code == 404


def test_locate_in_another_street_is_404(api, other_street, street_staff):
    grid = other_grid(other_street)
    response = api.as_user(street_staff).get(
        "/api/v1/grids/locate/", {"lat": grid.centroid_lat, "lng": grid.centroid_lng}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("query", [{}, {"lat": "north", "lng": "116.3"}, {"lat": "95", "lng": "116.3"}])
def test_locate_with_bad_coordinates_is_400_with_field_messages(api, street_staff, query):
    response = api.as_user(street_staff).get("/api/v1/grids/locate/", query)
    assert response.status_code == 400
    assert "lat" in response.json()


def test_communities_are_scoped_to_the_street(api, street, other_street, street_staff):
    client = api.as_user(street_staff)
    codes = {row["code"] for row in client.get("/api/v1/communities/?page_size=500").json()["results"]}
    assert codes == set(Community.objects.filter(street=street).values_list("code", flat=True))
    foreign = Community.objects.filter(street=other_street).first()
    assert client.get(f"/api/v1/communities/{foreign.code}/").status_code == 404


def test_grid_list_query_count_does_not_grow_with_page_size(api, street_staff, django_assert_max_num_queries):
    client = api.as_user(street_staff)
    # token + user, scope (permissions, groups, streets/districts), the page.
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/grids/?page_size=5").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/grids/?page_size=100").status_code == 200
