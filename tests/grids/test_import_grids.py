"""`manage.py import_grids` and `export_grids`: a file goes in whole or not at all, and every
refusal names the feature that caused it.

New grids are drawn north of the seeded lattice (which ends at latitude 40.15), so they overlap
nothing unless a test means them to.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from grids import synthetic
from grids.geometry import locate
from grids.models import Community, GridCell
from grids.services import grids_export

pytestmark = pytest.mark.django_db


def square(west: float, south: float, size: float = 0.01) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def bow_tie(west: float, south: float, size: float = 0.01) -> dict:
    """Corners visited in crossing order, so the ring cuts through itself at its middle."""
    ring = [[west, south], [west + size, south + size], [west + size, south], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, community: str, geometry: dict, name: str = "测试网格") -> dict:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "community": community},
        "geometry": geometry,
    }


def write_collection(tmp_path, *features, filename="grids.geojson"):
    path = tmp_path / filename
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def import_grids(path) -> str:
    out = io.StringIO()
    call_command("import_grids", str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def community(street):
    return Community.objects.filter(street=street).order_by("code").first()


@pytest.fixture
def new_code(community):
    code = f"{community.code}901"
    assert not GridCell.objects.filter(code=code).exists()
    return code


@pytest.fixture
def good_feature(community, new_code):
    assert synthetic.NORTH < 40.20
    return feature(new_code, community.code, square(116.20, 40.20), name="新建网格")


@pytest.fixture
def refused(tmp_path, good_feature):
    """Import a file of the good feature followed by `bad`; return the error after checking that
    nothing at all was written."""

    def run(*bad):
        path = write_collection(tmp_path, good_feature, *bad)
        before = GridCell.objects.count()
        with pytest.raises(CommandError) as caught:
            import_grids(path)
        assert GridCell.objects.count() == before
        assert not GridCell.objects.filter(code=good_feature["properties"]["code"]).exists()
        return str(caught.value)

    return run


# Success


def test_a_new_grid_in_an_existing_community_is_imported(tmp_path, good_feature, new_code, community):
    path = write_collection(tmp_path, good_feature)

    summary = import_grids(path)

    assert summary.strip() == "Imported 1 grids: 1 created, 0 updated"
    grid = GridCell.objects.get(code=new_code)
    assert grid.name == "新建网格"
    assert grid.community == community
    assert not grid.synthetic
    assert grid.area_m2 == pytest.approx(1113 * 853, rel=0.02)  # 0.01° × 0.01° at latitude 40.2


def test_an_imported_grid_is_found_by_locate(tmp_path, good_feature, new_code):
    assert locate(40.205, 116.205) is None

    import_grids(write_collection(tmp_path, good_feature))

    assert locate(40.205, 116.205).code == new_code


# Refusals


def test_a_self_intersecting_polygon_is_refused_naming_the_feature(refused, community):
    code = f"{community.code}902"

    message = refused(feature(code, community.code, bow_tie(116.25, 40.20)))

    assert f"feature 2 (code {code}): invalid polygon: Self-intersection[" in message


def test_an_unknown_community_is_refused_naming_the_feature(refused):
    message = refused(feature("110108999999001", "110108999999", square(116.25, 40.20)))

    assert "feature 2 (code 110108999999001): unknown community '110108999999'" in message


def test_a_code_that_does_not_begin_with_its_community_code_is_refused(refused, community, other_street):
    elsewhere = Community.objects.filter(street=other_street).order_by("code").first()
    code = f"{elsewhere.code}901"

    message = refused(feature(code, community.code, square(116.25, 40.20)))

    assert f"feature 2 (code {code}): code does not begin with its community code {community.code}" in message


def test_a_code_twice_in_the_file_is_refused_naming_both_features(refused, new_code, community):
    message = refused(feature(new_code, community.code, square(116.25, 40.20)))

    assert f"feature 2 (code {new_code}): duplicate code, also feature 1" in message


def test_two_features_of_the_file_that_overlap_are_refused(refused, community):
    first, second = f"{community.code}902", f"{community.code}903"

    message = refused(
        feature(first, community.code, square(116.25, 40.20)),
        feature(second, community.code, square(116.255, 40.20)),
    )

    assert f"feature 2 (code {first}): overlaps feature 3 (code {second}) by " in message


def test_grids_that_only_share_an_edge_do_not_overlap(tmp_path, good_feature, community):
    neighbour = feature(f"{community.code}902", community.code, square(116.21, 40.20))

    summary = import_grids(write_collection(tmp_path, good_feature, neighbour))

    assert "2 created" in summary


def test_a_feature_overlapping_a_stored_grid_is_refused(refused, community, grid):
    west, south = shape(grid.boundary).bounds[:2]
    code = f"{community.code}902"

    message = refused(feature(code, community.code, square(west + 0.001, south + 0.001, size=0.002)))

    assert f"feature 2 (code {code}): overlaps stored grid {grid.code} by " in message


def test_a_point_is_refused_as_a_grid_boundary(refused, community):
    code = f"{community.code}902"

    message = refused(feature(code, community.code, {"type": "Point", "coordinates": [116.25, 40.20]}))

    assert f"feature 2 (code {code}): geometry must be a Polygon or MultiPolygon, not Point" in message


@pytest.mark.parametrize("code", ["11010800700190", "1101080070019011", "11010800700190x"])
def test_a_code_that_is_not_15_digits_is_refused(refused, community, code):
    message = refused(feature(code, community.code, square(116.25, 40.20)))

    assert f"feature 2 (code {code}): code must be 15 digits" in message


def test_every_problem_in_the_file_is_listed(refused, community):
    message = refused(
        feature("110108999999001", "110108999999", square(116.25, 40.20)),
        feature(f"{community.code}903", community.code, {"type": "Point", "coordinates": [116.25, 40.20]}),
        feature("123", community.code, square(116.27, 40.20)),
    )

    assert "3 problem(s)" in message
    assert "feature 2 (code 110108999999001): unknown community" in message
    assert f"feature 3 (code {community.code}903): geometry must be a Polygon" in message
    assert "feature 4 (code 123): code must be 15 digits" in message


def test_a_file_that_is_not_a_feature_collection_is_refused(tmp_path, good_feature):
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps(good_feature), encoding="utf-8")
    before = GridCell.objects.count()

    with pytest.raises(CommandError, match="expected a GeoJSON FeatureCollection.*got Feature"):
        import_grids(path)

    assert GridCell.objects.count() == before


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "grids.geojson"
    path.write_text("code,name\n110108007001901,新建网格\n", encoding="utf-8")

    with pytest.raises(CommandError, match="not valid JSON"):
        import_grids(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        import_grids(tmp_path / "nowhere.geojson")


# Export


def test_exported_grids_import_again_as_updates_that_change_nothing(tmp_path, community):
    grids = GridCell.objects.filter(community=community)
    fields = ("code", "name", "community_id", "boundary", "area_m2", "centroid_lat", "centroid_lng", "synthetic")
    before = list(grids.order_by("code").values_list(*fields))
    path = tmp_path / "export.geojson"
    path.write_text(json.dumps(grids_export(queryset=grids), ensure_ascii=False), encoding="utf-8")
    count = GridCell.objects.count()

    summary = import_grids(path)

    assert summary.strip() == f"Imported {len(before)} grids: 0 created, {len(before)} updated"
    assert GridCell.objects.count() == count
    assert list(grids.order_by("code").values_list(*fields)) == before


def test_export_grids_writes_the_file_in_readable_chinese_and_says_so(tmp_path):
    path = tmp_path / "all.geojson"
    err = io.StringIO()

    call_command("export_grids", str(path), stderr=err)

    text = path.read_text(encoding="utf-8")
    assert "网格" in text
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == GridCell.objects.count()
    assert f"Exported {GridCell.objects.count()} grids to {path}" in err.getvalue()


def test_export_grids_without_a_file_writes_to_standard_output():
    out, err = io.StringIO(), io.StringIO()

    call_command("export_grids", stdout=out, stderr=err)

    assert len(json.loads(out.getvalue())["features"]) == GridCell.objects.count()
    assert err.getvalue() == ""
