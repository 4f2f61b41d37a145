"""`manage.py seed_haidian`: Haidian's organisation as the 2013 reform describes it, and synthetic
communities and grids. The test session has already run it once."""

import csv
import io

import pytest
from django.core.management import call_command

from agencies.models import Agency, Department, District, ManagementMode, Street
from agencies.seed import DATA_DIR
from grids import synthetic
from grids.models import Community, GridCell

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list[tuple]]:
    """Every seeded row, primary key included, so a delete-and-recreate would show too."""
    agency_streets: dict[int, list[str]] = {}
    for agency_id, street_code in Agency.streets.through.objects.order_by("street__code").values_list(
        "agency_id", "street__code"
    ):
        agency_streets.setdefault(agency_id, []).append(street_code)
    return {
        "districts": list(District.objects.order_by("code").values_list("id", "code", "name")),
        "streets": list(
            Street.objects.order_by("code").values_list("id", "code", "name", "short_name", "kind", "district_id")
        ),
        "departments": list(Department.objects.order_by("code").values_list("id", "code", "name", "district_id")),
        "agencies": [
            (*row, agency_streets.get(row[0], []))
            for row in Agency.objects.order_by("code").values_list(
                "id", "code", "name", "kind", "management_mode", "department_id"
            )
        ],
        "communities": list(
            Community.objects.order_by("code").values_list("id", "code", "name", "kind", "street_id", "synthetic")
        ),
        "grids": list(
            GridCell.objects.order_by("code").values_list(
                "id", "code", "name", "community_id", "boundary", "area_m2", "centroid_lat", "centroid_lng",
                "synthetic", "updated_at",
            )
        ),
    }


def test_seeding_again_leaves_every_row_as_it_was():
    before = snapshot()

    call_command("seed_haidian", stdout=io.StringIO())

    after = snapshot()
    assert {table: len(rows) for table, rows in after.items()} == {table: len(rows) for table, rows in before.items()}
    for table in before:
        assert after[table] == before[table], f"{table} changed"


def test_seeding_again_says_the_grids_are_unchanged():
    out = io.StringIO()

    call_command("seed_haidian", stdout=out)

    assert "570 communities, 3000 grids (synthetic, unchanged)" in out.getvalue()


def test_haidian_has_the_29_streets_and_towns_of_the_data_file_in_its_order():
    with open(DATA_DIR / "haidian-streets.csv", encoding="utf-8") as handle:
        expected = [(f"110108{number:03d}", row["name"]) for number, row in enumerate(csv.DictReader(handle), 1)]

    streets = list(Street.objects.filter(district__code="110108").order_by("code").values_list("code", "name"))

    assert len(streets) == 29
    assert streets == expected


def test_seven_of_the_streets_are_towns():
    towns = Street.objects.filter(kind=Street.Kind.TOWN)

    assert towns.count() == 7
    assert all(name.endswith("镇") for name in towns.values_list("name", flat=True))


def test_there_are_the_13_departments_of_the_reform():
    assert Department.objects.filter(district__code="110108").count() == 13
    assert Department.objects.get(code="110108-ga").name == "公安分局"


def test_every_street_is_served_by_one_agency_of_each_of_the_13_kinds():
    assert Agency.objects.count() == 29 * 10 + 3 * 8  # ten kinds in each street, three shared by 8 areas
    for street in Street.objects.prefetch_related("agencies"):
        kinds = sorted(agency.kind for agency in street.agencies.all())
        assert len(kinds) == 13, street.name
        assert len(set(kinds)) == 13, street.name


def test_agencies_follow_the_reforms_management_modes():
    def modes(suffix):
        return set(Agency.objects.filter(name__endswith=suffix).values_list("management_mode", flat=True))

    assert modes("派出所") == {ManagementMode.DUAL}
    assert modes("司法所") == {ManagementMode.LOCAL}
    assert modes("城管分队") == {ManagementMode.LOCAL_PRIMARY}


def test_an_agency_serves_its_own_street_and_belongs_to_its_department():
    agency = Agency.objects.get(code="110108007-pcs")

    assert list(agency.streets.values_list("code", flat=True)) == ["110108007"]
    assert agency.department.code == "110108-ga"
    assert agency.name == "北下关派出所"


def test_there_are_570_synthetic_communities_each_in_a_seeded_street():
    communities = Community.objects.all()

    assert communities.count() == synthetic.COMMUNITIES == 570
    assert not communities.filter(synthetic=False).exists()
    for code, street_code in communities.values_list("code", "street__code"):
        assert len(code) == 12 and code.startswith(street_code), code


def test_there_are_3000_grids_all_synthetic():
    assert GridCell.objects.count() == 3000
    assert not GridCell.objects.filter(synthetic=False).exists()


def test_every_grid_code_has_15_digits_and_starts_with_its_community_code():
    for code, community_code in GridCell.objects.values_list("code", "community__code"):
        assert len(code) == 15 and code.isdigit() and code.startswith(community_code), code


def test_every_community_has_at_least_one_grid():
    assert not Community.objects.filter(grids__isnull=True).exists()
