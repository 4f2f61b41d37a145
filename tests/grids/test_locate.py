"""`locate(lat, lng)`: which grid a point lies in, from the stored boundaries."""

import pytest
from shapely.geometry import shape

from grids import synthetic
from grids.geometry import grid_index, locate
from grids.models import GridCell

pytestmark = pytest.mark.django_db

TIANANMEN = (39.9087, 116.3975)


@pytest.fixture
def east_neighbours(grid):
    """The fixture grid and the grid sharing its eastern edge, with that edge's longitude."""
    west, south, east, north = shape(grid.boundary).bounds
    for other in GridCell.objects.exclude(pk=grid.pk).filter(centroid_lng__gt=east, centroid_lat__gt=south,
                                                             centroid_lat__lt=north):
        if shape(other.boundary).bounds == (east, south, east + (east - west), north):
            return grid, other, east, (south + north) / 2
    pytest.fail(f"grid {grid.code} has no neighbour to the east")


def test_a_point_at_the_centre_of_a_grid_is_in_that_grid(grid):
    centre = shape(grid.boundary).centroid

    assert locate(centre.y, centre.x).code == grid.code


def test_a_point_at_the_stored_centroid_of_every_hundredth_grid_is_in_that_grid():
    for code, lat, lng in GridCell.objects.order_by("code").values_list("code", "centroid_lat", "centroid_lng")[::100]:
        assert locate(lat, lng).code == code


def test_a_point_outside_haidian_is_in_no_grid():
    lat, lng = TIANANMEN
    assert lng > synthetic.EAST

    assert locate(lat, lng) is None


def test_a_point_on_the_edge_two_grids_share_goes_to_the_lower_code(east_neighbours):
    west_grid, east_grid, edge_lng, lat = east_neighbours

    assert locate(lat, edge_lng).code == min(west_grid.code, east_grid.code)


def test_a_point_on_a_corner_four_grids_share_goes_to_the_lowest_code(grid):
    west, south, _east, _north = shape(grid.boundary).bounds
    corner = shape({"type": "Point", "coordinates": [west, south]})
    sharing = [code for code, boundary in GridCell.objects.values_list("code", "boundary")
               if shape(boundary).intersects(corner)]
    assert len(sharing) == 4

    assert locate(south, west).code == min(sharing)


def test_locate_many_agrees_with_locate_point_by_point(grid, east_neighbours):
    _west_grid, _east_grid, edge_lng, edge_lat = east_neighbours
    west, south, _east, _north = shape(grid.boundary).bounds
    points = [
        (grid.centroid_lat, grid.centroid_lng),
        TIANANMEN,
        (edge_lat, edge_lng),
        (south, west),
        (40.0, 116.2),
        (39.95, 116.3),
        (synthetic.NORTH + 0.01, synthetic.WEST + 0.1),
        (grid.centroid_lat, grid.centroid_lng),
    ]

    many = grid_index.locate_many(points)

    assert many == [locate(lat, lng) for lat, lng in points]
    assert many[1] is None
    assert many[0] is not None and many[0] == many[-1]


def test_locate_many_of_no_points_is_an_empty_list():
    assert grid_index.locate_many([]) == []


def test_a_grid_row_is_kept_only_as_long_as_the_index_check_allows(grid, settings):
    settings.GRID_INDEX_CHECK_SECONDS = 3600
    grid_index.invalidate()
    first = grid_index.cell(grid.pk)
    community = grid.community
    community.name = "改名后的社区"
    community.save()

    assert grid_index.cell(grid.pk) is first  # kept within the check interval
    assert first.community.street_id == grid.community.street_id

    settings.GRID_INDEX_CHECK_SECONDS = 0
    assert grid_index.cell(grid.pk).community.name == "改名后的社区"

    settings.GRID_INDEX_CHECK_SECONDS = 3600
    kept = grid_index.cell(grid.pk)
    grid_index.invalidate()  # this process changed grids: forget at once
    assert grid_index.cell(grid.pk) is not kept
